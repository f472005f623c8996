// Command local is an alias of "apibuilder local", kept so that
// "go run ./local up" and "go run ./local tools" work from this
// repository. "go run ./local -h" lists its commands.
package main

import (
	"os"

	"github.com/apibuilder/apibuilder/internal/cli"
)

func main() {
	os.Exit(cli.Run(append([]string{"local"}, os.Args[1:]...), os.Stdin, os.Stdout, os.Stderr))
}

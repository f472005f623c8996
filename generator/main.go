// Command generator is an alias of "apibuilder generate", kept so that
// "go run ./generator [flags]" works from this repository: routes.yaml ->
// envs/<env> and the function zips. "go run ./generator -h" prints the manual.
package main

import (
	"os"
	"runtime/debug"

	"github.com/apibuilder/apibuilder/internal/cli"
)

func main() {
	debug.SetGCPercent(400) // as cmd/apibuilder: a short run that allocates a lot
	os.Exit(cli.Run(append([]string{"generate"}, os.Args[1:]...), os.Stdin, os.Stdout, os.Stderr))
}

// Command local runs apibuilder's local stack: it installs the tools,
// starts the emulators, applies envs/dev, runs the functions and serves the
// API. Run "go run ./local -h" for the subcommands.
package main

import (
	"os"

	"github.com/apibuilder/apibuilder/local/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}

// Command generator turns routes.yaml into Terraform root modules (envs/<env>)
// and deterministic Lambda zips. Run "go run ./generator -h" for the manual.
package main

import (
	"os"

	"github.com/apibuilder/apibuilder/generator/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}

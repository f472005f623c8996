// Command apibuilder turns a routes.yaml into an API Gateway REST API with
// one Lambda function per route: it starts projects, generates their
// Terraform, runs them on a local stack, tests and deploys them. Run
// "apibuilder help" for the manual; the commands live in internal/cli.
package main

import (
	"os"
	"runtime/debug"

	"github.com/apibuilder/apibuilder/internal/cli"
)

func main() {
	// generate allocates a lot for large APIs and runs for seconds: fewer
	// garbage collections make it faster, at little memory cost.
	debug.SetGCPercent(400)
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Command apibuilder turns a routes.yaml into an API Gateway REST API with
// one Lambda function per route: it starts projects, generates their
// Terraform, runs them on a local stack, tests and deploys them. Run
// "apibuilder help" for the manual.
package main

import (
	"os"

	"github.com/apibuilder/apibuilder/internal/apibuilder"
)

func main() {
	os.Exit(apibuilder.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

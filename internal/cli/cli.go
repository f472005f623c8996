// Package apibuilder is the apibuilder command: one entry point for a
// team's whole loop (init, generate, local, test, deploy, version). Each
// subcommand is a thin layer over the package that does the work, so the
// command, `go run ./generator`, `go run ./local` and the tests all run
// the same code.
package apibuilder

import (
	"fmt"
	"io"

	generatorcli "github.com/apibuilder/apibuilder/generator/cli"
	"github.com/apibuilder/apibuilder/internal/version"
	localcli "github.com/apibuilder/apibuilder/local/cli"
)

const manual = `NAME
    apibuilder - describe an API once in routes.yaml; get an API Gateway REST
                 API with one AWS Lambda function per route, as Terraform

SYNOPSIS
    apibuilder <command> [flags]

COMMANDS
    init [dir]      start a new project in dir (default: the current directory)
    generate        routes.yaml -> envs/<env> (Terraform) and build/functions (zips)
    local up        run the project on a local stack: deploy, serve, smoke-call
    local tools     find or install the local stack's tools
    test            deploy to the local stack (or AWS) and test every route
    deploy          generate, then terraform init, plan and apply one environment
    version         print the version (also the version of the modules it writes)
    help            print this manual

    "apibuilder <command> -h" prints a command's own manual.

GETTING STARTED
    apibuilder init shop && cd shop
    apibuilder local up

FILES
    routes.yaml            the API (its contract is in apibuilder's README)
    envs/<env>/            generated Terraform root modules; commit them
    .apibuilder/modules/   the Terraform modules of this apibuilder version (generated)
    build/                 function zips and local-stack state (not committed)
`

// Run executes the command line and returns the exit code.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, manual)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, manual)
		return 0
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "apibuilder", version.String())
		return 0
	case "init":
		return runInit(args[1:], stdout, stderr)
	case "generate":
		return generatorcli.RunAs("apibuilder generate", args[1:], stdout, stderr)
	case "local":
		return localcli.Run(args[1:], stdout, stderr)
	case "test":
		return runTest(args[1:], stdout, stderr)
	case "deploy":
		return runDeploy(args[1:], stdin, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "apibuilder: unknown command %q (see apibuilder help)\n", args[0])
		return 2
	}
}

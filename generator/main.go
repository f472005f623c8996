// Command generator turns routes.yaml into Terraform root modules (envs/<env>)
// and deterministic Lambda zips. Run "go run ./generator -h" for the manual.
package main

import (
	"os"
	"runtime/debug"

	"github.com/apibuilder/apibuilder/generator/cli"
)

func main() {
	// A short-lived run that allocates a lot (1,000 routes: 300 MB) spends
	// a third of its time collecting garbage at Go's default; memory is
	// cheap for the seconds it runs.
	debug.SetGCPercent(400)
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}

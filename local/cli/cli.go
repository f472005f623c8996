// Package cli implements the "local" command: the one-command local run and
// the tool installer.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/apibuilder/apibuilder/local/tools"
)

const usage = `usage: go run ./local <command> [flags]

Commands:
  tools   find or install terraform, the aws provider mirror, moto and kumo,
          and print which path was taken for each
`

// Run executes the command line and returns the process exit code.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "tools":
		tc, err := tools.Ensure(ctx, tools.Options{Log: stdout, RequireMoto: true})
		if err != nil {
			fmt.Fprintln(stderr, "local tools:", err)
			return 1
		}
		fmt.Fprintf(stdout, "toolchain ready: terraform %s, aws provider %s\n", tc.TerraformVersion, tc.ProviderVersion)
		return 0
	default:
		fmt.Fprintf(stderr, "local: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

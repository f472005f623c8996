// Package cli implements the "local" command: the one-command local run and
// the tool installer.
package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/apibuilder/apibuilder/local/tools"
)

const usage = `usage: go run ./local <command> [flags]

Commands:
  up [-env dev] [-port N] [-exit-after-smoke] [-watch=false] [-concurrency N]
          install the tools if missing, start moto and kumo, generate, apply
          envs/<env> with terraform, run the functions, serve the API on a
          local port, smoke-call every route, print the invoke URL; then
          serve until Ctrl-C, watching the project: a saved handler is
          rebuilt and swapped in (about a second), a saved routes.yaml or
          schema is generated and applied on the same stack. Each function
          runs up to N processes (default 4) as parallel requests need them
  tools [-which terraform|kumo|moto|cli-config]
          find or install terraform, the aws provider mirror, moto and kumo,
          and print which path was taken for each (or just one tool's path)
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
		return runTools(ctx, args[1:], stdout, stderr)
	case "up":
		return runUp(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "local: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

func runTools(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tools", flag.ContinueOnError)
	fs.SetOutput(stderr)
	which := fs.String("which", "", "print only the path of one tool: terraform, kumo, moto or cli-config")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := stdout
	if *which != "" {
		log = stderr // keep stdout for the path alone
	}
	tc, err := tools.Ensure(ctx, tools.Options{Log: log, RequireMoto: *which == "" || *which == "moto"})
	if err != nil {
		fmt.Fprintln(stderr, "local tools:", err)
		return 1
	}
	paths := map[string]string{"terraform": tc.Terraform, "kumo": tc.Kumo, "moto": tc.Moto, "cli-config": tc.CLIConfig}
	if *which != "" {
		p, ok := paths[*which]
		if !ok {
			fmt.Fprintf(stderr, "local tools: -which %q: choose terraform, kumo, moto or cli-config\n", *which)
			return 2
		}
		fmt.Fprintln(stdout, p)
		return 0
	}
	fmt.Fprintf(stdout, "toolchain ready: terraform %s, aws provider %s\n", tc.TerraformVersion, tc.ProviderVersion)
	return 0
}

package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/apibuilder/apibuilder/local/tools"
)

var localToolsCommand = &command{
	name:    "local tools",
	summary: "find or install the local stack's tools",
	usage:   "[-which terraform|kumo|moto|cli-config]",
	manual: `    Finds or installs terraform, the aws provider mirror, moto and kumo,
    and prints which path was taken for each (or, with -which, just one
    tool's path on stdout, for scripts).
`,
	flags: func(fs *flag.FlagSet) runFunc {
		which := fs.String("which", "", "print only the path of one tool: terraform, kumo, moto or cli-config")
		return func(ctx context.Context, std *stdio, args []string) int {
			if !noArgs(std, "local tools", args) {
				return 2
			}
			switch *which {
			case "", "terraform", "kumo", "moto", "cli-config":
			default:
				fmt.Fprintf(std.errOut, "apibuilder local tools: -which %q: choose terraform, kumo, moto or cli-config\n", *which)
				return 2
			}
			log := std.out
			if *which != "" {
				log = std.errOut // keep stdout for the path alone
			}
			ensure := tools.Ensure
			if *which == "terraform" {
				ensure = tools.Terraform // formatting needs no emulator: build none
			}
			tc, err := ensure(ctx, tools.Options{Log: log, RequireMoto: *which == "" || *which == "moto"})
			if err != nil {
				return fail(std, "local tools", err, "")
			}
			if *which != "" {
				paths := map[string]string{"terraform": tc.Terraform, "kumo": tc.Kumo, "moto": tc.Moto, "cli-config": tc.CLIConfig}
				fmt.Fprintln(std.out, paths[*which])
				return 0
			}
			fmt.Fprintf(std.out, "toolchain ready: terraform %s, aws provider %s\n", tc.TerraformVersion, tc.ProviderVersion)
			return 0
		}
	},
}

package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/apibuilder/apibuilder/internal/version"
)

var versionCommand = &command{
	name:    "version",
	summary: "print the version (also the version of the modules it writes), commit, Go version and platform",
	flags: func(fs *flag.FlagSet) runFunc {
		return func(_ context.Context, std *stdio, args []string) int {
			if !noArgs(std, "version", args) {
				return 2
			}
			printVersion(std)
			return 0
		}
	},
}

func printVersion(std *stdio) {
	fmt.Fprintln(std.out, version.Long())
}

package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/apibuilder/apibuilder/pipeline/bootstrap"
)

var bootstrapCommand = &command{
	name:    "bootstrap",
	summary: "once per account and environment: state bucket, lock, GitHub OIDC provider, plan and apply roles",
	usage:   bootstrap.UsageLine,
	manual:  bootstrap.Manual,
	flags: func(fs *flag.FlagSet) runFunc {
		opt := bootstrap.RegisterFlags(fs)
		return func(ctx context.Context, std *stdio, args []string) int {
			if !noArgs(std, "bootstrap", args) {
				return 2
			}
			if err := opt.Check(); err != nil {
				fmt.Fprintln(std.errOut, "apibuilder", err)
				return 2
			}
			opt.Out = std.errOut
			opt.Confirm = bootstrap.Prompt(std.in, std.out)
			res, err := bootstrap.Run(ctx, *opt)
			if err != nil {
				return fail(std, "bootstrap", err, "")
			}
			fmt.Fprint(std.out, res.Summary())
			return 0
		}
	},
}

package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
)

var helpCommand = &command{
	name:    "help",
	summary: "print this list, or one command's manual",
	usage:   "[command]",
	flags: func(fs *flag.FlagSet) runFunc {
		return func(_ context.Context, std *stdio, args []string) int {
			if len(args) == 0 {
				printOverview(std.out)
				return 0
			}
			name := strings.Join(args, " ")
			if c := find(name); c != nil {
				manualOf(std.out, c)
				return 0
			}
			if group := groupOf(name); len(group) > 0 {
				printGroup(std.out, name, group)
				return 0
			}
			fmt.Fprintf(std.errOut, "apibuilder help: unknown command %q%s\n", name, suggest(args[0]))
			return 2
		}
	},
}

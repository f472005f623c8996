package apitest

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/apibuilder/apibuilder/target"
)

// Options of Test: where to deploy (target.Options) and where on.
type Options struct {
	target.Options
	// AWS deploys to the account of the standard credential chain (and
	// destroys the deployment afterwards) instead of a local stack.
	AWS bool
}

// Test is `apibuilder test`: it deploys the project (target.Local or
// target.AWS), runs every check and takes the deployment down. On the
// local stack the functions' output goes to FunctionLogs, or to a
// temporary file named in the report when a check failed.
func Test(ctx context.Context, opt Options) (Result, error) {
	var fnFile *os.File
	if !opt.AWS && opt.FunctionLogs == nil {
		f, err := os.CreateTemp("", "apibuilder-test-functions-*.log")
		if err != nil {
			return Result{}, err
		}
		defer f.Close()
		fnFile, opt.FunctionLogs = f, f
	}
	up := target.Local
	if opt.AWS {
		up = target.AWS
	}
	tg, err := up(ctx, opt.Options)
	if err != nil {
		return Result{}, err
	}
	defer tg.Close()
	out := opt.Out
	if out == nil {
		out = io.Discard
	}
	res := Run(ctx, tg, out)
	if !res.OK() && fnFile != nil {
		fmt.Fprintf(out, "(the functions' output: %s)\n", fnFile.Name())
	}
	return res, nil
}

package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/internal/scaffold"
	"github.com/apibuilder/apibuilder/internal/version"
)

var initCommand = &command{
	name:    "init",
	summary: "start a new project in dir (default: the current directory)",
	usage:   "[-name api] [-module path] [-force] [dir]",
	manual: `    Writes a project that works on the first try into dir (default: the
    current directory; created if missing): routes.yaml with two routes
    (POST /items behind an API key, GET /items/{id}), a DynamoDB table and a
    JSON schema; one Go handler serving both routes, in the project's own Go
    module (go.mod and go.sum require the AWS Lambda and SDK libraries);
    .gitignore; a README; and the GitHub pipeline that apibuilder ci keeps
    current (pull requests: checks, local tests, a plan per environment with
    a read-only role, a preview; merge: each environment's saved plan
    applied with its apply role; a scheduled drift check). Then it
    generates envs/dev and envs/prod.

    It refuses a directory that is not empty unless -force is given, and it
    never overwrites a file.
`,
	flags: func(fs *flag.FlagSet) runFunc {
		name := fs.String("name", "", "the API's name (default: the directory's name)")
		module := fs.String("module", "", "the Go module path (default: the API's name), e.g. github.com/acme/shop")
		force := fs.Bool("force", false, "write into a directory that is not empty (never over an existing file)")
		return func(ctx context.Context, std *stdio, args []string) int {
			dir := "."
			switch len(args) {
			case 0:
			case 1:
				dir = args[0]
			default:
				fmt.Fprintln(std.errOut, "apibuilder init: give at most one directory (see -h)")
				return 2
			}
			return runInit(ctx, std, dir, scaffold.Options{Name: *name, Module: *module, Force: *force})
		}
	},
}

func runInit(ctx context.Context, std *stdio, dir string, opt scaffold.Options) int {
	stdout := std.out
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fail(std, "init", err, "")
	}
	opt.Dir, opt.Version = abs, version.Release()
	files, err := scaffold.Init(opt)
	if err != nil {
		return fail(std, "init", err, "")
	}
	for _, f := range files {
		fmt.Fprintf(stdout, "  wrote %s\n", f)
	}
	res, err := generate.Run(ctx, generate.Options{Config: filepath.Join(abs, "routes.yaml"), NoBuild: true})
	if err != nil {
		fmt.Fprintf(std.errOut, "apibuilder init: the new project does not generate (a bug in apibuilder; please report it): %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "  generated %s (modules: %s)\n", strings.Join(envDirs(res), ", "), res.Modules)
	fmt.Fprintln(stdout, "\nNext:")
	if dir != "." {
		fmt.Fprintf(stdout, "  cd %s\n", dir)
	}
	fmt.Fprintln(stdout, "  apibuilder local up    # run it on your machine")
	fmt.Fprintln(stdout, "  apibuilder test        # deploy it locally and test every route")
	return 0
}

func envDirs(res *generate.Result) []string {
	out := make([]string, len(res.Envs))
	for i, e := range res.Envs {
		out[i] = "envs/" + e
	}
	return out
}

// Package cli is the apibuilder command: one entry point for a team's
// whole loop (init, generate, schema, local, test, deploy, drift,
// version). Every verb is a row of one command table (name, summary,
// usage, flags, run), from which `apibuilder help` and `apibuilder <verb>
// -h` are printed, and one file here that parses its flags and calls the
// package that does the work. `go run ./generator` and `go run ./local`
// are aliases of `apibuilder generate` and `apibuilder local`: everything
// runs this code.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/apibuilder/apibuilder/generator/generate"
)

// command is one row of the table: a verb ("generate") or a verb of a
// group ("local up").
type command struct {
	name    string // as typed after apibuilder
	summary string // one line, for apibuilder help
	usage   string // the synopsis after "apibuilder <name>"
	// manual is the DESCRIPTION of -h (may be empty); footer follows the
	// options (exit status, examples).
	manual, footer string
	// flags defines the verb's flags on fs and returns its run function,
	// which reads them once fs is parsed; args are the arguments left.
	flags func(fs *flag.FlagSet) runFunc
}

type runFunc func(ctx context.Context, std *stdio, args []string) int

// stdio are the command's streams.
type stdio struct {
	in          io.Reader
	out, errOut io.Writer
}

// groups say what the verbs of a group (rows "<group> <verb>") are for.
var groups = map[string]string{
	"local": "the local stack: run the project on this machine, install its tools",
}

// commands is the table; help lists it in this order.
var commands []*command

func init() {
	commands = []*command{
		initCommand,
		generateCommand,
		schemaCommand,
		localUpCommand,
		localToolsCommand,
		testCommand,
		deployCommand,
		bootstrapCommand,
		ciCommand,
		driftCommand,
		versionCommand,
		helpCommand,
	}
}

// Run executes the command line (without the program name) and returns
// the exit code: 0 success, 1 failure, 2 a bad command line. Ctrl-C or
// SIGTERM ends the command's context.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, args, &stdio{in: stdin, out: stdout, errOut: stderr})
}

// run is Run in ctx.
func run(ctx context.Context, args []string, std *stdio) int {
	stdout, stderr := std.out, std.errOut
	if len(args) == 0 {
		printOverview(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		printOverview(stdout)
		return 0
	case "-version", "--version":
		args = []string{"version"}
	}
	cmd, rest := lookup(args)
	if cmd == nil {
		if group := groupOf(args[0]); len(group) > 0 {
			return runGroup(args, group, std)
		}
		fmt.Fprintf(stderr, "apibuilder: unknown command %q%s; run \"apibuilder help\" for the commands\n", args[0], suggest(args[0]))
		return 2
	}
	return cmd.exec(ctx, rest, std)
}

// lookup finds the command args name: a group's verb ("local up") or a
// verb, and returns the arguments after its name.
func lookup(args []string) (*command, []string) {
	if len(args) > 1 {
		if c := find(args[0] + " " + args[1]); c != nil {
			return c, args[2:]
		}
	}
	if c := find(args[0]); c != nil {
		return c, args[1:]
	}
	return nil, nil
}

func find(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// groupOf lists the verbs of a group ("local": local up, local tools).
func groupOf(name string) []*command {
	var out []*command
	for _, c := range commands {
		if strings.HasPrefix(c.name, name+" ") {
			out = append(out, c)
		}
	}
	return out
}

// runGroup answers a group named without one of its verbs.
func runGroup(args []string, group []*command, std *stdio) int {
	name := args[0]
	switch {
	case len(args) > 1 && isHelp(args[1]):
		printGroup(std.out, name, group)
		return 0
	case len(args) == 1:
		printGroup(std.errOut, name, group)
		return 2
	default:
		fmt.Fprintf(std.errOut, "apibuilder %s: unknown command %q; run \"apibuilder %s -h\" for its commands\n", name, args[1], name)
		return 2
	}
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// exec parses the command's flags and runs it.
func (c *command) exec(ctx context.Context, args []string, std *stdio) int {
	fs := c.flagSet(std.errOut)
	run := c.flags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	return run(ctx, std, fs.Args())
}

// flagSet is the command's flag set, whose -h prints its manual to w.
func (c *command) flagSet(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("apibuilder "+c.name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() { c.printManual(w, fs) }
	return fs
}

// printManual prints the command's -h: name, synopsis, description, the
// flags fs defines, and the footer.
func (c *command) printManual(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "NAME\n    apibuilder %s - %s\n\nSYNOPSIS\n    apibuilder %s", c.name, c.summary, c.name)
	if c.usage != "" {
		fmt.Fprintf(w, " %s", c.usage)
	}
	fmt.Fprintln(w)
	if c.manual != "" {
		fmt.Fprintf(w, "\nDESCRIPTION\n%s", c.manual)
	}
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w, "\nOPTIONS")
		fs.PrintDefaults()
	}
	fmt.Fprint(w, c.footer)
}

// manualOf prints the -h of the command named name to w.
func manualOf(w io.Writer, c *command) {
	fs := c.flagSet(w)
	c.flags(fs)
	c.printManual(w, fs)
}

// printOverview is `apibuilder help`: every command of the table.
func printOverview(w io.Writer) {
	fmt.Fprint(w, `NAME
    apibuilder - describe an API once in routes.yaml; get an API Gateway REST
                 API with one AWS Lambda function per route, as Terraform

SYNOPSIS
    apibuilder <command> [flags]

COMMANDS
`)
	for _, c := range commands {
		fmt.Fprintf(w, "    %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
    "apibuilder <command> -h" (or "apibuilder help <command>") prints a
    command's own manual.

GETTING STARTED
    apibuilder init shop && cd shop
    apibuilder local up

FILES
    routes.yaml            the API (its reference: docs/reference/routes-yaml.md)
    envs/<env>/            generated Terraform root modules; commit them
    .apibuilder/modules/   the Terraform modules of this apibuilder version (generated)
    .apibuilder/routes.schema.json
                           routes.yaml's JSON Schema, for editors (generated)
    build/                 function zips and local-stack state (not committed)
`)
}

// printGroup is the -h of a group: its verbs.
func printGroup(w io.Writer, name string, group []*command) {
	fmt.Fprintf(w, "NAME\n    apibuilder %s - %s\n\nCOMMANDS\n", name, groups[name])
	for _, c := range group {
		fmt.Fprintf(w, "    apibuilder %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\n    \"apibuilder %s <command> -h\" prints a command's own manual.\n", name)
}

// suggest names the command closest to a mistyped one, if any is close.
func suggest(name string) string {
	best, bestD := "", 3
	for _, c := range commands {
		verb, _, _ := strings.Cut(c.name, " ")
		if d := distance(name, verb); d < bestD {
			best, bestD = verb, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// noArgs refuses arguments a command does not take.
func noArgs(std *stdio, name string, args []string) bool {
	if len(args) > 0 {
		fmt.Fprintf(std.errOut, "apibuilder %s: unexpected argument %q (see -h)\n", name, args[0])
		return false
	}
	return true
}

// fail prints err the way every command does (the generator's positioned
// diagnostics as they are, with their count and what happened) and
// returns exit code 1.
func fail(std *stdio, name string, err error, nothing string) int {
	var de *generate.Diagnostics
	if errors.As(err, &de) {
		fmt.Fprintln(std.errOut, err)
		if nothing != "" {
			fmt.Fprintf(std.errOut, "%d problem(s) found; %s.\n", len(de.Items), nothing)
		}
	} else {
		fmt.Fprintf(std.errOut, "apibuilder %s: %v\n", name, err)
	}
	return 1
}

// Verbs are the command's verbs as typed after apibuilder, in the table's
// order, groups once ("local"): for checks that docs name only real verbs.
func Verbs() []string {
	var verbs []string
	seen := map[string]bool{}
	for _, c := range commands {
		v, _, _ := strings.Cut(c.name, " ")
		if !seen[v] {
			seen[v] = true
			verbs = append(verbs, v)
		}
	}
	return verbs
}

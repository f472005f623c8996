package cli

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runArgs runs the command line in-process.
func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestEveryVerbsManualComesFromTheTable: "<verb> -h" and "help <verb>"
// print the same manual, made of the table's row (name, summary, usage)
// and the flags the row defines.
func TestEveryVerbsManualComesFromTheTable(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runArgs(append(strings.Fields(c.name), "-h")...)
			if code != 0 || stdout != "" {
				t.Fatalf("%s -h: exit %d, stdout %q", c.name, code, stdout)
			}
			head := "NAME\n    apibuilder " + c.name + " - " + c.summary + "\n\nSYNOPSIS\n    apibuilder " + c.name
			if !strings.HasPrefix(stderr, head) || !strings.Contains(stderr, c.usage) || !strings.HasSuffix(stderr, c.footer) {
				t.Errorf("%s -h does not print the table's row:\n%s", c.name, stderr)
			}
			_, help, _ := runArgs(append([]string{"help"}, strings.Fields(c.name)...)...)
			if help != stderr {
				t.Errorf("help %s differs from %s -h:\n%s", c.name, c.name, help)
			}
			fs := c.flagSet(&bytes.Buffer{})
			c.flags(fs)
			fs.VisitAll(func(f *flag.Flag) {
				if !strings.Contains(stderr, "  -"+f.Name) {
					t.Errorf("%s -h does not describe -%s", c.name, f.Name)
				}
			})
		})
	}
}

func TestHelpListsEveryVerb(t *testing.T) {
	code, stdout, _ := runArgs("help")
	if code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	for _, c := range commands {
		if !strings.Contains(stdout, "    "+c.name+" ") || !strings.Contains(stdout, c.summary) {
			t.Errorf("help does not list %q (%s):\n%s", c.name, c.summary, stdout)
		}
	}
	if _, h, _ := runArgs("-h"); h != stdout {
		t.Errorf("-h differs from help")
	}
	code, _, stderr := runArgs()
	if code != 2 || stderr != stdout {
		t.Errorf("no command: exit %d, want 2 and the list on stderr", code)
	}
}

func TestUnknownVerbsExit2WithAHint(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"genrate"}, `apibuilder: unknown command "genrate" (did you mean "generate"?); run "apibuilder help" for the commands`},
		{[]string{"frobnicate"}, `apibuilder: unknown command "frobnicate"; run "apibuilder help" for the commands`},
		{[]string{"local", "down"}, `apibuilder local: unknown command "down"; run "apibuilder local -h" for its commands`},
		{[]string{"help", "nope"}, `apibuilder help: unknown command "nope"`},
	} {
		code, stdout, stderr := runArgs(tc.args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
	if code, _, stderr := runArgs("generate", "-nope"); code != 2 || !strings.Contains(stderr, "flag provided but not defined: -nope") {
		t.Errorf("generate -nope: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runArgs("generate", "extra"); code != 2 || !strings.Contains(stderr, `apibuilder generate: unexpected argument "extra"`) {
		t.Errorf("generate extra: exit %d, %q", code, stderr)
	}
}

func TestVersion(t *testing.T) {
	_, want, _ := runArgs("version")
	if !strings.HasPrefix(want, "apibuilder ") {
		t.Fatalf("version: %q", want)
	}
	for _, args := range [][]string{{"-version"}, {"--version"}, {"generate", "-version"}} {
		if code, got, _ := runArgs(args...); code != 0 || got != want {
			t.Errorf("%v: exit %d, %q; want %q", args, code, got, want)
		}
	}
}

// TestLocalGroupListsItsVerbs: "local -h" lists local up and local tools.
func TestLocalGroupListsItsVerbs(t *testing.T) {
	code, stdout, _ := runArgs("local", "-h")
	if code != 0 || !strings.Contains(stdout, "apibuilder local up ") || !strings.Contains(stdout, "apibuilder local tools ") {
		t.Errorf("local -h: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := runArgs("local"); code != 2 || stderr != stdout {
		t.Errorf("local: exit %d, want 2 and the list on stderr", code)
	}
}

// TestInitThenGenerateInProcess: init writes a project that generates, and
// generate -check finds it up to date, both run in-process in a temp dir.
func TestInitThenGenerateInProcess(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	code, stdout, stderr := runArgs("init", "-module", "example.com/shop", dir)
	if code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, f := range []string{"routes.yaml", "go.mod", "envs/dev/main.tf", "envs/prod/main.tf"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init did not write %s: %v", f, err)
		}
	}
	if !strings.Contains(stdout, "apibuilder local up") {
		t.Errorf("init does not say what is next:\n%s", stdout)
	}
	code, stdout, stderr = runArgs("generate", "-config", filepath.Join(dir, "routes.yaml"), "-check")
	if code != 0 || stdout != "envs: up to date\n" {
		t.Errorf("generate -check after init: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := runArgs("init", dir); code != 1 || !strings.Contains(stderr, "apibuilder init: ") {
		t.Errorf("init into a project: exit %d, %q; want 1", code, stderr)
	}
}

// aliases are the mains that run a verb of apibuilder.
var aliases = []struct{ pkg, verb string }{{"./generator", "generate"}, {"./local", "local"}}

// TestAliasesAreOneCallIntoRun: each alias's main ends in the one call
// os.Exit(cli.Run(append([]string{"<verb>"}, os.Args[1:]...), ...)).
func TestAliasesAreOneCallIntoRun(t *testing.T) {
	for _, alias := range aliases {
		file := filepath.Join("..", "..", alias.pkg, "main.go")
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		want := `os.Exit(cli.Run(append([]string{"` + alias.verb + `"}, os.Args[1:]...), os.Stdin, os.Stdout, os.Stderr))`
		_, body, _ := strings.Cut(string(src), "func main() {\n")
		lines := strings.Split(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(body), "}")), "\n")
		if last := strings.TrimSpace(lines[len(lines)-1]); last != want || strings.Count(body, "cli.") != 1 {
			t.Errorf("%s: main does not end in the one call %s:\n%s", file, want, body)
		}
	}
}

// TestAliasesRunTheSameCommands: the built go run ./generator and go run
// ./local print apibuilder generate's and apibuilder local's manuals.
func TestAliasesRunTheSameCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("links both aliases (about 15 s); TestAliasesAreOneCallIntoRun checks their source")
	}
	bin := t.TempDir()
	for _, alias := range aliases {
		exe := filepath.Join(bin, filepath.Base(alias.pkg))
		build := exec.Command("go", "build", "-o", exe, alias.pkg)
		build.Dir = filepath.Join("..", "..")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", alias.pkg, err, out)
		}
		var out, errOut bytes.Buffer
		cmd := exec.Command(exe, "-h")
		cmd.Stdout, cmd.Stderr = &out, &errOut
		_ = cmd.Run()
		_, wantOut, wantErr := runArgs(alias.verb, "-h")
		if out.String() != wantOut || errOut.String() != wantErr || !strings.Contains(wantOut+wantErr, "apibuilder "+alias.verb) {
			t.Errorf("%s -h is not apibuilder %s -h:\n%s%s", alias.pkg, alias.verb, out.String(), errOut.String())
		}
	}
}

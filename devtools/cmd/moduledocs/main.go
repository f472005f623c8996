// Command moduledocs rewrites the Requirements, Resources, Inputs and
// Outputs tables of each Terraform module's README.md (between
// <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS -->) from the module's .tf
// files, so the tables never drift from the code. With -check it writes
// nothing and fails with a diff when a README is out of date (make lint).
//
//	go run ./devtools/cmd/moduledocs [-check] [module dir ...]
//
// Without directories it documents every directory under modules/.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/apibuilder/apibuilder/devtools/moduledocs"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("moduledocs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check", false, "write nothing; fail with a diff when a README is out of date")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./devtools/cmd/moduledocs [-check] [module dir ...]")
		fmt.Fprintln(stderr, "Rewrites the tables between <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS --> in each module's README.md.")
		fmt.Fprintln(stderr, "Without directories: every directory under modules/.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dirs := fs.Args()
	if len(dirs) == 0 {
		var err error
		if dirs, err = moduleDirs("modules"); err != nil {
			fmt.Fprintln(stderr, "moduledocs:", err)
			return 1
		}
	}
	failed := false
	for _, dir := range dirs {
		path, current, want, err := moduledocs.Readme(dir)
		if err != nil {
			fmt.Fprintln(stderr, "moduledocs:", err)
			failed = true
			continue
		}
		if bytes.Equal(current, want) {
			continue
		}
		if *check {
			fmt.Fprintf(stderr, "moduledocs: %s is out of date: run `%s`\n%s", path, moduledocs.Generator, moduledocs.Diff(path, current, want))
			failed = true
			continue
		}
		if err := os.WriteFile(path, want, 0o644); err != nil {
			fmt.Fprintln(stderr, "moduledocs:", err)
			failed = true
			continue
		}
		fmt.Fprintln(stdout, "wrote", path)
	}
	if failed {
		return 1
	}
	return 0
}

// moduleDirs lists the directories directly under root.
func moduleDirs(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("%w (run from the repository root, or name the module directories)", err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(root, e.Name()))
		}
	}
	sort.Strings(dirs)
	return dirs, nil
}

// Command genbuildmod writes the build modules the tool installer embeds
// (local/tools/buildmod/<tool>.mod and .sum): run by go generate in
// local/tools after a pinned version changes. It needs the Go module proxy
// and the checksum database; see tools.GenerateBuildModule for what it
// trusts. Arguments name the tools to regenerate (default: all).
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/apibuilder/apibuilder/local/tools"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "genbuildmod:", err)
		os.Exit(1)
	}
}

func run(names []string) error {
	for _, t := range tools.GoTools() {
		if len(names) > 0 && !slices.Contains(names, t.Name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "genbuildmod: %s %s@%s\n", t.Name, t.Module, t.Version)
		m, err := tools.GenerateBuildModule(context.Background(), t, os.Stderr)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join("buildmod", t.Name+".mod"), m.GoMod, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join("buildmod", t.Name+".sum"), m.GoSum, 0o644); err != nil {
			return err
		}
	}
	return nil
}

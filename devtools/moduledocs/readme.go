package moduledocs

import (
	"fmt"
	"os"
	"path/filepath"

	fileout "github.com/apibuilder/apibuilder/generator/output"
)

// Readme returns a module's README.md as it is on disk and as it should be.
func Readme(dir string) (path string, current, want []byte, err error) {
	m, err := Load(dir)
	if err != nil {
		return "", nil, nil, err
	}
	path = filepath.Join(dir, "README.md")
	current, err = os.ReadFile(path)
	if err != nil {
		return "", nil, nil, fmt.Errorf("%w: every module needs a README.md holding %s and %s", err, Begin, End)
	}
	want, err = Update(path, current, Markdown(m))
	if err != nil {
		return "", nil, nil, err
	}
	return path, current, want, nil
}

// Diff shows how want (from the .tf files) differs from got (on disk), as
// the generator's own -check shows its files.
func Diff(name string, got, want []byte) string { return fileout.Diff(name, got, want) }

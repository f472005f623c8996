package moduledocs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// maxDiffLines caps how much of a changed region Diff prints.
const maxDiffLines = 60

// Diff shows how want differs from got as one unified-style hunk: the common
// leading and trailing lines are trimmed and the rest is shown as -/+.
func Diff(name string, got, want []byte) string {
	g, w := lines(string(got)), lines(string(want))
	pre := 0
	for pre < len(g) && pre < len(w) && g[pre] == w[pre] {
		pre++
	}
	suf := 0
	for suf < len(g)-pre && suf < len(w)-pre && g[len(g)-1-suf] == w[len(w)-1-suf] {
		suf++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s (on disk)\n+++ %s (from the .tf files)\n", name, name)
	fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@\n", pre+1, len(g)-pre-suf, pre+1, len(w)-pre-suf)
	printed := 0
	emit := func(prefix string, ls []string) {
		for _, l := range ls {
			if printed == maxDiffLines {
				b.WriteString("... (diff truncated)\n")
			}
			printed++
			if printed <= maxDiffLines {
				b.WriteString(prefix + l + "\n")
			}
		}
	}
	emit("-", g[pre:len(g)-suf])
	emit("+", w[pre:len(w)-suf])
	return b.String()
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

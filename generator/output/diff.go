package output

import (
	"fmt"
	"strings"
)

// maxDiffLines caps how much of one changed region Diff prints.
const maxDiffLines = 40

// Diff describes how got differs from want as one unified-style hunk: the
// common leading and trailing lines are trimmed (linear time, so it stays
// fast on files with thousands of routes) and the rest is shown as -/+.
func Diff(name string, want, got []byte) string {
	w, g := splitLines(string(want)), splitLines(string(got))
	pre := 0
	for pre < len(w) && pre < len(g) && w[pre] == g[pre] {
		pre++
	}
	suf := 0
	for suf < len(w)-pre && suf < len(g)-pre && w[len(w)-1-suf] == g[len(g)-1-suf] {
		suf++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s (on disk)\n+++ %s (generated)\n", name, name)
	fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@\n", pre+1, len(w)-pre-suf, pre+1, len(g)-pre-suf)
	printed := 0
	emit := func(prefix string, lines []string) {
		for _, l := range lines {
			if printed == maxDiffLines {
				b.WriteString("... (diff truncated)\n")
			}
			if printed >= maxDiffLines {
				printed++
				continue
			}
			b.WriteString(prefix + l + "\n")
			printed++
		}
	}
	emit("-", w[pre:len(w)-suf])
	emit("+", g[pre:len(g)-suf])
	return b.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

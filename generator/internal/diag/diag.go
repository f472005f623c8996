// Package diag holds positioned errors about routes.yaml: each names the
// file, line and column, the field, what is wrong and what to do.
package diag

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a 1-based position in the YAML file; zero means unknown.
type Pos struct {
	Line, Col int
}

// Diagnostic is one error about the input.
type Diagnostic struct {
	File    string
	Pos     Pos
	Field   string // e.g. routes[3].path
	Message string // what is wrong
	Hint    string // what to do; may be empty
}

func (d Diagnostic) Error() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Pos.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", d.Pos.Line, d.Pos.Col)
	}
	b.WriteString(": ")
	if d.Field != "" {
		b.WriteString(d.Field)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	if d.Hint != "" {
		b.WriteString("; ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// List collects diagnostics so that one run reports every problem.
type List struct {
	File  string
	Items []Diagnostic
}

// Add records an error at pos.
func (l *List) Add(pos Pos, field, msg, hint string) {
	l.Items = append(l.Items, Diagnostic{File: l.File, Pos: pos, Field: field, Message: msg, Hint: hint})
}

// Len is the number of diagnostics.
func (l *List) Len() int { return len(l.Items) }

// Sorted returns the diagnostics ordered by position, then text.
func (l *List) Sorted() []Diagnostic {
	out := append([]Diagnostic(nil), l.Items...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		return a.Error() < b.Error()
	})
	return out
}

// Err returns nil when the list is empty, otherwise an error listing every
// diagnostic on its own line, sorted by position.
func (l *List) Err() error {
	if len(l.Items) == 0 {
		return nil
	}
	return &Error{Items: l.Sorted()}
}

// Error is a non-empty, sorted set of diagnostics.
type Error struct {
	Items []Diagnostic
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Items))
	for i, d := range e.Items {
		lines[i] = d.Error()
	}
	return strings.Join(lines, "\n")
}

// Suggest returns the candidate closest to word when it is close enough to be
// a likely typo (Levenshtein distance below 3), or "".
func Suggest(word string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := levenshtein(strings.ToLower(word), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

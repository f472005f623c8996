package config

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/apibuilder/apibuilder/generator/internal/diag"
)

// maxSyntaxErrors caps how many YAML syntax errors one run reports.
const maxSyntaxErrors = 10

// syntaxErrors reports the YAML syntax errors of data, each at the line
// (and column) of the text that breaks the syntax, where yaml.v3 on its own
// names the start of the enclosing block, one line early, and stops at the
// first error.
//
// yaml.v3 keeps the position of the offending token to itself, so it is
// found by asking the parser about prefixes of the file: the first prefix
// that fails with the same problem ends at the offending text, because the
// parser reads the file front to back and fails as soon as it reads it.
// To report further errors, the offending line (and the lines indented below
// it) is blanked and the file parsed again, but only while the text before
// the blanked lines is well-formed on its own, so that a cut never invents
// an error of its own.
func syntaxErrors(data []byte, first error) []diag.Diagnostic {
	var out []diag.Diagnostic
	text := append([]byte(nil), data...)
	err := first
	after := 0 // every further error must be below this line
	for err != nil && len(out) < maxSyntaxErrors {
		problem, reported := splitYAMLError(err)
		p, at := locate(text, problem, reported)
		if len(out) > 0 && p.Line <= after {
			break
		}
		var c byte
		if at < len(text) {
			c = text[at]
		}
		out = append(out, diag.Diagnostic{Pos: p, Message: "not valid YAML: " + problem, Hint: syntaxHint(problem, c, p.Col == firstCol(text, p.Line), isOpenAt(text, at))})
		next, cutEnd, ok := blankFrom(text, p.Line)
		if !ok || parseErr(next[:cutEnd]) != nil {
			break
		}
		text, after = next, p.Line
		err = parseErr(text)
	}
	return out
}

// parseErr parses data as the generator does and returns the syntax error.
func parseErr(data []byte) error {
	var doc yaml.Node
	return yaml.Unmarshal(data, &doc)
}

// splitYAMLError splits "yaml: line N: problem" into the problem and N (0
// when there is no line).
func splitYAMLError(err error) (problem string, line int) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, found := strings.Cut(rest, ": "); found {
			if _, scanErr := fmt.Sscanf(n, "%d", &line); scanErr == nil {
				return after, line
			}
		}
	}
	return msg, 0
}

// locate finds where the problem is: the shortest prefix of data that fails
// with the same problem ends at the offending character. yaml.v3's line is a
// lower bound (for errors inside a block it is the line before the block's
// start), so the search starts there and grows the prefix line by line
// (doubling, then halving), then halves within the line: a few dozen parses
// for a file of thousands of lines. It returns the position and its offset.
func locate(data []byte, problem string, reported int) (diag.Pos, int) {
	starts := lineStarts(data)
	n := len(starts)
	lineEnd := func(l int) int { // offset just past line l (1-based), newline included
		if l >= n {
			return len(data)
		}
		return starts[l]
	}
	pos := func(at int) (diag.Pos, int) {
		at = max(min(at, len(data)-1), 0)
		line := sort.Search(n, func(i int) bool { return starts[i] > at })
		return diag.Pos{Line: line, Col: utf8.RuneCount(data[starts[line-1]:at]) + 1}, at
	}
	// A list or mapping left open: yaml.v3 names the line before the one
	// that opened it (or, when that is the first line, the problem's line).
	// When that line closes what it opens, the problem is a token inside.
	open := flowOpener(problem)
	if open != 0 {
		for _, l := range []int{reported + 1, 1} {
			if l > n {
				continue
			}
			start, end := starts[l-1], lineEnd(l)
			if at, ok := unclosed(data[start:end], open); ok {
				return pos(start + at)
			}
			if at, ok := insideFlow(data, start, end, problem); ok {
				return pos(at)
			}
		}
	}
	fails := func(end int) bool {
		err := parseErr(data[:end])
		if err == nil {
			return false
		}
		p, _ := splitYAMLError(err)
		return p == problem
	}
	lo := max(reported, 1) - 1 // lines 1..lo are known to parse without this problem
	if lo > 0 && fails(lineEnd(lo)) {
		lo = 0
	}
	hi, step := lo+1, 1
	for hi < n && !fails(lineEnd(hi)) {
		lo = hi
		step *= 2
		hi = min(lo+step, n)
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if fails(lineEnd(mid)) {
			hi = mid
		} else {
			lo = mid
		}
	}
	start, end := starts[hi-1], lineEnd(hi)
	text := data[start:end]
	lineStart := start + len(text) - len(bytes.TrimLeft(text, " "))
	if open != 0 {
		if at, ok := unclosed(text, open); ok {
			return pos(start + at)
		}
	}
	// The same halving within the line: at is the last character of the
	// shortest failing prefix.
	at := -1
	if fails(end) {
		l, h := start, end // fails(h) and, as far as is known, not fails(l)
		for h-l > 1 {
			mid := (l + h) / 2
			if fails(mid) {
				h = mid
			} else {
				l = mid
			}
		}
		at = h - 1
	}
	switch {
	case at < 0, problemAtLineStart(problem):
		at = lineStart
	case problem == "mapping values are not allowed in this context" && bytes.IndexByte(data[lineStart:at], ':') < 0:
		// The line's own key: the line is a key indented under a value.
		at = lineStart
	}
	return pos(at)
}

// flowOpener is the bracket a problem says was left open, or 0.
func flowOpener(problem string) byte {
	switch problem {
	case "did not find expected ',' or ']'":
		return '['
	case "did not find expected ',' or '}'":
		return '{'
	}
	return 0
}

// unclosed finds the last bracket open left unclosed at the end of line.
func unclosed(line []byte, open byte) (int, bool) {
	stack := openBrackets(line)
	for j := len(stack) - 1; j >= 0; j-- {
		if line[stack[j]] == open {
			return stack[j], true
		}
	}
	return 0, false
}

// openBrackets lists the offsets of the brackets text leaves open, outside
// quoted strings and comments, outermost first.
func openBrackets(text []byte) []int {
	var stack []int
	for i := 0; i < len(text); i++ {
		c := text[i]
		atTokenStart := i == 0 || bytes.IndexByte([]byte(" \t[{,:"), text[i-1]) >= 0
		switch {
		case (c == '"' || c == '\'') && atTokenStart:
			for i++; i < len(text) && text[i] != c; i++ {
				if c == '"' && text[i] == '\\' {
					i++
				}
			}
		case c == '#' && atTokenStart:
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == '[' || c == '{':
			stack = append(stack, i)
		case (c == ']' || c == '}') && len(stack) > 0:
			stack = stack[:len(stack)-1]
		}
	}
	return stack
}

// insideFlow finds a token that breaks a list or mapping which opens and
// closes on the line from start to end (e.g. the { of /items/{id} inside
// { path: /items/{id} }): the shortest prefix that still fails with the
// same problem once the brackets it leaves open are closed ends at it.
// Closing them keeps the parser from failing merely at the end of the text.
func insideFlow(data []byte, start, end int, problem string) (int, bool) {
	fails := func(at int) bool {
		text := append([]byte(nil), data[:at]...)
		stack := openBrackets(data[start:at])
		for j := len(stack) - 1; j >= 0; j-- {
			if data[start+stack[j]] == '[' {
				text = append(text, ']')
			} else {
				text = append(text, '}')
			}
		}
		err := parseErr(text)
		if err == nil {
			return false
		}
		p, _ := splitYAMLError(err)
		return p == problem
	}
	if !fails(end) {
		return 0, false
	}
	l, h := start, end
	for h-l > 1 {
		mid := (l + h) / 2
		if fails(mid) {
			h = mid
		} else {
			l = mid
		}
	}
	return h - 1, true
}

// problemAtLineStart reports problems that are about the line as a whole
// (its indentation), best shown at its first character.
func problemAtLineStart(problem string) bool {
	switch problem {
	case "did not find expected key", "did not find expected '-' indicator", "found a tab character that violates indentation",
		"found a tab character where an indentation space is expected":
		return true
	}
	return false
}

// isOpenAt says the bracket at offset at is never closed on its line.
func isOpenAt(data []byte, at int) bool {
	start := bytes.LastIndexByte(data[:at], '\n') + 1
	end := bytes.IndexByte(data[at:], '\n')
	if end < 0 {
		end = len(data)
	} else {
		end += at
	}
	for _, i := range openBrackets(data[start:end]) {
		if start+i == at {
			return true
		}
	}
	return false
}

// firstCol is the column of the first character of line l that is not a space.
func firstCol(data []byte, l int) int {
	starts := lineStarts(data)
	if l < 1 || l > len(starts) {
		return 0
	}
	line := data[starts[l-1]:]
	return len(line) - len(bytes.TrimLeft(line, " ")) + 1
}

func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' && i+1 < len(data) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// blankFrom empties line l (1-based) and the lines after it that are indented
// deeper (its children), keeping every line break so that positions stay.
// It returns the new text and the offset just past the blanked lines, or
// false when there is nothing to blank.
func blankFrom(data []byte, l int) ([]byte, int, bool) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if l < 1 || l > len(lines) {
		return nil, 0, false
	}
	indent := func(s []byte) int { // a tab counts as 8 columns
		n := 0
		for _, c := range s {
			switch c {
			case ' ':
				n++
			case '\t':
				n += 8
			default:
				return n
			}
		}
		return n
	}
	blank := func(s []byte) bool { return len(bytes.TrimSpace(s)) == 0 }
	depth := indent(lines[l-1])
	last := l
	for last < len(lines) && (blank(lines[last]) || indent(lines[last]) > depth) {
		last++
	}
	for last > l && blank(lines[last-1]) { // keep trailing blank lines out of the cut
		last--
	}
	var out bytes.Buffer
	end := 0
	for i, s := range lines {
		if i >= l-1 && i < last {
			if bytes.HasSuffix(s, []byte("\n")) {
				out.WriteByte('\n')
			}
		} else {
			out.Write(s)
		}
		if i == last-1 {
			end = out.Len()
		}
	}
	return out.Bytes(), end, true
}

// syntaxHint says what to do about the usual mistakes.
// keyLine says the problem is at the start of its line.
// opener says the character is a bracket left open.
func syntaxHint(problem string, c byte, keyLine, opener bool) string {
	switch {
	case strings.Contains(problem, "tab character"), problem == "found character that cannot start any token" && c == '\t':
		return "indent with spaces; YAML does not allow tabs for indentation"
	case problem == "did not find expected key", problem == "did not find expected '-' indicator":
		return "this line is indented differently from the lines of the block it belongs to; line it up with its siblings"
	case problem == "mapping values are not allowed in this context" && keyLine:
		return "this key is indented deeper than the keys around it, so it reads as part of the value above; line it up with its siblings"
	case problem == "mapping values are not allowed in this context":
		return `a plain value cannot hold ": "; quote the value, e.g. description: "a: b"`
	case problem == "could not find expected ':'":
		return "write the key as key: value"
	case flowOpener(problem) != 0 && !keyLine && (c == '[' || c == '{') && !opener:
		return `a [ or { inside a [ ] list or { } mapping starts another one; quote the value, e.g. path: "/items/{id}"`
	case problem == "did not find expected ',' or ']'":
		return "close the list with ] or separate its items with ,"
	case problem == "did not find expected ',' or '}'":
		return "close the mapping with } or separate its entries with ,"
	case problem == "found unexpected end of stream":
		return "close the quoted string that starts on this line"
	case strings.Contains(problem, "UTF-8"), strings.Contains(problem, "control characters"), strings.Contains(problem, "Unicode"):
		return "save the file as UTF-8 text and remove the control character or stray byte there"
	case strings.HasPrefix(problem, "unknown anchor"):
		return "define the anchor (&name) before using it (*name)"
	}
	return "fix the syntax at that line"
}

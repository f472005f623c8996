// Package doccheck keeps the documentation honest. README.md,
// CONTRIBUTING.md and docs/**/*.md name files, packages and commands of
// this repository; a move or a rename leaves them stale without anyone
// noticing, because nothing compiles a doc. Check reads every doc and
// reports what no longer holds: relative links (and their #anchors) to
// files that do not exist, repository paths in backticks that do not
// exist, `go run ./x` where ./x is not a main package, and
// `apibuilder <verb>` where the verb is not in the command table (or is
// only planned, and the line does not say so). The package's test runs
// Check on this repository, so `go test -short ./...` fails on a stale doc.
package doccheck

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/apibuilder/apibuilder/internal/cli"
)

// Status says whether a verb of the apibuilder command works today.
type Status int

const (
	// Implemented verbs may be documented as working.
	Implemented Status = iota
	// Planned verbs are agreed but not built: a doc may name one only on a
	// line that says "planned", never as something that works.
	Planned
)

// Verbs is the command table as the docs may use it: every verb they may
// write after `apibuilder`, and whether it works today. A verb that is
// both planned and built counts as built.
func Verbs() map[string]Status {
	verbs := map[string]Status{}
	for _, v := range PlannedVerbs {
		verbs[v] = Planned
	}
	for _, v := range BuiltVerbs() {
		verbs[v] = Implemented
	}
	return verbs
}

// BuiltVerbs are the verbs of the apibuilder command's one table
// (internal/cli), so a verb added to or removed from the CLI is checked
// with no second list.
func BuiltVerbs() []string {
	return cli.Verbs()
}

// PlannedVerbs are verbs agreed but not built: a doc may name one only on a
// line that says "planned". A verb may stay here after it is built
// (BuiltVerbs wins), but should leave once it has.
var PlannedVerbs = []string{
	"rollback", // issue 27
}

// Pending lists repository paths the docs already name that other branches
// of issue 23 create (the CLI package, the Terraform driver, the target
// package, and the pages of the install and pipeline work). A pending path
// is not reported as missing; once it exists it is reported as no longer
// pending, so this list empties as those branches merge.
var Pending = []string{}

// Problem is one stale statement: where it is and what is wrong.
type Problem struct {
	File string // relative to the repository root, slash-separated
	Line int
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// Files returns the docs Check reads, relative to root and slash-separated:
// README.md, CONTRIBUTING.md and every .md file under docs/, sorted.
func Files(root string) ([]string, error) {
	var files []string
	for _, f := range []string{"README.md", "CONTRIBUTING.md"} {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			files = append(files, f)
		} else if !os.IsNotExist(err) {
			return nil, err
		}
	}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	sort.Strings(files)
	return files, nil
}

// Check reads every file of Files(root) and returns every problem found,
// in file and line order. verbs is the command table (see Verbs).
func Check(root string, verbs map[string]Status) ([]Problem, error) {
	files, err := Files(root)
	if err != nil {
		return nil, err
	}
	c := &checker{root: root, verbs: verbs, anchors: map[string]map[string]bool{}, mains: map[string]bool{}}
	if c.top, err = topLevel(root); err != nil {
		return nil, err
	}
	for _, p := range Pending {
		if c.exists(p) {
			c.add("devtools/doccheck/doccheck.go", 0, fmt.Sprintf("%s exists now: delete it from Pending", p))
		}
	}
	for _, f := range files {
		if err := c.file(f); err != nil {
			return nil, err
		}
	}
	return c.problems, nil
}

type checker struct {
	root     string
	verbs    map[string]Status
	top      map[string]bool            // first path segments that are repository entries
	anchors  map[string]map[string]bool // doc -> its anchors
	mains    map[string]bool            // dir -> is a main package
	problems []Problem
}

func (c *checker) add(file string, line int, msg string) {
	c.problems = append(c.problems, Problem{File: file, Line: line, Msg: msg})
}

var (
	codeSpan = regexp.MustCompile("`([^`]+)`")
	// [text](target "title"); images too.
	inlineLink = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	refLink    = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*(\S+)`)
	repoPath   = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/?$`)
	goRun      = regexp.MustCompile(`go run (\./[A-Za-z0-9_./-]*)`)
	verbUse    = regexp.MustCompile(`(?:^|[\s(|;&]|cmd/)apibuilder\s+([a-z][a-z0-9-]*)`)
	scheme     = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// file checks one doc.
func (c *checker) file(name string) error {
	data, err := os.ReadFile(filepath.Join(c.root, filepath.FromSlash(name)))
	if err != nil {
		return err
	}
	fence := ""
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
				continue
			}
			c.commands(name, n, line)
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			continue
		}
		for _, m := range codeSpan.FindAllStringSubmatch(line, -1) {
			c.commands(name, n, m[1])
			c.path(name, n, m[1])
		}
		prose := codeSpan.ReplaceAllString(line, "``")
		for _, m := range inlineLink.FindAllStringSubmatch(prose, -1) {
			c.link(name, n, m[1])
		}
		if m := refLink.FindStringSubmatch(prose); m != nil {
			c.link(name, n, m[1])
		}
	}
	return sc.Err()
}

// commands checks `go run ./x` and `apibuilder <verb>` in code.
func (c *checker) commands(file string, line int, code string) {
	for _, m := range goRun.FindAllStringSubmatch(code, -1) {
		dir := strings.TrimRight(strings.TrimPrefix(m[1], "./"), "/.")
		if dir == "" || strings.Contains(dir, "...") {
			continue
		}
		if !c.isMain(dir) {
			c.add(file, line, fmt.Sprintf("go run ./%s: ./%s is not a main package of this repository", dir, dir))
		}
	}
	for _, m := range verbUse.FindAllStringSubmatch(code, -1) {
		verb := m[1]
		status, ok := c.verbs[verb]
		switch {
		case !ok:
			c.add(file, line, fmt.Sprintf("apibuilder %s: no such command (the command table has %s)", verb, strings.Join(sortedKeys(c.verbs), ", ")))
		case status == Planned:
			c.planned(file, line, verb)
		}
	}
}

// planned reports a planned verb unless its whole line (not only the code
// span naming it) says "planned".
func (c *checker) planned(file string, line int, verb string) {
	text, err := c.lineOf(file, line)
	if err == nil && strings.Contains(strings.ToLower(text), "planned") {
		return
	}
	c.add(file, line, fmt.Sprintf("apibuilder %s is planned, not built: say \"planned\" on this line, or do not document it", verb))
}

func (c *checker) lineOf(file string, line int) (string, error) {
	data, err := os.ReadFile(filepath.Join(c.root, filepath.FromSlash(file)))
	if err != nil {
		return "", err
	}
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		return "", fmt.Errorf("no line %d", line)
	}
	return lines[line-1], nil
}

// path checks a code span that names a repository path.
func (c *checker) path(file string, line int, span string) {
	p := strings.TrimPrefix(span, "./")
	if !strings.Contains(p, "/") || !repoPath.MatchString(p) {
		return
	}
	p = strings.TrimSuffix(p, "/")
	first, _, _ := strings.Cut(p, "/")
	if !c.top[first] && !pendingPrefix(first) {
		return // not a path of this repository (a URL, a provider, a user's project)
	}
	if c.exists(p) || pending(p) {
		return
	}
	c.add(file, line, fmt.Sprintf("`%s`: no such file or directory in the repository", span))
}

// link checks a link target: a relative file must exist, and an #anchor
// into a markdown file must be one of its headings.
func (c *checker) link(file string, line int, target string) {
	if scheme.MatchString(target) {
		return // http:, https:, mailto:
	}
	target, anchor, _ := strings.Cut(target, "#")
	var rel string
	switch {
	case target == "":
		rel = file
	case strings.HasPrefix(target, "/"):
		rel = path.Clean(strings.TrimPrefix(target, "/"))
	default:
		rel = path.Clean(path.Join(path.Dir(file), target))
	}
	if strings.HasPrefix(rel, "../") || rel == ".." {
		c.add(file, line, fmt.Sprintf("link %q leads outside the repository", target))
		return
	}
	if !c.exists(rel) {
		if pending(rel) {
			return
		}
		c.add(file, line, fmt.Sprintf("link %q: %s does not exist", target, rel))
		return
	}
	if anchor == "" || !strings.HasSuffix(rel, ".md") {
		return
	}
	anchors, err := c.anchorsOf(rel)
	if err != nil {
		c.add(file, line, fmt.Sprintf("link %q: %v", target+"#"+anchor, err))
		return
	}
	if !anchors[strings.ToLower(anchor)] {
		c.add(file, line, fmt.Sprintf("link %q: %s has no heading with anchor #%s", target+"#"+anchor, rel, anchor))
	}
}

func (c *checker) exists(rel string) bool {
	_, err := os.Stat(filepath.Join(c.root, filepath.FromSlash(rel)))
	return err == nil
}

// isMain reports whether dir holds a main package (a non-test .go file
// whose package clause is main).
func (c *checker) isMain(dir string) bool {
	if v, ok := c.mains[dir]; ok {
		return v
	}
	main := false
	entries, _ := os.ReadDir(filepath.Join(c.root, filepath.FromSlash(dir)))
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(c.root, filepath.FromSlash(dir), n), nil, parser.PackageClauseOnly)
		if err == nil && f.Name.Name == "main" {
			main = true
			break
		}
	}
	c.mains[dir] = main
	return main
}

// anchorsOf returns the anchors GitHub gives a markdown file's headings
// (and any <a id|name="..."> in it).
func (c *checker) anchorsOf(rel string) (map[string]bool, error) {
	if a, ok := c.anchors[rel]; ok {
		return a, nil
	}
	data, err := os.ReadFile(filepath.Join(c.root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	c.anchors[rel] = Anchors(string(data))
	return c.anchors[rel], nil
}

var htmlAnchor = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)

// Anchors returns the anchors of a markdown document as GitHub makes them:
// each heading lowercased, punctuation dropped, spaces as hyphens, a
// repeated one suffixed -1, -2, ...
func Anchors(doc string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	fence := ""
	for _, line := range strings.Split(doc, "\n") {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			continue
		}
		for _, m := range htmlAnchor.FindAllStringSubmatch(line, -1) {
			out[strings.ToLower(m[1])] = true
		}
		if !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimLeft(line, "#")
		if text != "" && text[0] != ' ' {
			continue // #hashtag, not a heading
		}
		slug := Slug(text)
		if n, ok := seen[slug]; ok {
			seen[slug] = n + 1
			slug = fmt.Sprintf("%s-%d", slug, n+1)
		} else {
			seen[slug] = 0
		}
		out[slug] = true
	}
	return out
}

var mdLink = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// Slug is GitHub's anchor for a heading's text.
func Slug(heading string) string {
	heading = mdLink.ReplaceAllString(strings.TrimSpace(heading), "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

// topLevel returns the repository's top-level entries a doc may name as
// the first segment of a path: every entry of root but dot entries and
// the ignored build output.
func topLevel(root string) (map[string]bool, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	top := map[string]bool{}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") || n == "build" {
			continue
		}
		top[n] = true
	}
	return top, nil
}

func pending(p string) bool {
	for _, q := range Pending {
		if p == q || strings.HasPrefix(p, q+"/") {
			return true
		}
	}
	return false
}

func pendingPrefix(first string) bool {
	for _, q := range Pending {
		if f, _, _ := strings.Cut(q, "/"); f == first {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]Status) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

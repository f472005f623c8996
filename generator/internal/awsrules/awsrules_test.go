package awsrules

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/testkit"
)

const root = "../../.."

// TestDoc: docs/aws-rules.md is the table rendered; -update rewrites it.
func TestDoc(t *testing.T) {
	testkit.Golden(t, filepath.Join(root, DocPath), Markdown())
}

// TestTable: every rule is complete, has an AWS (or Go, or YAML) source,
// and an error case that exists and fails with the rule's own message;
// every check of this package is in the table.
func TestTable(t *testing.T) {
	ids := map[string]bool{}
	idRe := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	checks := map[string]bool{}
	for _, r := range Rules {
		if !idRe.MatchString(r.ID) || ids[r.ID] {
			t.Errorf("rule %q: ids are unique, lowercase words joined by '-'", r.ID)
		}
		ids[r.ID] = true
		if r.Class == "" || r.Resource == "" || r.Keys == "" || r.Requires == "" || r.Case == "" || r.Says == "" {
			t.Errorf("rule %s is incomplete: %+v", r.ID, r)
		}
		if !strings.HasPrefix(r.Source, "https://docs.aws.amazon.com/") && !strings.HasPrefix(r.Source, "https://go.dev/") &&
			!strings.HasPrefix(r.Source, "https://pkg.go.dev/") && !strings.HasPrefix(r.Source, "https://yaml.org/") {
			t.Errorf("rule %s: source %q is not AWS's (or Go's, or YAML's) documentation", r.ID, r.Source)
		}
		if (r.Check == nil) == (r.Where == "") {
			t.Errorf("rule %s: give a check or say where it is checked, not both", r.ID)
		}
		if r.Check != nil {
			checks[runtime.FuncForPC(reflect.ValueOf(r.Check).Pointer()).Name()] = true
		}
		if file, ok := testFiles[r.Case]; ok {
			data, err := os.ReadFile(filepath.Join(root, file))
			if err != nil {
				t.Errorf("rule %s: %v", r.ID, err)
			} else if !strings.Contains(string(data), "func "+r.Case+"(") || !strings.Contains(string(data), r.Says) {
				t.Errorf("rule %s: %s has no %s asserting %q", r.ID, file, r.Case, r.Says)
			}
			continue
		}
		dir := filepath.Join(root, CaseDir, r.Case)
		if _, err := os.Stat(filepath.Join(dir, "routes.yaml")); err != nil {
			t.Errorf("rule %s: no error case: %v", r.ID, err)
			continue
		}
		stderr, err := os.ReadFile(filepath.Join(dir, "stderr.txt"))
		if err != nil || !strings.Contains(string(stderr), r.Says) {
			t.Errorf("rule %s: %s/stderr.txt does not say %q", r.ID, r.Case, r.Says)
		}
	}
	src, err := os.ReadFile("checks.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^func (check\w+)\(`).FindAllStringSubmatch(string(src), -1) {
		if !checks["github.com/apibuilder/apibuilder/generator/internal/awsrules."+m[1]] {
			t.Errorf("%s is in no rule of the table", m[1])
		}
	}
}

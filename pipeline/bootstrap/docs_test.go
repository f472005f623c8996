package bootstrap

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apibuilder/apibuilder/generator/output"
)

// TestDocsShowThePolicies: docs/pipeline.md shows every policy template
// byte for byte (the end-to-end test then compares IAM's copies with the
// doc's blocks).
func TestDocsShowThePolicies(t *testing.T) {
	md, err := os.ReadFile(filepath.Join("..", "..", "docs", "pipeline.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := DocPolicies(md)
	if err != nil {
		t.Fatalf("docs/pipeline.md: %v", err)
	}
	for _, name := range PolicyNames {
		got, ok := blocks[name]
		if !ok {
			t.Errorf("docs/pipeline.md does not show the policy %s (<!-- policy: %s --> before a ```json block)", name, name)
			continue
		}
		if got != Policy(name) {
			t.Errorf("docs/pipeline.md's %s differs from the template (-doc +template):\n%s", name, output.Diff(name, []byte(got), []byte(Policy(name))))
		}
	}
	if got := blocks[DynamoLockStatementName]; got != dynamoLockStatement+"\n" {
		t.Errorf("docs/pipeline.md's %s differs from the statement (-doc +statement):\n%s", DynamoLockStatementName, output.Diff(DynamoLockStatementName, []byte(got), []byte(dynamoLockStatement+"\n")))
	}
	for name := range blocks {
		if !slices.Contains(PolicyNames, name) && name != DynamoLockStatementName {
			t.Errorf("docs/pipeline.md shows a policy %s that bootstrap does not write", name)
		}
	}
}

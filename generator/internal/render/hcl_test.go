package render

import (
	"strings"
	"testing"
)

// The direct token builders must give exactly what parsing gives.
func TestFastExpressionsMatchTheParser(t *testing.T) {
	for _, src := range []string{
		`var.routes["create_item"].memory_mb`,
		`module.api.resource_ids["/items/{id}"]`,
		`module.route_x.fingerprint`,
		`aws_dynamodb_table.items.arn`,
		`local.name_prefix`,
		`"${local.name_prefix}-get_item"`,
		`"${path.root}/../../build/functions/x.zip"`,
		`"${aws_dynamodb_table.items.arn}/index/*"`,
		`"arn=${aws_dynamodb_table.audit.arn};v=1"`,
		`"${var.api_name}-${var.environment}"`,
	} {
		fast, ok := traversalTokens(src)
		if !ok {
			fast, ok = templateTokens(src)
		}
		if !ok {
			t.Errorf("%s: no fast path", src)
			continue
		}
		if got, want := strings.TrimSpace(string(fast.Bytes())), strings.TrimSpace(string(parseExpr(src).Bytes())); got != want {
			t.Errorf("%s: fast path gives %q, parser gives %q", src, got, want)
		}
	}
	for _, src := range []string{`file("x")`, `{ a = 1 }`, `"a\"b"`, `var.x[0]`, `"${a + b}"`, `"50%{x}"`} {
		if _, ok := traversalTokens(src); ok {
			t.Errorf("%s: taken as a traversal", src)
		}
		if _, ok := templateTokens(src); ok {
			t.Errorf("%s: taken as a simple template", src)
		}
	}
}

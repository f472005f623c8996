package render

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Previous is what an earlier run generated for one environment.
type Previous struct {
	// Routes maps "METHOD path" to the route name it had.
	Routes map[string]string
	// Moves are the moved blocks already generated (from -> to route names).
	Moves map[string]string
	// Names are the AWS names the functions were generated with, by module
	// label (route_<name>, authorizer_<name>): the <suffix> of
	// name = "${local.name_prefix}-<suffix>". A renamed route keeps its
	// suffix, so main.tf is the record of it across runs.
	Names map[string]string
}

// ReadPrevious reads envDir's generated main.tf and moved.tf, if any. Files
// without the generated header are not ours and are ignored.
func ReadPrevious(envDir string) Previous {
	p := Previous{Routes: map[string]string{}, Moves: map[string]string{}, Names: map[string]string{}}
	if body := parseGenerated(filepath.Join(envDir, "main.tf")); body != nil {
		for _, b := range body.Blocks {
			if b.Type != "module" || len(b.Labels) != 1 {
				continue
			}
			label := b.Labels[0]
			if !strings.HasPrefix(label, "route_") && !strings.HasPrefix(label, "authorizer_") {
				continue
			}
			if n, ok := nameSuffix(b.Body); ok {
				p.Names[label] = n
			}
			if !strings.HasPrefix(label, "route_") {
				continue
			}
			method, okM := literal(b.Body, "http_method")
			path, okP := literal(b.Body, "resource_path")
			if okM && okP {
				p.Routes[method+" "+path] = b.Labels[0][6:]
			}
		}
	}
	if body := parseGenerated(filepath.Join(envDir, "moved.tf")); body != nil {
		for _, b := range body.Blocks {
			if b.Type != "moved" {
				continue
			}
			from, okF := traversalRoute(b.Body, "from")
			to, okT := traversalRoute(b.Body, "to")
			if okF && okT {
				p.Moves[from] = to
			}
		}
	}
	return p
}

func parseGenerated(path string) *hclsyntax.Body {
	src, err := os.ReadFile(path)
	if err != nil || !IsGenerated(src) {
		return nil
	}
	f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if diags.HasErrors() {
		return nil
	}
	body, _ := f.Body.(*hclsyntax.Body)
	return body
}

// IsGenerated reports whether a file was written by the generator.
func IsGenerated(src []byte) bool {
	return len(src) >= len(Header) && string(src[:len(Header)]) == Header
}

func literal(body *hclsyntax.Body, name string) (string, bool) {
	a, ok := body.Attributes[name]
	if !ok {
		return "", false
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String || !v.IsKnown() || v.IsNull() {
		return "", false
	}
	return v.AsString(), true
}

// nameSuffix reads <suffix> from name = "${local.name_prefix}-<suffix>".
func nameSuffix(body *hclsyntax.Body) (string, bool) {
	a, ok := body.Attributes["name"]
	if !ok {
		return "", false
	}
	t, ok := a.Expr.(*hclsyntax.TemplateExpr)
	if !ok || len(t.Parts) != 2 {
		return "", false
	}
	ref, ok := t.Parts[0].(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(ref.Traversal) != 2 || ref.Traversal.RootName() != "local" {
		return "", false
	}
	if attr, ok := ref.Traversal[1].(hcl.TraverseAttr); !ok || attr.Name != "name_prefix" {
		return "", false
	}
	v, diags := t.Parts[1].Value(nil)
	if diags.HasErrors() || v.Type() != cty.String || !v.IsKnown() || v.IsNull() {
		return "", false
	}
	suffix, ok := strings.CutPrefix(v.AsString(), "-")
	return suffix, ok && suffix != ""
}

func traversalRoute(body *hclsyntax.Body, name string) (string, bool) {
	a, ok := body.Attributes[name]
	if !ok {
		return "", false
	}
	t, ok := a.Expr.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(t.Traversal) != 2 || t.Traversal.RootName() != "module" {
		return "", false
	}
	attr, ok := t.Traversal[1].(hcl.TraverseAttr)
	if !ok || len(attr.Name) <= 6 || attr.Name[:6] != "route_" {
		return "", false
	}
	return attr.Name[6:], true
}

// moved emits a moved block for every route whose method and path stayed
// while its name changed, and keeps earlier moves whose target still exists
// (following chains a -> b -> c), so state follows a rename even when the
// generator runs several times before an apply.
func (r *envRenderer) moved(prev Previous) []byte {
	current := map[string]string{} // "METHOD path" -> name
	names := map[string]bool{}
	for _, rt := range r.m.Routes {
		current[rt.Method+" "+rt.Path] = rt.Name
		names[rt.Name] = true
	}
	moves := map[string]string{}
	for from, to := range prev.Moves {
		moves[from] = to
	}
	for endpoint, old := range prev.Routes {
		if now, ok := current[endpoint]; ok && now != old && !names[old] {
			moves[old] = now
		}
	}
	// Resolve chains up to the first route that exists now (a rename back,
	// a -> b then b -> a, ends at a) and drop moves whose target is gone.
	final := map[string]string{}
	for from := range moves {
		if names[from] {
			continue
		}
		to, seen := moves[from], map[string]bool{from: true}
		for next, ok := moves[to]; ok && !names[to] && !seen[to]; next, ok = moves[to] {
			seen[to] = true
			to = next
		}
		if names[to] {
			final[from] = to
		}
	}
	if len(final) == 0 {
		return nil
	}
	froms := make([]string, 0, len(final))
	for f := range final {
		froms = append(froms, f)
	}
	sort.Strings(froms)
	f := hclwrite.NewEmptyFile()
	for i, from := range froms {
		if i > 0 {
			f.Body().AppendNewline()
		}
		set(f.Body().AppendNewBlock("moved", nil).Body(), obj{
			{"from", expr("module." + routeModule(from))},
			{"to", expr("module." + routeModule(final[from]))},
		})
	}
	return finish(f, "# Renamed routes: Terraform moves their state instead of destroying and recreating them.\n")
}

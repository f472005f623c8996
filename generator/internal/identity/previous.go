package identity

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/apibuilder/apibuilder/generator/internal/previous"
)

// Previous is what an earlier run generated for one environment: the record
// of the names functions were deployed under.
type Previous struct {
	// Routes maps "METHOD path" to the route name it had.
	Routes map[string]string
	// Moves are the moved blocks already generated (from -> to route names).
	Moves map[string]string
	// Names are the AWS name suffixes the functions were generated with, by
	// module label (route_<name>, authorizer_<name>): the <suffix> of
	// name = "${local.name_prefix}-<suffix>".
	Names map[string]string
}

// ParsePrevious reads an environment's previous generated main.tf and
// moved.tf (either may be nil), through package previous. It never fails:
// what it cannot read is treated as never generated, which at worst plans
// a replacement that the user sees in terraform plan.
func ParsePrevious(mainTF, movedTF []byte) Previous {
	p := Previous{Routes: map[string]string{}, Moves: map[string]string{}, Names: map[string]string{}}
	for _, b := range previous.Blocks(mainTF, "main.tf", `module "`) {
		if len(b.Labels) != 1 {
			continue
		}
		label := b.Labels[0]
		route, isRoute := strings.CutPrefix(label, routePrefix)
		if !isRoute && !strings.HasPrefix(label, authorizerPrefix) {
			continue
		}
		if e, ok := b.Expr("name"); ok {
			if n, ok := suffixOf(e); ok {
				p.Names[label] = n
			}
		}
		if !isRoute {
			continue
		}
		method, okM := b.String("http_method")
		path, okP := b.String("resource_path")
		if okM && okP {
			p.Routes[method+" "+path] = route
		}
	}
	for _, b := range previous.Blocks(movedTF, "moved.tf", "moved {") {
		from, okF := traversalRoute(b, "from")
		to, okT := traversalRoute(b, "to")
		if okF && okT {
			p.Moves[from] = to
		}
	}
	return p
}

// suffixOf reads <suffix> from "${local.name_prefix}-<suffix>".
func suffixOf(expr hclsyntax.Expression) (string, bool) {
	t, ok := expr.(*hclsyntax.TemplateExpr)
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

// traversalRoute reads <route> from a moved block's module.route_<route>.
func traversalRoute(b *previous.Block, name string) (string, bool) {
	e, ok := b.Expr(name)
	if !ok {
		return "", false
	}
	t, ok := e.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(t.Traversal) != 2 || t.Traversal.RootName() != "module" {
		return "", false
	}
	attr, ok := t.Traversal[1].(hcl.TraverseAttr)
	if !ok {
		return "", false
	}
	route, ok := strings.CutPrefix(attr.Name, routePrefix)
	return route, ok && route != ""
}

package identity

import (
	"bytes"
	"maps"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
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
// moved.tf (either may be nil). It never fails: what it cannot read is
// treated as never generated, which at worst plans a replacement that the
// user sees in terraform plan.
func ParsePrevious(mainTF, movedTF []byte) Previous {
	p := Previous{Routes: map[string]string{}, Moves: map[string]string{}, Names: map[string]string{}}
	if scanGenerated(mainTF, &p) {
		// The generator's own layout, read line by line: parsing all of a
		// 1,000-route main.tf took most of a warm run.
	} else if body := parse(mainTF, "main.tf"); body != nil {
		for _, b := range body.Blocks {
			if b.Type != "module" || len(b.Labels) != 1 {
				continue
			}
			label := b.Labels[0]
			route, isRoute := strings.CutPrefix(label, routePrefix)
			if !isRoute && !strings.HasPrefix(label, authorizerPrefix) {
				continue
			}
			if n, ok := nameSuffix(b.Body); ok {
				p.Names[label] = n
			}
			if !isRoute {
				continue
			}
			method, okM := literal(b.Body, "http_method")
			path, okP := literal(b.Body, "resource_path")
			if okM && okP {
				p.Routes[method+" "+path] = route
			}
		}
	}
	if body := parse(movedTF, "moved.tf"); body != nil {
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

func parse(src []byte, name string) *hclsyntax.Body {
	if src == nil {
		return nil
	}
	f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return nil
	}
	body, _ := f.Body.(*hclsyntax.Body)
	return body
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
	return suffixOf(a.Expr)
}

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
	if !ok {
		return "", false
	}
	route, ok := strings.CutPrefix(attr.Name, routePrefix)
	return route, ok && route != ""
}

// scanGenerated reads the module blocks of a main.tf in the layout render
// writes: `module "<label>" {` at the start of a line, attributes indented
// by two spaces, `}` closing the block at the start of a line. Only the
// values it needs are parsed, one expression each. It reports false (and
// leaves p as it was) when the file does not have that layout, and the
// caller parses the whole file instead.
func scanGenerated(src []byte, p *Previous) bool {
	if src == nil {
		return true
	}
	names := map[string]string{}
	routes := map[string]string{}
	label, method, path := "", "", ""
	inModule := false
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		switch {
		case bytes.HasPrefix(line, []byte(`module "`)):
			if inModule {
				return false
			}
			rest := line[len(`module "`):]
			end := bytes.IndexByte(rest, '"')
			if end < 0 || string(rest[end:]) != `" {` {
				return false
			}
			label, method, path, inModule = string(rest[:end]), "", "", true
		case inModule && len(line) == 1 && line[0] == '}':
			route, isRoute := strings.CutPrefix(label, routePrefix)
			if isRoute && method != "" && path != "" {
				routes[method+" "+path] = route
			}
			inModule = false
		case inModule && bytes.HasPrefix(line, []byte("  ")) && !bytes.HasPrefix(line, []byte("   ")):
			if !strings.HasPrefix(label, routePrefix) && !strings.HasPrefix(label, authorizerPrefix) {
				continue
			}
			key, value, ok := bytes.Cut(line[2:], []byte("="))
			if !ok {
				continue
			}
			switch string(bytes.TrimSpace(key)) {
			case "name":
				expr, diags := hclsyntax.ParseExpression(bytes.TrimSpace(value), "main.tf", hcl.InitialPos)
				if diags.HasErrors() {
					return false
				}
				if n, ok := suffixOf(expr); ok {
					names[label] = n
				}
			case "http_method", "resource_path":
				expr, diags := hclsyntax.ParseExpression(bytes.TrimSpace(value), "main.tf", hcl.InitialPos)
				if diags.HasErrors() {
					return false
				}
				v, diags := expr.Value(nil)
				if diags.HasErrors() || v.Type() != cty.String || v.IsNull() {
					continue
				}
				if string(bytes.TrimSpace(key)) == "http_method" {
					method = v.AsString()
				} else {
					path = v.AsString()
				}
			}
		}
	}
	if inModule {
		return false
	}
	maps.Copy(p.Names, names)
	maps.Copy(p.Routes, routes)
	return true
}

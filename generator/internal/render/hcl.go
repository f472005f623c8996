package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// A tiny value tree that renders to readable HCL: objects keep their field
// order and go one attribute per line; expr is a raw HCL expression, only
// ever of the generator's own text. Values from routes.yaml never go into
// an expr: they are strings (quoted and escaped by hclwrite), keys of a
// traversal, or literal parts of a template, all turned into tokens
// directly, so no user text is ever parsed as HCL.
type (
	obj   []field
	field struct {
		key string
		val any
	}
	expr string
	// traversal is a reference such as var.routes["x"].memory_mb; build it
	// with ref.
	traversal hcl.Traversal
	// key is an index step of a traversal (["x"]).
	key string
	// tmpl is a string template: literal text and references.
	tmpl []templatePart
	// call is a function call, e.g. file("${path.root}/x.json").
	call struct {
		name string
		args []any
	}
	// indexed is base[key].attr...: a reference whose index is itself an
	// expression (aws_s3_object.package[local.packages.functions["x"]].key).
	indexed struct {
		base  traversal
		key   any
		attrs []string
	}
	// exprObj is an object whose keys are expressions ({ (module.x.y) = "v" }).
	exprObj   []exprField
	exprField struct {
		key, val any
	}
)

// ref builds a traversal: a root name, then attribute names (strings) and
// index keys (key).
func ref(root string, steps ...any) traversal {
	t := traversal{hcl.TraverseRoot{Name: root}}
	for _, s := range steps {
		switch x := s.(type) {
		case string:
			t = append(t, hcl.TraverseAttr{Name: x})
		case key:
			t = append(t, hcl.TraverseIndex{Key: cty.StringVal(string(x))})
		default:
			panic(fmt.Sprintf("render: traversal step %T", s)) // a programming error
		}
	}
	return t
}

// sortedObj turns a map into an object with sorted keys.
func sortedObj[V any](m map[string]V, conv func(V) any) obj {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	o := make(obj, 0, len(keys))
	for _, k := range keys {
		o = append(o, field{k, conv(m[k])})
	}
	return o
}

func tokens(v any) hclwrite.Tokens {
	switch x := v.(type) {
	case nil:
		return hclwrite.TokensForValue(cty.NullVal(cty.DynamicPseudoType))
	case string:
		return stringTokens(x)
	case int:
		return hclwrite.TokensForValue(cty.NumberIntVal(int64(x)))
	case bool:
		return hclwrite.TokensForValue(cty.BoolVal(x))
	case []string:
		return tupleTokens(len(x), func(i int) any { return x[i] })
	case []any:
		return tupleTokens(len(x), func(i int) any { return x[i] })
	case obj:
		return objectTokens(x)
	case expr:
		return exprTokens(string(x))
	case traversal:
		return hclwrite.TokensForTraversal(hcl.Traversal(x))
	case tmpl:
		return tmplTokens(x)
	case call:
		toks := hclwrite.Tokens{{Type: hclsyntax.TokenIdent, Bytes: []byte(x.name)}, punct(hclsyntax.TokenOParen, "(")}
		for i, a := range x.args {
			if i > 0 {
				toks = append(toks, punct(hclsyntax.TokenComma, ","))
			}
			toks = append(toks, tokens(a)...)
		}
		return append(toks, punct(hclsyntax.TokenCParen, ")"))
	case indexed:
		toks := hclwrite.TokensForTraversal(hcl.Traversal(x.base))
		toks = append(toks, punct(hclsyntax.TokenOBrack, "["))
		toks = append(toks, tokens(x.key)...)
		toks = append(toks, punct(hclsyntax.TokenCBrack, "]"))
		for _, a := range x.attrs {
			toks = append(toks, punct(hclsyntax.TokenDot, "."), &hclwrite.Token{Type: hclsyntax.TokenIdent, Bytes: []byte(a)})
		}
		return toks
	case exprObj:
		toks := hclwrite.Tokens{punct(hclsyntax.TokenOBrace, "{")}
		if len(x) > 0 {
			toks = append(toks, punct(hclsyntax.TokenNewline, "\n"))
		}
		for _, f := range x {
			toks = append(toks, punct(hclsyntax.TokenOParen, "("))
			toks = append(toks, tokens(f.key)...)
			toks = append(toks, punct(hclsyntax.TokenCParen, ")"), punct(hclsyntax.TokenEqual, "="))
			toks = append(toks, tokens(f.val)...)
			toks = append(toks, punct(hclsyntax.TokenNewline, "\n"))
		}
		return append(toks, punct(hclsyntax.TokenCBrace, "}"))
	}
	panic(fmt.Sprintf("render: unsupported value %T", v)) // a programming error, never input-driven
}

// tupleTokens and objectTokens build the same tokens as hclwrite's
// TokensForTuple and TokensForObject without their formatting pass: those
// format every nested value as it is built, and File.Bytes formats the whole
// file again, so a route's nested objects were formatted once per level.
// Spacing is left to that single pass at the end.
func tupleTokens(n int, elem func(int) any) hclwrite.Tokens {
	toks := hclwrite.Tokens{punct(hclsyntax.TokenOBrack, "[")}
	for i := range n {
		if i > 0 {
			toks = append(toks, punct(hclsyntax.TokenComma, ","))
		}
		toks = append(toks, tokens(elem(i))...)
	}
	return append(toks, punct(hclsyntax.TokenCBrack, "]"))
}

func objectTokens(o obj) hclwrite.Tokens {
	toks := hclwrite.Tokens{punct(hclsyntax.TokenOBrace, "{")}
	if len(o) > 0 {
		toks = append(toks, punct(hclsyntax.TokenNewline, "\n"))
	}
	for _, f := range o {
		// A bare first key "for" would read as a for expression ({ for = 1 }).
		if validIdentifier(f.key) && f.key != "for" {
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenIdent, Bytes: []byte(f.key)})
		} else {
			toks = append(toks, hclwrite.TokensForValue(cty.StringVal(f.key))...)
		}
		toks = append(toks, punct(hclsyntax.TokenEqual, "="))
		toks = append(toks, tokens(f.val)...)
		toks = append(toks, punct(hclsyntax.TokenNewline, "\n"))
	}
	return append(toks, punct(hclsyntax.TokenCBrace, "}"))
}

// stringTokens quotes s. Printable ASCII without quotes, backslashes or
// template sequences — nearly every name and path — needs no escaping and
// skips hclwrite's grapheme-by-grapheme escaper.
func stringTokens(s string) hclwrite.Tokens {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || (c == '$' || c == '%') && i+1 < len(s) && s[i+1] == '{' {
			return hclwrite.TokensForValue(cty.StringVal(s))
		}
	}
	return hclwrite.Tokens{
		punct(hclsyntax.TokenOQuote, `"`),
		{Type: hclsyntax.TokenQuotedLit, Bytes: []byte(s)},
		punct(hclsyntax.TokenCQuote, `"`),
	}
}

// validIdentifier is hclsyntax.ValidIdentifier with an ASCII fast path
// (that one runs the lexer on every name).
func validIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			return hclsyntax.ValidIdentifier(s)
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c == '-' || c >= '0' && c <= '9'):
		default:
			return false
		}
	}
	return true
}

func punct(t hclsyntax.TokenType, s string) *hclwrite.Token {
	return &hclwrite.Token{Type: t, Bytes: []byte(s)}
}

// exprTokens turns a generated HCL expression into tokens. Plain traversals
// (var.routes["x"].memory_mb) and simple string templates are built
// directly — they are most of what the generator writes, and lexing each
// one dominated rendering time; anything else is parsed. Every expression
// comes from this package, so a parse failure is a bug, caught by the
// golden tests.
func exprTokens(src string) hclwrite.Tokens {
	if t, ok := traversalTokens(src); ok {
		return t
	}
	if t, ok := templateTokens(src); ok {
		return t
	}
	if t, ok := callTokens(src); ok {
		return t
	}
	if validIdentifier(src) { // a type keyword such as string
		return hclwrite.TokensForIdentifier(src)
	}
	return parseExpr(src)
}

// traversalTokens handles root.attr.attr["key"].attr.
func traversalTokens(src string) (hclwrite.Tokens, bool) {
	tr, ok := simpleTraversal(src)
	if !ok {
		return nil, false
	}
	return hclwrite.TokensForTraversal(tr), true
}

func simpleTraversal(src string) (hcl.Traversal, bool) {
	var tr hcl.Traversal
	i := 0
	ident := func() (string, bool) {
		j := i
		for j < len(src) && (src[j] == '_' || src[j] == '-' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
			j++
		}
		if j == i || !validIdentifier(src[i:j]) {
			return "", false
		}
		name := src[i:j]
		i = j
		return name, true
	}
	root, ok := ident()
	if !ok {
		return nil, false
	}
	tr = append(tr, hcl.TraverseRoot{Name: root})
	for i < len(src) {
		switch src[i] {
		case '.':
			i++
			name, ok := ident()
			if !ok {
				return nil, false
			}
			tr = append(tr, hcl.TraverseAttr{Name: name})
		case '[':
			end := strings.Index(src[i:], `"]`)
			if end < 0 || i+1 >= len(src) || src[i+1] != '"' {
				return nil, false
			}
			key := src[i+2 : i+end]
			if strings.ContainsAny(key, `"\$%`) {
				return nil, false
			}
			tr = append(tr, hcl.TraverseIndex{Key: cty.StringVal(key)})
			i += end + 2
		default:
			return nil, false
		}
	}
	return tr, len(tr) > 1
}

// templateTokens handles "text${traversal}text" with plain text parts.
func templateTokens(src string) (hclwrite.Tokens, bool) {
	if len(src) < 2 || src[0] != '"' || src[len(src)-1] != '"' {
		return nil, false
	}
	body := src[1 : len(src)-1]
	toks := hclwrite.Tokens{{Type: hclsyntax.TokenOQuote, Bytes: []byte(`"`)}}
	for body != "" {
		i := strings.Index(body, "${")
		lit := body
		if i >= 0 {
			lit = body[:i]
		}
		if strings.ContainsAny(lit, `"\%{}$`) {
			return nil, false
		}
		if lit != "" {
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenQuotedLit, Bytes: []byte(lit)})
		}
		if i < 0 {
			break
		}
		end := strings.IndexByte(body[i:], '}')
		if end < 0 {
			return nil, false
		}
		tr, ok := simpleTraversal(body[i+2 : i+end])
		if !ok {
			return nil, false
		}
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenTemplateInterp, Bytes: []byte("${")})
		toks = append(toks, hclwrite.TokensForTraversal(tr)...)
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenTemplateSeqEnd, Bytes: []byte("}")})
		body = body[i+end+1:]
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCQuote, Bytes: []byte(`"`)}), true
}

// callTokens handles f("template"), e.g. file("${path.root}/schema.json").
func callTokens(src string) (hclwrite.Tokens, bool) {
	open := strings.IndexByte(src, '(')
	if open < 0 || !strings.HasSuffix(src, ")") || !validIdentifier(src[:open]) {
		return nil, false
	}
	arg, ok := templateTokens(src[open+1 : len(src)-1])
	if !ok {
		return nil, false
	}
	toks := hclwrite.Tokens{{Type: hclsyntax.TokenIdent, Bytes: []byte(src[:open])}, punct(hclsyntax.TokenOParen, "(")}
	toks = append(toks, arg...)
	return append(toks, punct(hclsyntax.TokenCParen, ")")), true
}

func parseExpr(src string) hclwrite.Tokens {
	f, diags := hclwrite.ParseConfig([]byte("x = "+src+"\n"), "expr.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		panic(fmt.Sprintf("render: invalid expression %q: %s", src, diags.Error()))
	}
	return f.Body().GetAttribute("x").Expr().BuildTokens(nil)
}

// set writes attributes in order into a block body.
func set(body *hclwrite.Body, attrs obj) {
	for _, a := range attrs {
		body.SetAttributeRaw(a.key, tokens(a.val))
	}
}

// template renders literal text and references as one HCL string template,
// or as a bare reference when that is all there is.
func template(parts []templatePart) any {
	if len(parts) == 1 && parts[0].ref != nil {
		return parts[0].ref
	}
	return tmpl(parts)
}

// templatePart is literal text (escaped: "${" stays text) or a reference.
type templatePart struct {
	text string
	ref  traversal
}

// tmplTokens builds a quoted template: literal parts escaped as hclwrite
// escapes a string value (quotes, backslashes, control characters, and
// "${" / "%{" doubled so they stay text), references as interpolations.
func tmplTokens(parts tmpl) hclwrite.Tokens {
	// Adjacent texts are one text, so that an escape is never split.
	var merged tmpl
	for _, p := range parts {
		if n := len(merged); n > 0 && p.ref == nil && merged[n-1].ref == nil {
			merged[n-1].text += p.text
			continue
		}
		merged = append(merged, p)
	}
	toks := hclwrite.Tokens{punct(hclsyntax.TokenOQuote, `"`)}
	for i, p := range merged {
		if p.ref == nil && i+1 < len(merged) && strings.HasSuffix(p.text, "$") {
			// A "$" right before an interpolation would make "$${", the
			// escape of a literal "${": the trailing "$"s are written as
			// an interpolated string instead (${"$"}).
			head := strings.TrimRight(p.text, "$")
			inner := tmplTokens(tmpl{{text: head}})
			toks = append(toks, inner[1:len(inner)-1]...)
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenTemplateInterp, Bytes: []byte("${")}, punct(hclsyntax.TokenOQuote, `"`),
				&hclwrite.Token{Type: hclsyntax.TokenQuotedLit, Bytes: []byte(p.text[len(head):])}, punct(hclsyntax.TokenCQuote, `"`),
				&hclwrite.Token{Type: hclsyntax.TokenTemplateSeqEnd, Bytes: []byte("}")})
			continue
		}
		if p.ref != nil {
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenTemplateInterp, Bytes: []byte("${")})
			toks = append(toks, hclwrite.TokensForTraversal(hcl.Traversal(p.ref))...)
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenTemplateSeqEnd, Bytes: []byte("}")})
			continue
		}
		if p.text == "" {
			continue
		}
		lit := stringTokens(p.text) // OQuote, QuotedLit, CQuote
		toks = append(toks, lit[1:len(lit)-1]...)
	}
	return append(toks, punct(hclsyntax.TokenCQuote, `"`))
}

// Package previous reads what an earlier generation wrote into an
// environment (envs/<env>/main.tf, moved.tf): the record of the names
// functions were deployed under (package identity) and of the tables' keys
// (package replacement). Both read it the same way, through Blocks: a line
// scan of the generator's own layout cuts out the top-level blocks asked
// for, and only what a caller asks for is parsed (a whole HCL parse of a
// 1,000-route main.tf took most of a warm run). A file not in that layout
// (edited by hand) is parsed whole instead; what does not parse counts as
// never generated.
package previous

import (
	"bytes"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Block is one top-level block of a generated file.
type Block struct {
	Type   string
	Labels []string

	file string
	src  []byte          // from the header line to the closing "}" (scanned blocks)
	body *hclsyntax.Body // parsed: by the whole-file fallback or on demand
}

// Blocks returns the top-level blocks of src (a file named file) whose
// header, written as the generator writes it (`module "route_x" {`), starts
// with header. nil when src is nil or does not parse.
func Blocks(src []byte, file, header string) []*Block {
	if src == nil {
		return nil
	}
	if blocks, ok := scan(src, file, header); ok {
		return blocks
	}
	f, diags := hclsyntax.ParseConfig(src, file, hcl.InitialPos)
	if diags.HasErrors() {
		return nil
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var out []*Block
	for _, b := range body.Blocks {
		h := b.Type
		for _, l := range b.Labels {
			h += ` "` + l + `"`
		}
		if strings.HasPrefix(h+" {", header) {
			out = append(out, &Block{Type: b.Type, Labels: b.Labels, file: file, body: b.Body})
		}
	}
	return out
}

// scan cuts the blocks out by lines: a top-level block starts with a line
// `type "label" ... {` and ends with a line "}"; outside blocks only blank
// lines and comments may stand. It reports false when src is not in that
// layout.
func scan(src []byte, file, header string) ([]*Block, bool) {
	var out []*Block
	var cur *Block
	start := 0
	for off := 0; off < len(src); {
		end := bytes.IndexByte(src[off:], '\n')
		next := len(src)
		if end >= 0 {
			next = off + end + 1
		}
		line := bytes.TrimRight(src[off:next], "\r\n")
		switch {
		case cur == nil && (len(line) == 0 || line[0] == '#' || bytes.HasPrefix(line, []byte("//"))):
		case cur == nil:
			typ, labels, ok := parseHeader(string(line))
			if !ok {
				return nil, false
			}
			cur, start = &Block{Type: typ, Labels: labels, file: file}, off
		case len(line) == 1 && line[0] == '}':
			if strings.HasPrefix(headerOf(cur), header) {
				cur.src = src[start:next]
				out = append(out, cur)
			}
			cur = nil
		case len(line) > 0 && line[0] != ' ' && line[0] != '\t':
			return nil, false // a top-level line inside a block
		}
		off = next
	}
	return out, cur == nil
}

func headerOf(b *Block) string {
	h := b.Type
	for _, l := range b.Labels {
		h += ` "` + l + `"`
	}
	return h + " {"
}

// parseHeader reads `type "a" "b" {`; labels with escapes are not the
// generator's layout.
func parseHeader(line string) (typ string, labels []string, ok bool) {
	rest, found := strings.CutSuffix(line, " {")
	if !found {
		return "", nil, false
	}
	typ, rest, _ = strings.Cut(rest, " ")
	if !hclsyntax.ValidIdentifier(typ) {
		return "", nil, false
	}
	for rest != "" {
		if len(rest) < 2 || rest[0] != '"' {
			return "", nil, false
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return "", nil, false
		}
		label := rest[1 : 1+end]
		if strings.ContainsAny(label, `\$%`) {
			return "", nil, false
		}
		labels = append(labels, label)
		rest = strings.TrimPrefix(rest[2+end:], " ")
	}
	return typ, labels, true
}

// Body is the block's body, parsed (only this block); false if it does
// not parse.
func (b *Block) Body() (*hclsyntax.Body, bool) {
	if b.body == nil {
		f, diags := hclsyntax.ParseConfig(b.src, b.file, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, false
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok || len(body.Blocks) != 1 {
			return nil, false
		}
		b.body = body.Blocks[0].Body
	}
	return b.body, true
}

// Expr is the expression of the block's own attribute name. In the
// generated layout only that attribute's line is parsed; the whole block
// only when the value spans lines or the line is not found.
func (b *Block) Expr(name string) (hclsyntax.Expression, bool) {
	if b.body == nil {
		if value, found := b.attrLine(name); found {
			if e, diags := hclsyntax.ParseExpression(value, b.file, hcl.InitialPos); !diags.HasErrors() {
				return e, true
			}
		}
	}
	body, ok := b.Body()
	if !ok {
		return nil, false
	}
	a, ok := body.Attributes[name]
	if !ok {
		return nil, false
	}
	return a.Expr, true
}

// String is the value of the block's own attribute name when it is a
// literal string.
func (b *Block) String(name string) (string, bool) {
	e, ok := b.Expr(name)
	if !ok {
		return "", false
	}
	return stringValue(e)
}

// attrLine finds `  name = value` among the block's own attributes
// (indented by two spaces) and returns value.
func (b *Block) attrLine(name string) ([]byte, bool) {
	for line := range bytes.Lines(b.src) {
		if !bytes.HasPrefix(line, []byte("  ")) || bytes.HasPrefix(line, []byte("   ")) {
			continue
		}
		key, value, ok := bytes.Cut(line[2:], []byte("="))
		if ok && string(bytes.TrimSpace(key)) == name {
			return bytes.TrimSpace(value), true
		}
	}
	return nil, false
}

// String is the value of body's attribute name when it is a literal
// string: what identity and replacement read of a previous generation.
func String(body *hclsyntax.Body, name string) (string, bool) {
	a, ok := body.Attributes[name]
	if !ok {
		return "", false
	}
	return stringValue(a.Expr)
}

func stringValue(e hclsyntax.Expression) (string, bool) {
	v, diags := e.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String || !v.IsKnown() || v.IsNull() {
		return "", false
	}
	return v.AsString(), true
}

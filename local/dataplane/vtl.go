package dataplane

import (
	"fmt"
	"strconv"
	"strings"
)

// This file evaluates API Gateway mapping templates (Velocity, VTL) — only
// the subset that modules/api_gateway writes (the CORS preflight's
// integration response template with several allowed origins):
//
//	#set($context.responseOverride.header.<Name> = <value>)
//	#set($context.responseOverride.status = <value>)
//	#if(<cond>) ... #elseif(<cond>) ... #else ... #end
//
// where a condition compares values with == or != and combines
// comparisons with &&, || and parentheses, and a value is a string literal
// ('...', or "..." without $ or # inside), a whole number,
// $input.params('x') (path, then query string, then header) or
// $input.params().header.get('x'). Text outside directives is the body.
// Anything else — another directive or reference, a comment, an override
// set twice (API Gateway answers that with a 5XX too) — is an error, so
// the data plane answers 500 and logs why rather than passing a template
// it does not understand.

// vtlTemplate is a parsed mapping template.
type vtlTemplate struct{ nodes []vtlNode }

type vtlNode interface{}

type vtlText string

// vtlSet is #set($context.responseOverride.<target> = value); target is
// "status" or "header.<Name>".
type vtlSet struct {
	target string
	value  vtlExpr
}

type vtlIf struct {
	conds  []vtlExpr   // #if, then each #elseif
	bodies [][]vtlNode // one per cond, then the #else body if any
}

// vtlRequest is what a template reads: the method request's parameters.
// Header names are matched exactly as the client sent them.
type vtlRequest struct {
	path, query, header map[string]string
}

// vtlResult is what a template produced: the body and its overrides.
type vtlResult struct {
	body    string
	status  int           // 0: not overridden
	headers []headerField // in the order they were set
}

// vtlValue is a value during evaluation: a string, or null.
type vtlValue struct {
	s    string
	null bool
}

type vtlExpr interface {
	eval(r *vtlRequest) (vtlValue, error)
}

type vtlLiteral string

func (l vtlLiteral) eval(*vtlRequest) (vtlValue, error) { return vtlValue{s: string(l)}, nil }

// vtlParam is $input.params('x') (where "any") or
// $input.params().header.get('x') (where "header").
type vtlParam struct{ where, name string }

func (p vtlParam) eval(r *vtlRequest) (vtlValue, error) {
	sources := []map[string]string{r.header}
	if p.where == "any" { // API Gateway's order: path, query string, header
		sources = []map[string]string{r.path, r.query, r.header}
	}
	for _, m := range sources {
		if v, ok := m[p.name]; ok {
			return vtlValue{s: v}, nil
		}
	}
	return vtlValue{null: true}, nil
}

// vtlBinary is ==, !=, && or ||; a condition's value is "true" or "false".
type vtlBinary struct {
	op          string
	left, right vtlExpr
}

func (b vtlBinary) eval(r *vtlRequest) (vtlValue, error) {
	l, err := b.left.eval(r)
	if err != nil {
		return l, err
	}
	switch b.op {
	case "&&", "||":
		lt, err := truth(l, b.op)
		if err != nil || (b.op == "&&" && !lt) || (b.op == "||" && lt) {
			return boolValue(lt), err
		}
		rv, err := b.right.eval(r)
		if err != nil {
			return rv, err
		}
		rt, err := truth(rv, b.op)
		return boolValue(rt), err
	}
	rv, err := b.right.eval(r)
	if err != nil {
		return rv, err
	}
	eq := l.null == rv.null && l.s == rv.s
	return boolValue(eq == (b.op == "==")), nil
}

func boolValue(b bool) vtlValue { return vtlValue{s: strconv.FormatBool(b)} }

// vtlCondition marks the value of a comparison or combination, the only
// things #if, && and || accept here.
type vtlCondition struct{ vtlBinary }

func truth(v vtlValue, where string) (bool, error) {
	if v.null || (v.s != "true" && v.s != "false") {
		return false, fmt.Errorf("%s needs comparisons (==, !=) on both sides", where)
	}
	return v.s == "true", nil
}

// parseVTL parses a template of the supported subset.
func parseVTL(src string) (*vtlTemplate, error) {
	p := &vtlParser{src: src}
	nodes, end, err := p.nodes(true)
	if err != nil {
		return nil, err
	}
	if end != "" {
		return nil, p.errorf("#%s without #if", end)
	}
	return &vtlTemplate{nodes: nodes}, nil
}

type vtlParser struct {
	src string
	pos int
}

func (p *vtlParser) errorf(format string, args ...any) error {
	line := 1 + strings.Count(p.src[:min(p.pos, len(p.src))], "\n")
	return fmt.Errorf("mapping template line %d: %s", line, fmt.Sprintf(format, args...))
}

// nodes parses until the end of the template (top) or until #elseif,
// #else or #end, which it consumes and names.
func (p *vtlParser) nodes(top bool) ([]vtlNode, string, error) {
	var out []vtlNode
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			out = append(out, vtlText(text.String()))
			text.Reset()
		}
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '#' && p.pos+1 < len(p.src) && (isLetter(p.src[p.pos+1]) || p.src[p.pos+1] == '#' || p.src[p.pos+1] == '*' || p.src[p.pos+1] == '{'):
			flush()
			name := p.word(p.pos + 1)
			switch {
			case strings.HasPrefix(p.src[p.pos:], "##"), strings.HasPrefix(p.src[p.pos:], "#*"):
				return nil, "", p.errorf("comments are not evaluated locally")
			case name == "set":
				n, err := p.set()
				if err != nil {
					return nil, "", err
				}
				out = append(out, n)
			case name == "if":
				n, err := p.ifBlock()
				if err != nil {
					return nil, "", err
				}
				out = append(out, n)
			case name == "elseif", name == "else", name == "end":
				if top {
					return nil, "", p.errorf("#%s without #if", name)
				}
				p.pos += 1 + len(name)
				if name != "elseif" {
					p.gobbleNewline()
				}
				return out, name, nil
			default:
				return nil, "", p.errorf("the directive %q is not evaluated locally (only #set, #if, #elseif, #else and #end)", p.directiveText())
			}
		case c == '$' && p.pos+1 < len(p.src) && (isLetter(p.src[p.pos+1]) || p.src[p.pos+1] == '{' || p.src[p.pos+1] == '!'):
			return nil, "", p.errorf("the reference %q in the template's output is not evaluated locally", p.directiveText())
		default:
			text.WriteByte(c)
			p.pos++
		}
	}
	flush()
	if !top {
		return nil, "", p.errorf("#if without #end")
	}
	return out, "", nil
}

func (p *vtlParser) word(at int) string {
	end := at
	for end < len(p.src) && isLetter(p.src[end]) {
		end++
	}
	return p.src[at:end]
}

// directiveText is the rest of the line, for messages.
func (p *vtlParser) directiveText() string {
	rest := p.src[p.pos:]
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	return strings.TrimSpace(rest)
}

// gobbleNewline drops the line break right after a directive, as Velocity
// does after #set (an approximation: only the body is affected).
func (p *vtlParser) gobbleNewline() {
	if strings.HasPrefix(p.src[p.pos:], "\r\n") {
		p.pos += 2
	} else if p.pos < len(p.src) && p.src[p.pos] == '\n' {
		p.pos++
	}
}

func (p *vtlParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *vtlParser) expect(s string) error {
	p.skipSpace()
	if !strings.HasPrefix(p.src[p.pos:], s) {
		return p.errorf("expected %q at %q", s, p.directiveText())
	}
	p.pos += len(s)
	return nil
}

const overridePrefix = "$context.responseOverride."

func (p *vtlParser) set() (vtlNode, error) {
	p.pos += len("#set")
	if err := p.expect("("); err != nil {
		return nil, err
	}
	p.skipSpace()
	if !strings.HasPrefix(p.src[p.pos:], overridePrefix) {
		return nil, p.errorf("only #set(%sheader.<name> = ...) and #set(%sstatus = ...) are evaluated locally, not %q", overridePrefix, overridePrefix, p.directiveText())
	}
	p.pos += len(overridePrefix)
	var target string
	switch {
	case strings.HasPrefix(p.src[p.pos:], "status"):
		target = "status"
		p.pos += len(target)
	case strings.HasPrefix(p.src[p.pos:], "header."):
		p.pos += len("header.")
		start := p.pos
		for p.pos < len(p.src) && isHeaderChar(p.src[p.pos]) {
			p.pos++
		}
		if p.pos == start {
			return nil, p.errorf("a header override needs a name: %q", p.directiveText())
		}
		target = "header." + p.src[start:p.pos]
	default:
		return nil, p.errorf("only the header.<name> and status overrides are evaluated locally: %q", p.directiveText())
	}
	if err := p.expect("="); err != nil {
		return nil, err
	}
	value, err := p.primary()
	if err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	p.gobbleNewline()
	return vtlSet{target: target, value: value}, nil
}

func (p *vtlParser) ifBlock() (vtlNode, error) {
	p.pos += len("#if")
	n := vtlIf{}
	for {
		cond, err := p.condition()
		if err != nil {
			return nil, err
		}
		p.gobbleNewline()
		body, end, err := p.nodes(false)
		if err != nil {
			return nil, err
		}
		n.conds, n.bodies = append(n.conds, cond), append(n.bodies, body)
		switch end {
		case "elseif":
			continue
		case "else":
			body, end, err := p.nodes(false)
			if err != nil {
				return nil, err
			}
			if end != "end" {
				return nil, p.errorf("#%s after #else", end)
			}
			n.bodies = append(n.bodies, body)
		}
		return n, nil
	}
}

// condition parses "(expr)" after #if or #elseif.
func (p *vtlParser) condition() (vtlExpr, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if _, ok := e.(vtlCondition); !ok {
		return nil, p.errorf("a condition must compare values (==, !=) or combine comparisons (&&, ||)")
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	return e, nil
}

func (p *vtlParser) or() (vtlExpr, error) {
	return p.chain("||", p.and)
}

func (p *vtlParser) and() (vtlExpr, error) {
	return p.chain("&&", p.comparison)
}

func (p *vtlParser) chain(op string, next func() (vtlExpr, error)) (vtlExpr, error) {
	left, err := next()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:], op) {
			return left, nil
		}
		p.pos += len(op)
		right, err := next()
		if err != nil {
			return nil, err
		}
		for _, side := range []vtlExpr{left, right} {
			if _, ok := side.(vtlCondition); !ok {
				return nil, p.errorf("%s needs comparisons (==, !=) on both sides", op)
			}
		}
		left = vtlCondition{vtlBinary{op: op, left: left, right: right}}
	}
}

func (p *vtlParser) comparison() (vtlExpr, error) {
	p.skipSpace()
	if strings.HasPrefix(p.src[p.pos:], "(") {
		p.pos++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		return e, p.expect(")")
	}
	left, err := p.primary()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	for _, op := range []string{"==", "!="} {
		if strings.HasPrefix(p.src[p.pos:], op) {
			p.pos += len(op)
			right, err := p.primary()
			if err != nil {
				return nil, err
			}
			return vtlCondition{vtlBinary{op: op, left: left, right: right}}, nil
		}
	}
	return left, nil
}

// primary is a string literal, a whole number or a request parameter.
func (p *vtlParser) primary() (vtlExpr, error) {
	p.skipSpace()
	rest := p.src[p.pos:]
	switch {
	case strings.HasPrefix(rest, "'"), strings.HasPrefix(rest, `"`):
		q := rest[0]
		end := strings.IndexByte(rest[1:], q)
		if end < 0 {
			return nil, p.errorf("unterminated string at %q", p.directiveText())
		}
		s := rest[1 : 1+end]
		if strings.HasPrefix(rest[2+end:], string(q)) {
			return nil, p.errorf("doubled quotes in a string are not evaluated locally: %q", p.directiveText())
		}
		if q == '"' && strings.ContainsAny(s, "$#") {
			return nil, p.errorf(`references inside "..." strings are not evaluated locally: %q`, p.directiveText())
		}
		p.pos += 2 + end
		return vtlLiteral(s), nil
	case rest != "" && rest[0] >= '0' && rest[0] <= '9':
		end := 0
		for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
			end++
		}
		p.pos += end
		return vtlLiteral(rest[:end]), nil
	case strings.HasPrefix(rest, "$input.params()"):
		p.pos += len("$input.params()")
		if !strings.HasPrefix(p.src[p.pos:], ".header.get(") {
			return nil, p.errorf("only $input.params().header.get('<name>') is evaluated locally, not %q", p.directiveText())
		}
		p.pos += len(".header.get(")
		name, err := p.nameArgument()
		if err != nil {
			return nil, err
		}
		return vtlParam{where: "header", name: name}, nil
	case strings.HasPrefix(rest, "$input.params("):
		p.pos += len("$input.params(")
		name, err := p.nameArgument()
		if err != nil {
			return nil, err
		}
		return vtlParam{where: "any", name: name}, nil
	}
	return nil, p.errorf("a value must be a string, a whole number, $input.params('<name>') or $input.params().header.get('<name>'); %q is not evaluated locally", p.directiveText())
}

// nameArgument parses "'name')" of a params call.
func (p *vtlParser) nameArgument() (string, error) {
	arg, err := p.primary()
	if err != nil {
		return "", err
	}
	name, ok := arg.(vtlLiteral)
	if !ok {
		return "", p.errorf("a parameter name must be a string literal: %q", p.directiveText())
	}
	return string(name), p.expect(")")
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isHeaderChar(c byte) bool {
	return isLetter(c) || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// render runs the template for one request.
func (t *vtlTemplate) render(r *vtlRequest) (*vtlResult, error) {
	res := &vtlResult{}
	set := map[string]bool{}
	var run func(nodes []vtlNode) error
	run = func(nodes []vtlNode) error {
		for _, n := range nodes {
			switch n := n.(type) {
			case vtlText:
				res.body += string(n)
			case vtlSet:
				v, err := n.value.eval(r)
				if err != nil {
					return err
				}
				if v.null { // Velocity leaves the target alone
					continue
				}
				key := strings.ToLower(n.target)
				if set[key] {
					return fmt.Errorf("$context.responseOverride.%s is overridden twice (API Gateway answers that with a 5XX)", n.target)
				}
				set[key] = true
				if n.target == "status" {
					code, err := strconv.Atoi(v.s)
					if err != nil || code < 100 || code > 599 {
						return fmt.Errorf("$context.responseOverride.status = %q is not an HTTP status", v.s)
					}
					res.status = code
					continue
				}
				res.headers = append(res.headers, headerField{strings.TrimPrefix(n.target, "header."), v.s})
			case vtlIf:
				branch := len(n.conds) // the #else body, if there is one
				for i, c := range n.conds {
					v, err := c.eval(r)
					if err != nil {
						return err
					}
					if v.s == "true" {
						branch = i
						break
					}
				}
				if branch < len(n.bodies) {
					if err := run(n.bodies[branch]); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	if err := run(t.nodes); err != nil {
		return nil, err
	}
	return res, nil
}

package ghrun

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The expression language of ${{ }} and if:, for the subset the generated
// workflow uses: literals, context paths (a.b, a['b'], a[expr]), ! == != <
// <= > >= && || and parentheses, and the functions success(), failure(),
// cancelled(), always(), contains(), startsWith(), endsWith(), format(),
// hashFiles(). Anything else is an error, never a guess.

// Scope is what an expression may read: the contexts by name (github,
// vars, secrets, env, needs, steps, matrix, runner, job, inputs), each a
// tree of map[string]any, string, float64, bool and nil; a context that is
// not in the map is an error. Status answers success()/failure()/
// cancelled(); HashFiles answers hashFiles().
type Scope struct {
	Contexts  map[string]any
	Status    func(fn string) bool
	HashFiles func(patterns []string) (string, error)
}

// Eval evaluates one expression (without ${{ }}).
func Eval(expr string, sc *Scope) (any, error) {
	p := &parser{src: expr, sc: sc}
	if err := p.lex(); err != nil {
		return nil, err
	}
	v, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("expression %q: unexpected %q", expr, p.toks[p.pos].text)
	}
	return v, nil
}

// EvalIf evaluates an if: condition as GitHub does: ${{ }} is optional,
// and a condition that calls none of the status functions means
// success() && (condition).
func EvalIf(cond string, sc *Scope) (bool, error) {
	cond = strings.TrimSpace(cond)
	if strings.HasPrefix(cond, "${{") && strings.HasSuffix(cond, "}}") && strings.Count(cond, "${{") == 1 {
		cond = strings.TrimSpace(cond[3 : len(cond)-2])
	}
	if cond == "" {
		cond = "success()"
	}
	if !usesStatus(cond) {
		cond = "success() && (" + cond + ")"
	}
	v, err := Eval(cond, sc)
	if err != nil {
		return false, err
	}
	return truthy(v), nil
}

func usesStatus(cond string) bool {
	for _, fn := range []string{"success(", "failure(", "cancelled(", "always("} {
		if strings.Contains(cond, fn) {
			return true
		}
	}
	return false
}

// Interpolate replaces every ${{ expr }} in s by its value as a string.
func Interpolate(s string, sc *Scope) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return "", fmt.Errorf("%q: ${{ without }}", s)
		}
		v, err := Eval(s[i+3:i+j], sc)
		if err != nil {
			return "", err
		}
		b.WriteString(s[:i])
		b.WriteString(toString(v))
		s = s[i+j+2:]
	}
}

type token struct {
	kind string // "id", "str", "num", "op"
	text string
}

type parser struct {
	src  string
	toks []token
	pos  int
	sc   *Scope
}

func (p *parser) lex() error {
	s := p.src
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for ; ; j++ {
				if j >= len(s) {
					return fmt.Errorf("expression %q: unterminated string", s)
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j++
						continue
					}
					break
				}
				b.WriteByte(s[j])
			}
			p.toks = append(p.toks, token{"str", b.String()})
			i = j + 1
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			p.toks = append(p.toks, token{"num", s[i:j]})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(s) && (s[j] == '_' || s[j] == '-' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			p.toks = append(p.toks, token{"id", s[i:j]})
			i = j
		default:
			two := ""
			if i+1 < len(s) {
				two = s[i : i+2]
			}
			switch two {
			case "==", "!=", "<=", ">=", "&&", "||":
				p.toks = append(p.toks, token{"op", two})
				i += 2
				continue
			}
			if !strings.ContainsRune("!<>()[].,", rune(c)) {
				return fmt.Errorf("expression %q: unsupported character %q", s, c)
			}
			p.toks = append(p.toks, token{"op", string(c)})
			i++
		}
	}
	return nil
}

func (p *parser) peek(op string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == "op" && p.toks[p.pos].text == op
}

func (p *parser) expect(op string) error {
	if !p.peek(op) {
		return fmt.Errorf("expression %q: want %q", p.src, op)
	}
	p.pos++
	return nil
}

// The operators bind as in GitHub: || < && < (== !=) < (< <= > >=) < !.
// Both sides are always evaluated (no side effects to skip).

func (p *parser) or() (any, error) {
	l, err := p.and()
	for err == nil && p.peek("||") {
		p.pos++
		var r any
		if r, err = p.and(); err == nil && !truthy(l) {
			l = r
		}
	}
	return l, err
}

func (p *parser) and() (any, error) {
	l, err := p.eq()
	for err == nil && p.peek("&&") {
		p.pos++
		var r any
		if r, err = p.eq(); err == nil && truthy(l) {
			l = r
		}
	}
	return l, err
}

func (p *parser) eq() (any, error) {
	l, err := p.cmp()
	for err == nil && (p.peek("==") || p.peek("!=")) {
		op := p.toks[p.pos].text
		p.pos++
		var r any
		if r, err = p.cmp(); err == nil {
			l = equal(l, r) == (op == "==")
		}
	}
	return l, err
}

func (p *parser) cmp() (any, error) {
	l, err := p.not()
	for err == nil && (p.peek("<") || p.peek("<=") || p.peek(">") || p.peek(">=")) {
		op := p.toks[p.pos].text
		p.pos++
		var r any
		if r, err = p.not(); err == nil {
			a, b := toNumber(l), toNumber(r)
			if ls, ok := l.(string); ok {
				if rs, ok := r.(string); ok {
					c := strings.Compare(strings.ToLower(ls), strings.ToLower(rs))
					a, b = float64(c), 0
				}
			}
			switch op {
			case "<":
				l = a < b
			case "<=":
				l = a <= b
			case ">":
				l = a > b
			default:
				l = a >= b
			}
		}
	}
	return l, err
}

func (p *parser) not() (any, error) {
	if p.peek("!") {
		p.pos++
		v, err := p.not()
		return !truthy(v), err
	}
	return p.postfix()
}

func (p *parser) postfix() (any, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("expression %q: ends early", p.src)
	}
	t := p.toks[p.pos]
	p.pos++
	var v any
	switch {
	case t.kind == "str":
		v = t.text
	case t.kind == "num":
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, fmt.Errorf("expression %q: number %q", p.src, t.text)
		}
		v = f
	case t.kind == "op" && t.text == "(":
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		v = inner
	case t.kind == "id" && p.peek("("):
		return p.call(t.text)
	case t.kind == "id":
		switch t.text {
		case "true":
			v = true
		case "false":
			v = false
		case "null":
			v = nil
		default:
			ctx, ok := p.sc.Contexts[t.text]
			if !ok {
				return nil, fmt.Errorf("expression %q: context %q is not supported here", p.src, t.text)
			}
			v = ctx
		}
	default:
		return nil, fmt.Errorf("expression %q: unexpected %q", p.src, t.text)
	}
	for {
		switch {
		case p.peek("."):
			p.pos++
			if p.pos >= len(p.toks) || p.toks[p.pos].kind != "id" {
				return nil, fmt.Errorf("expression %q: want a property name after '.'", p.src)
			}
			v = index(v, p.toks[p.pos].text)
			p.pos++
		case p.peek("["):
			p.pos++
			key, err := p.or()
			if err != nil {
				return nil, err
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			v = index(v, toString(key))
		default:
			return v, nil
		}
	}
}

func (p *parser) call(name string) (any, error) {
	p.pos++ // (
	var args []any
	for !p.peek(")") {
		a, err := p.or()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		if !p.peek(")") {
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
	}
	p.pos++ // )
	nargs := func(n int) error {
		if len(args) != n {
			return fmt.Errorf("expression %q: %s() takes %d arguments, got %d", p.src, name, n, len(args))
		}
		return nil
	}
	switch strings.ToLower(name) {
	case "success", "failure", "cancelled":
		if err := nargs(0); err != nil {
			return nil, err
		}
		if p.sc.Status == nil {
			return nil, fmt.Errorf("expression %q: %s() is not available here", p.src, name)
		}
		return p.sc.Status(strings.ToLower(name)), nil
	case "always":
		return true, nargs(0)
	case "contains":
		if err := nargs(2); err != nil {
			return nil, err
		}
		if list, ok := args[0].([]any); ok {
			for _, x := range list {
				if equal(x, args[1]) {
					return true, nil
				}
			}
			return false, nil
		}
		return strings.Contains(strings.ToLower(toString(args[0])), strings.ToLower(toString(args[1]))), nil
	case "startswith":
		if err := nargs(2); err != nil {
			return nil, err
		}
		return strings.HasPrefix(strings.ToLower(toString(args[0])), strings.ToLower(toString(args[1]))), nil
	case "endswith":
		if err := nargs(2); err != nil {
			return nil, err
		}
		return strings.HasSuffix(strings.ToLower(toString(args[0])), strings.ToLower(toString(args[1]))), nil
	case "format":
		if len(args) == 0 {
			return nil, fmt.Errorf("expression %q: format() needs a format string", p.src)
		}
		s := toString(args[0])
		for i, a := range args[1:] {
			s = strings.ReplaceAll(s, "{"+strconv.Itoa(i)+"}", toString(a))
		}
		return s, nil
	case "hashfiles":
		if p.sc.HashFiles == nil || len(args) == 0 {
			return nil, fmt.Errorf("expression %q: hashFiles() is not available here", p.src)
		}
		var pats []string
		for _, a := range args {
			pats = append(pats, toString(a))
		}
		return p.sc.HashFiles(pats)
	}
	return nil, fmt.Errorf("expression %q: function %s() is not supported", p.src, name)
}

// index is a property of an object; a missing one (or one of a non-object)
// is null, as in GitHub.
func index(v any, key string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	if x, ok := m[key]; ok {
		return x
	}
	for k, x := range m { // property names ignore case
		if strings.EqualFold(k, key) {
			return x
		}
	}
	return nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case string:
		return x != ""
	}
	return true // objects and arrays
}

// equal is GitHub's loose ==: strings ignore case; different types are
// compared as numbers.
func equal(a, b any) bool {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.EqualFold(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	case nil:
		if b == nil {
			return true
		}
	case map[string]any, []any:
		return fmt.Sprintf("%p", a) == fmt.Sprintf("%p", b)
	}
	return toNumber(a) == toNumber(b)
}

func toNumber(v any) float64 {
	switch x := v.(type) {
	case nil:
		return 0
	case bool:
		if x {
			return 1
		}
		return 0
	case float64:
		return x
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return 0
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	}
	return math.NaN()
}

func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v) // objects: GitHub prints JSON; the workflow never does this
}

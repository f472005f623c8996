package config

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/apibuilder/apibuilder/generator/internal/diag"
)

// Str, Int and Bool are scalar values with the position they came from, so
// that later checks can point at the exact line and column.
type Str struct {
	V   string
	Pos diag.Pos
	Set bool
}

type Int struct {
	V   int
	Pos diag.Pos
	Set bool
}

type Bool struct {
	V   bool
	Pos diag.Pos
	Set bool
}

// KV is one entry of a string map, in file order.
type KV struct {
	Key   string
	Value Str
}

// decoder turns yaml.v3 nodes into config values, collecting every problem.
type decoder struct {
	diags *diag.List
}

func pos(n *yaml.Node) diag.Pos { return diag.Pos{Line: n.Line, Col: n.Column} }

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return fmt.Sprintf("the value %q", n.Value)
	}
	return "something else"
}

// mapping is a YAML mapping whose keys were checked against the allowed set.
type mapping struct {
	d      *decoder
	path   string
	node   *yaml.Node
	values map[string]*yaml.Node
	keys   []*yaml.Node // key nodes in file order
}

// mapping checks that n is a mapping with only allowed keys (reporting typos
// with a suggestion) and no duplicates. It returns nil if n is not a mapping.
func (d *decoder) mapping(n *yaml.Node, path string, allowed ...string) *mapping {
	n = deref(n)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return &mapping{d: d, path: path, node: n, values: map[string]*yaml.Node{}}
		}
		d.diags.Add(pos(n), path, "expected a mapping (key: value), found "+kindName(n), "")
		return nil
	}
	m := &mapping{d: d, path: path, node: n, values: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.diags.Add(pos(k), path, "keys must be plain strings", "")
			continue
		}
		field := join(path, k.Value)
		if allowed != nil && !contains(allowed, k.Value) {
			hint := "allowed keys: " + strings.Join(allowed, ", ")
			if s := diag.Suggest(k.Value, allowed); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			d.diags.Add(pos(k), field, "unknown key", hint)
			continue
		}
		if prev, dup := m.values[k.Value]; dup {
			d.diags.Add(pos(k), field, fmt.Sprintf("duplicate key (first set on line %d)", prev.Line), "remove one of them")
			continue
		}
		m.values[k.Value] = v
		m.keys = append(m.keys, k)
	}
	return m
}

// entries returns the (key, value) pairs of a free-form mapping, in file order.
func (m *mapping) entries() []struct{ Key, Value *yaml.Node } {
	out := make([]struct{ Key, Value *yaml.Node }, 0, len(m.keys))
	for _, k := range m.keys {
		out = append(out, struct{ Key, Value *yaml.Node }{k, m.values[k.Value]})
	}
	return out
}

func (m *mapping) has(key string) bool { _, ok := m.values[key]; return ok }

func (m *mapping) value(key string) *yaml.Node { return deref(m.values[key]) }

// keyPos is the position of key in the mapping, or of the mapping itself.
func (m *mapping) keyPos(key string) diag.Pos {
	for _, k := range m.keys {
		if k.Value == key {
			return pos(k)
		}
	}
	return pos(m.node)
}

func (m *mapping) scalar(key, want string) *yaml.Node {
	n := m.value(key)
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		m.d.diags.Add(pos(n), join(m.path, key), "expected "+want+", found "+kindName(n), "")
		return nil
	}
	return n
}

func (m *mapping) str(key string) Str {
	n := m.scalar(key, "a string")
	if n == nil {
		return Str{Pos: m.keyPos(key)}
	}
	return Str{V: n.Value, Pos: pos(n), Set: true}
}

func (m *mapping) int(key string) Int {
	n := m.scalar(key, "a whole number")
	if n == nil {
		return Int{Pos: m.keyPos(key)}
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil || (n.Tag != "!!int" && n.Tag != "!!str") {
		m.d.diags.Add(pos(n), join(m.path, key), fmt.Sprintf("expected a whole number, found %q", n.Value), "")
		return Int{Pos: pos(n)}
	}
	return Int{V: v, Pos: pos(n), Set: true}
}

func (m *mapping) bool(key string) Bool {
	n := m.scalar(key, "true or false")
	if n == nil {
		return Bool{Pos: m.keyPos(key)}
	}
	switch strings.ToLower(n.Value) {
	case "true", "yes", "on":
		return Bool{V: true, Pos: pos(n), Set: true}
	case "false", "no", "off":
		return Bool{V: false, Pos: pos(n), Set: true}
	}
	m.d.diags.Add(pos(n), join(m.path, key), fmt.Sprintf("expected true or false, found %q", n.Value), "")
	return Bool{Pos: pos(n)}
}

// list returns the items of a sequence (a single scalar is not accepted).
func (m *mapping) list(key string) []*yaml.Node {
	n := m.value(key)
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		m.d.diags.Add(pos(n), join(m.path, key), "expected a list, found "+kindName(n), "write it as [a, b] or one '- item' per line")
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = deref(c)
	}
	return out
}

func (m *mapping) strList(key string) []Str {
	var out []Str
	for i, n := range m.list(key) {
		if n.Kind != yaml.ScalarNode {
			m.d.diags.Add(pos(n), fmt.Sprintf("%s[%d]", join(m.path, key), i), "expected a string, found "+kindName(n), "")
			continue
		}
		out = append(out, Str{V: n.Value, Pos: pos(n), Set: true})
	}
	return out
}

// strMap reads a mapping of string to string (e.g. environment, tags).
func (m *mapping) strMap(key string) []KV {
	n := m.value(key)
	if n == nil {
		return nil
	}
	sub := m.d.mapping(n, join(m.path, key))
	if sub == nil {
		return nil
	}
	var out []KV
	for _, e := range sub.entries() {
		v := deref(e.Value)
		if v.Kind != yaml.ScalarNode {
			m.d.diags.Add(pos(v), join(sub.path, e.Key.Value), "expected a string, found "+kindName(v), "quote the value")
			continue
		}
		out = append(out, KV{Key: e.Key.Value, Value: Str{V: v.Value, Pos: pos(v), Set: true}})
	}
	return out
}

// sub returns the nested mapping under key with its allowed keys, or nil.
func (m *mapping) sub(key string, allowed ...string) *mapping {
	n := m.value(key)
	if n == nil {
		return nil
	}
	return m.d.mapping(n, join(m.path, key), allowed...)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

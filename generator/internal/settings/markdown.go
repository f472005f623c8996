package settings

import (
	"fmt"
	"strings"
)

// The reference doc's generated section lies between these lines.
const (
	DocBegin = "<!-- BEGIN settings table: generated from generator/internal/settings; edit the table, then go test ./generator/internal/settings -update -->"
	DocEnd   = "<!-- END settings table -->"
)

// Markdown is the reference doc's table of keys: one table per group of
// keys, with where the group appears, and each key's type, default,
// allowed values, description, merge rule and Terraform variable.
func Markdown() string {
	where := map[string][]string{}
	for _, e := range Paths() {
		switch e.Key.Type {
		case Object:
			where[e.Key.Group] = appendNew(where[e.Key.Group], e.Path)
		case MapOf:
			where[e.Key.Group] = appendNew(where[e.Key.Group], e.Path+"."+Placeholder(e.Key.Item))
		case ListOf:
			where[e.Key.Group] = appendNew(where[e.Key.Group], e.Path+"[]")
		}
	}
	for _, g := range Groups { // a group's keys are also where a group that includes it is
		if g.Include != "" {
			for _, p := range where[g.Name] {
				where[g.Include] = appendNew(where[g.Include], p)
			}
		}
	}
	var b strings.Builder
	for _, g := range Groups {
		fmt.Fprintf(&b, "### %s\n\n%s", g.Name, cell(g.Doc))
		if w := where[g.Name]; len(w) > 0 {
			b.WriteString(" At " + codeList(w) + ".")
		}
		if g.Include != "" {
			fmt.Fprintf(&b, " Also every key of [%s](#%s).", g.Include, g.Include)
		}
		b.WriteString("\n\n| Key | Type | Default | Allowed | Description |\n|---|---|---|---|---|\n")
		for _, k := range g.Keys {
			typ := k.Type.String()
			switch k.Type {
			case Object:
				typ = fmt.Sprintf("[%s](#%s)", k.Group, k.Group)
			case MapOf:
				typ = fmt.Sprintf("map of [%s](#%s)", k.Group, k.Group)
			case ListOf:
				typ = fmt.Sprintf("list of [%s](#%s)", k.Group, k.Group)
			}
			name := "`" + k.Name + "`"
			if k.Required {
				name += " (required)"
			}
			def := ""
			if k.DefaultLiteral() {
				def = "`" + k.Default + "`"
			} else if k.Default != "" {
				def = strings.TrimSuffix(strings.TrimPrefix(k.Default, "("), ")")
			}
			desc := k.Doc
			if rest, ok := strings.CutPrefix(k.Merge, functionMerge); ok {
				desc += " Merge: layered, the last set wins" + rest + "."
			} else if k.Merge != "" {
				desc += " Merge: " + k.Merge + "."
			}
			if k.TFVar != "" {
				desc += " Terraform: `var." + strings.Join(strings.Split(k.TFVar, ", "), "`, `var.") + "`."
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", name, typ, cell(def), cell(allowed(k)), cell(desc))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// allowed describes a key's allowed values or range.
func allowed(k Key) string {
	var parts []string
	if len(k.Enum) > 0 {
		vals := make([]string, len(k.Enum))
		for i, e := range k.Enum {
			vals[i] = "`" + e + "`"
		}
		s := strings.Join(vals, ", ")
		if k.Fold {
			s += " (any case)"
		}
		if k.Prefix != "" {
			s += " (optionally after `" + k.Prefix + "`)"
		}
		parts = append(parts, s)
	}
	if len(k.Ints) > 0 {
		vals := make([]string, len(k.Ints))
		for i, n := range k.Ints {
			vals[i] = fmt.Sprint(n)
		}
		parts = append(parts, strings.Join(vals, ", "))
	}
	if r := k.Range; r != nil {
		switch {
		case r.HasMin && r.HasMax:
			parts = append(parts, fmt.Sprintf("%d..%d", r.Min, r.Max))
		case r.HasMin:
			parts = append(parts, fmt.Sprintf("%d or more", r.Min))
		case r.HasMax:
			parts = append(parts, fmt.Sprintf("at most %d", r.Max))
		}
	}
	if k.MaxItems > 0 {
		parts = append(parts, fmt.Sprintf("at most %d entries", k.MaxItems))
	}
	if k.MaxLen > 0 {
		parts = append(parts, fmt.Sprintf("at most %d characters", k.MaxLen))
	}
	return strings.Join(parts, "; ")
}

// cell escapes what would break a table cell (|) or read as HTML (<env>
// outside code spans).
func cell(s string) string {
	parts := strings.Split(s, "`")
	for i := 0; i < len(parts); i += 2 { // outside code spans
		parts[i] = strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(parts[i])
	}
	return strings.ReplaceAll(strings.Join(parts, "`"), "|", `\|`)
}

func codeList(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = "`" + p + "`"
	}
	return strings.Join(q, ", ")
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// Document returns doc with its generated section (between DocBegin and
// DocEnd) replaced by Markdown(), and false when doc has no such section.
func Document(doc string) (string, bool) {
	i := strings.Index(doc, DocBegin)
	j := strings.Index(doc, DocEnd)
	if i < 0 || j < i {
		return doc, false
	}
	return doc[:i] + DocBegin + "\n\n" + Markdown() + doc[j:], true
}

package config

import "strings"

// RefPart is a piece of a value that may reference a table: literal text,
// or a reference (Ref is what stands between "${" and "}").
type RefPart struct {
	Text, Ref string
	IsRef     bool
}

// SplitRefs splits an environment value into text and ${...} references.
// "$${" is an escape: it stands for a literal "${" (as in Terraform), so a
// value can carry the text ${table.items.name} without referencing it.
// unclosed reports a "${" without its "}".
func SplitRefs(s string) (parts []RefPart, unclosed bool) {
	var text strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			text.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				text.WriteString(s[i:])
				i = len(s)
				unclosed = true
				continue
			}
			if text.Len() > 0 {
				parts = append(parts, RefPart{Text: text.String()})
				text.Reset()
			}
			parts = append(parts, RefPart{Ref: s[i+2 : i+2+end], IsRef: true})
			i += 2 + end + 1
		default:
			text.WriteByte(s[i])
			i++
		}
	}
	if text.Len() > 0 || len(parts) == 0 {
		parts = append(parts, RefPart{Text: text.String()})
	}
	return parts, unclosed
}

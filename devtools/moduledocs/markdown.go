package moduledocs

import (
	"bytes"
	"fmt"
	"strings"
)

// The markers around the generated part of a README, as terraform-docs
// writes them: everything between them belongs to this package, everything
// around them to the module's author.
const (
	Begin = "<!-- BEGIN_TF_DOCS -->"
	End   = "<!-- END_TF_DOCS -->"
)

// Generator is the command that writes the tables, named in the README so a
// reader knows not to edit them by hand.
const Generator = "go run ./devtools/cmd/moduledocs"

// Markdown renders the module's tables: Requirements, Resources, Inputs and
// Outputs. The result is deterministic.
func Markdown(m *Module) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- Generated from the module's .tf files by `%s`: edit those, not the tables. -->\n", Generator)

	b.WriteString("## Requirements\n\n")
	if len(m.Requirements) == 0 {
		b.WriteString("No requirements.\n")
	} else {
		b.WriteString("| name | source | version |\n| --- | --- | --- |\n")
		for _, r := range m.Requirements {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", r.Name, code(r.Source), code(r.Version))
		}
	}

	b.WriteString("\n## Resources\n\n")
	if len(m.Resources) == 0 {
		b.WriteString("No resources.\n")
	} else {
		b.WriteString("| name | kind |\n| --- | --- |\n")
		for _, r := range m.Resources {
			addr := r.Type + "." + r.Name
			if r.Mode == "data" {
				addr = "data." + addr
			}
			if url := docsURL(m, r); url != "" {
				addr = "[" + addr + "](" + url + ")"
			}
			fmt.Fprintf(&b, "| %s | %s |\n", addr, r.Mode)
		}
	}

	b.WriteString("\n## Inputs\n\n")
	if len(m.Inputs) == 0 {
		b.WriteString("No inputs.\n")
	} else {
		sensitive := false
		for _, in := range m.Inputs {
			sensitive = sensitive || in.Sensitive
		}
		b.WriteString("| name | description | type | default | required |")
		if sensitive {
			b.WriteString(" sensitive |")
		}
		b.WriteString("\n| --- | --- | --- | --- | --- |")
		if sensitive {
			b.WriteString(" --- |")
		}
		b.WriteString("\n")
		for _, in := range m.Inputs {
			desc := text(in.Description)
			for _, v := range in.Validations {
				desc += "<br>Checked: " + text(v)
			}
			def := "n/a"
			if !in.Required {
				def = code(in.Default)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |", in.Name, desc, code(in.Type), def, yesNo(in.Required))
			if sensitive {
				fmt.Fprintf(&b, " %s |", yesNo(in.Sensitive))
			}
			b.WriteString("\n")
		}
	}

	b.WriteString("\n## Outputs\n\n")
	if len(m.Outputs) == 0 {
		b.WriteString("No outputs.\n")
	} else {
		sensitive := false
		for _, o := range m.Outputs {
			sensitive = sensitive || o.Sensitive
		}
		b.WriteString("| name | description |")
		if sensitive {
			b.WriteString(" sensitive |")
		}
		b.WriteString("\n| --- | --- |")
		if sensitive {
			b.WriteString(" --- |")
		}
		b.WriteString("\n")
		for _, o := range m.Outputs {
			fmt.Fprintf(&b, "| `%s` | %s |", o.Name, text(o.Description))
			if sensitive {
				fmt.Fprintf(&b, " %s |", yesNo(o.Sensitive))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// Update returns readme with the part between Begin and End replaced by
// tables. The markers must each appear once, Begin first.
func Update(name string, readme []byte, tables string) ([]byte, error) {
	if n := bytes.Count(readme, []byte(Begin)); n != 1 {
		return nil, fmt.Errorf("%s: found %s %d times, want once: put %s and %s on their own lines where the tables belong", name, Begin, n, Begin, End)
	}
	if n := bytes.Count(readme, []byte(End)); n != 1 {
		return nil, fmt.Errorf("%s: found %s %d times, want once after %s", name, End, n, Begin)
	}
	i := bytes.Index(readme, []byte(Begin)) + len(Begin)
	j := bytes.Index(readme, []byte(End))
	if j < i {
		return nil, fmt.Errorf("%s: %s comes before %s: swap them", name, End, Begin)
	}
	var out bytes.Buffer
	out.Write(readme[:i])
	out.WriteString("\n")
	out.WriteString(tables)
	out.Write(readme[j:])
	return out.Bytes(), nil
}

// docsURL links a resource to its page in the Terraform registry when its
// provider comes from there.
func docsURL(m *Module, r Resource) string {
	local, _, _ := strings.Cut(r.Type, "_")
	source := "hashicorp/" + local
	for _, req := range m.Requirements {
		if req.Name == local && req.Source != "" {
			source = req.Source
		}
	}
	source = strings.TrimPrefix(source, "registry.terraform.io/")
	if strings.Count(source, "/") != 1 {
		return "" // another registry: no known page layout
	}
	kind := "resources"
	if r.Mode == "data" {
		kind = "data-sources"
	}
	return fmt.Sprintf("https://registry.terraform.io/providers/%s/latest/docs/%s/%s", source, kind, strings.TrimPrefix(r.Type, local+"_"))
}

// text escapes prose for a table cell.
func text(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "|", "\\|", "\r\n", "<br>", "\n", "<br>").Replace(strings.TrimSpace(s))
}

// code renders source text for a table cell: inline code when it fits on
// one line, a <pre> block with <br> line breaks otherwise (a table cell
// cannot hold a newline).
func code(s string) string {
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "\n") {
		fence := "`"
		for strings.Contains(s, fence) {
			fence += "`"
		}
		pad := ""
		if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
			pad = " "
		}
		return fence + pad + strings.ReplaceAll(s, "|", "\\|") + pad + fence
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = preEscaper.Replace(l)
	}
	return "<pre>" + strings.Join(lines, "<br>") + "</pre>"
}

// preEscaper keeps HTML and the table's pipes out of a <pre> cell; quotes
// stay as they are, so the raw Markdown still reads as HCL.
var preEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "&#124;")

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

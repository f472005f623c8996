// Package moduledocs keeps the reference tables of a Terraform module's
// README.md (requirements, resources, inputs, outputs) in step with the
// module's .tf files. It reads the files with the HCL parser Terraform itself
// uses, so what the README says is what Terraform sees: types, defaults,
// descriptions, sensitivity, whether an input is required and its validation
// messages. `go run ./devtools/cmd/moduledocs` rewrites the tables; `make lint`
// runs it with -check.
package moduledocs

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Module is what a README documents about one Terraform module.
type Module struct {
	Requirements []Requirement // terraform itself first, then providers by name
	Resources    []Resource    // managed resources, then data sources, each by address
	Inputs       []Input       // in declaration order (files by name)
	Outputs      []Output      // in declaration order (files by name)
}

// Requirement is terraform's required_version or one required provider.
type Requirement struct {
	Name    string // "terraform" or the provider's local name
	Source  string // e.g. hashicorp/aws; empty for terraform
	Version string // the version constraint; empty when none is set
}

// Resource is one resource or data block.
type Resource struct {
	Mode string // "resource" or "data"
	Type string // e.g. aws_lambda_function
	Name string // e.g. this
}

// Input is one variable block.
type Input struct {
	Name        string
	Description string
	Type        string // source text, formatted; "any" when the block has no type
	Default     string // source text, formatted; empty when Required
	Required    bool   // no default attribute
	Sensitive   bool
	Validations []string // the error messages of its validation blocks
}

// Output is one output block.
type Output struct {
	Name        string
	Description string
	Sensitive   bool
}

// Load reads every *.tf file directly in dir (not below it, so examples/ and
// other nested modules are left out) and collects what the README shows.
// Errors name the file, line and column.
func Load(dir string) (*Module, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no .tf files: is this a Terraform module directory?", dir)
	}
	sort.Strings(files)
	parser := hclparse.NewParser()
	m := &Module{}
	var diags hcl.Diagnostics
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		f, d := parser.ParseHCL(src, path)
		if d.HasErrors() {
			return nil, errorOf(d)
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			return nil, fmt.Errorf("%s: not HCL native syntax", path)
		}
		diags = append(diags, m.collect(body, src)...)
	}
	if diags.HasErrors() {
		return nil, errorOf(diags)
	}
	sortRequirements(m.Requirements)
	sort.SliceStable(m.Resources, func(i, j int) bool {
		a, b := m.Resources[i], m.Resources[j]
		if a.Mode != b.Mode {
			return a.Mode == "resource"
		}
		return a.Type+"."+a.Name < b.Type+"."+b.Name
	})
	return m, nil
}

func (m *Module) collect(body *hclsyntax.Body, src []byte) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range body.Blocks {
		switch b.Type {
		case "variable":
			in, d := input(b, src)
			diags = append(diags, d...)
			m.Inputs = append(m.Inputs, in)
		case "output":
			out, d := output(b)
			diags = append(diags, d...)
			m.Outputs = append(m.Outputs, out)
		case "terraform":
			reqs, d := requirements(b)
			diags = append(diags, d...)
			m.Requirements = append(m.Requirements, reqs...)
		case "resource", "data":
			if len(b.Labels) == 2 {
				m.Resources = append(m.Resources, Resource{Mode: b.Type, Type: b.Labels[0], Name: b.Labels[1]})
			}
		}
	}
	return diags
}

func input(b *hclsyntax.Block, src []byte) (Input, hcl.Diagnostics) {
	in := Input{Name: label(b), Type: "any", Required: true}
	var diags hcl.Diagnostics
	attrs := b.Body.Attributes
	if a, ok := attrs["description"]; ok {
		in.Description, diags = literalString(a, "variable", in.Name)
	}
	if a, ok := attrs["type"]; ok {
		in.Type = sourceOf(a.Expr, src)
	}
	if a, ok := attrs["default"]; ok {
		in.Default, in.Required = sourceOf(a.Expr, src), false
	}
	if a, ok := attrs["sensitive"]; ok {
		s, d := literalBool(a, "variable", in.Name)
		in.Sensitive, diags = s, append(diags, d...)
	}
	for _, v := range b.Body.Blocks {
		if v.Type != "validation" {
			continue
		}
		if a, ok := v.Body.Attributes["error_message"]; ok {
			msg, d := literalString(a, "variable", in.Name)
			diags = append(diags, d...)
			in.Validations = append(in.Validations, msg)
		}
	}
	return in, diags
}

func output(b *hclsyntax.Block) (Output, hcl.Diagnostics) {
	out := Output{Name: label(b)}
	var diags hcl.Diagnostics
	if a, ok := b.Body.Attributes["description"]; ok {
		out.Description, diags = literalString(a, "output", out.Name)
	}
	if a, ok := b.Body.Attributes["sensitive"]; ok {
		s, d := literalBool(a, "output", out.Name)
		out.Sensitive, diags = s, append(diags, d...)
	}
	return out, diags
}

// requirements reads required_version and required_providers of a
// terraform block. A provider is either `name = { source, version }` or
// the older `name = "<version>"`.
func requirements(b *hclsyntax.Block) ([]Requirement, hcl.Diagnostics) {
	var reqs []Requirement
	var diags hcl.Diagnostics
	if a, ok := b.Body.Attributes["required_version"]; ok {
		v, d := literalString(a, "terraform", "required_version")
		diags = append(diags, d...)
		reqs = append(reqs, Requirement{Name: "terraform", Version: v})
	}
	for _, rp := range b.Body.Blocks {
		if rp.Type != "required_providers" {
			continue
		}
		for name, a := range rp.Body.Attributes {
			v, d := a.Expr.Value(nil)
			if d.HasErrors() {
				diags = append(diags, notLiteral(a, "required_providers", name, "an object of literal strings"))
				continue
			}
			req := Requirement{Name: name}
			switch {
			case v.Type() == cty.String && v.IsKnown() && !v.IsNull():
				req.Version = v.AsString()
			case (v.Type().IsObjectType() || v.Type().IsMapType()) && v.IsKnown() && !v.IsNull():
				for k, f := range v.AsValueMap() {
					if f.Type() != cty.String || f.IsNull() {
						continue
					}
					switch k {
					case "source":
						req.Source = f.AsString()
					case "version":
						req.Version = f.AsString()
					}
				}
			default:
				diags = append(diags, notLiteral(a, "required_providers", name, "an object of literal strings"))
				continue
			}
			if req.Source == "" {
				req.Source = "hashicorp/" + name // Terraform's own default
			}
			reqs = append(reqs, req)
		}
	}
	return reqs, diags
}

func sortRequirements(reqs []Requirement) {
	sort.SliceStable(reqs, func(i, j int) bool {
		if (reqs[i].Name == "terraform") != (reqs[j].Name == "terraform") {
			return reqs[i].Name == "terraform"
		}
		return reqs[i].Name < reqs[j].Name
	})
}

func label(b *hclsyntax.Block) string {
	if len(b.Labels) == 0 {
		return ""
	}
	return b.Labels[0]
}

// literalString evaluates an attribute that must be a string without
// references: the docs are read without running Terraform.
func literalString(a *hclsyntax.Attribute, kind, name string) (string, hcl.Diagnostics) {
	v, d := a.Expr.Value(nil)
	if d.HasErrors() || v.Type() != cty.String || !v.IsKnown() || v.IsNull() {
		return "", hcl.Diagnostics{notLiteral(a, kind, name, "a literal string")}
	}
	return v.AsString(), nil
}

func literalBool(a *hclsyntax.Attribute, kind, name string) (bool, hcl.Diagnostics) {
	v, d := a.Expr.Value(nil)
	if d.HasErrors() || v.Type() != cty.Bool || !v.IsKnown() || v.IsNull() {
		return false, hcl.Diagnostics{notLiteral(a, kind, name, "true or false")}
	}
	return v.True(), nil
}

func notLiteral(a *hclsyntax.Attribute, kind, name, want string) *hcl.Diagnostic {
	r := a.Expr.Range()
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("%s %q: %s must be %s", kind, name, a.Name, want),
		Detail:   "module docs are read without evaluating Terraform; write the value out instead of computing it",
		Subject:  &r,
	}
}

// sourceOf returns an expression's text as written, formatted the way
// terraform fmt would format it standing alone (continuation lines lose the
// indentation of the block they came from).
func sourceOf(e hclsyntax.Expression, src []byte) string {
	r := e.Range()
	text := string(r.SliceBytes(src))
	const prefix = "x = "
	formatted := string(hclwrite.Format([]byte(prefix + text + "\n")))
	return strings.TrimSpace(strings.TrimPrefix(formatted, prefix))
}

// errorOf turns diagnostics into one error, each line "file:line,col: summary; detail".
func errorOf(diags hcl.Diagnostics) error {
	var lines []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		line := d.Summary
		if d.Subject != nil {
			line = fmt.Sprintf("%s:%d,%d: %s", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, d.Summary)
		}
		if d.Detail != "" {
			line += "; " + d.Detail
		}
		lines = append(lines, line)
	}
	return fmt.Errorf("%s", strings.Join(lines, "\n"))
}

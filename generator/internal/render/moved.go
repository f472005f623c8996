package render

import (
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/apibuilder/apibuilder/generator/internal/model"
)

// moved writes a moved block for every renamed route (package identity
// decides them), so Terraform moves their state instead of destroying and
// recreating them; nil when there is none.
func (r *envRenderer) moved() []byte {
	if len(r.env.Moves) == 0 {
		return nil
	}
	f := hclwrite.NewEmptyFile()
	for i, mv := range r.env.Moves {
		if i > 0 {
			f.Body().AppendNewline()
		}
		set(f.Body().AppendNewBlock("moved", nil).Body(), obj{
			{"from", expr("module." + model.RouteModule(mv.From))},
			{"to", expr("module." + model.RouteModule(mv.To))},
		})
	}
	return finish(f, "# Renamed routes: Terraform moves their state instead of destroying and recreating them.\n")
}

// IsGenerated reports whether a file was written by the generator.
func IsGenerated(src []byte) bool {
	return len(src) >= len(Header) && string(src[:len(Header)]) == Header
}

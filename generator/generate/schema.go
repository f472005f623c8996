package generate

import "github.com/apibuilder/apibuilder/generator/internal/settings"

// SchemaFile is where every generated project keeps the JSON Schema of its
// routes.yaml (a slash path relative to the project root); routes.yaml
// points editors at it with SchemaModeline as its first line.
const (
	SchemaFile     = settings.SchemaFile
	SchemaModeline = settings.ModelineComment
)

// Schema is the JSON Schema (draft-07) of routes.yaml, made from the
// generator's table of settings: `apibuilder schema` prints it, and every
// run keeps SchemaFile equal to it.
func Schema() []byte { return settings.JSONSchema() }

// addSchema adds the project's copy of the schema to the generated files,
// so the one writer keeps it current and -check reports it stale.
func addSchema(res *Result) { res.Files[SchemaFile] = Schema() }

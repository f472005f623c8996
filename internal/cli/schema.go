package cli

import (
	"context"
	"flag"

	"github.com/apibuilder/apibuilder/generator/generate"
)

var schemaCommand = &command{
	name:    "schema",
	summary: "print the JSON Schema of routes.yaml, for editors",
	manual: `    Prints the JSON Schema (draft-07) of routes.yaml: every key with
    its description (the text of docs/reference/routes-yaml.md), type,
    default, allowed values and range, made from the generator's one table
    of settings. It accepts every file the generator reads; the checks that
    need more than one value (references, combinations, files on disk)
    stay the generator's.

    apibuilder generate keeps a copy in .apibuilder/routes.schema.json, and
    apibuilder init starts routes.yaml with

      # yaml-language-server: $schema=.apibuilder/routes.schema.json

    so that an editor with a YAML language server (VS Code with Red Hat's
    YAML extension, Neovim, JetBrains, Helix) completes keys, shows their
    descriptions and underlines unknown keys, wrong types and values out of
    range, offline. Add that line to the top of an older project's
    routes.yaml to get the same.
`,
	footer: `
EXIT STATUS
    0 the schema is on stdout, 2 a bad command line.

EXAMPLES
    apibuilder schema > routes.schema.json
`,
	flags: func(fs *flag.FlagSet) runFunc {
		return func(_ context.Context, std *stdio, args []string) int {
			if !noArgs(std, "schema", args) {
				return 2
			}
			if _, err := std.out.Write(generate.Schema()); err != nil {
				return fail(std, "schema", err, "")
			}
			return 0
		}
	},
}

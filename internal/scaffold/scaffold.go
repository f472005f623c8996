// Package scaffold writes a new apibuilder project (`apibuilder init`): a
// routes.yaml with two routes, a table and a schema, a Go handler in the
// project's own Go module, a README, a .gitignore and the CI pipeline (a
// GitHub Actions workflow and a Dependabot config), which `apibuilder ci`
// rewrites later (WriteCI). The templates travel inside the binary, so init
// works anywhere.
package scaffold

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/apibuilder/apibuilder/generator/output"
)

//go:embed all:template
var templates embed.FS

// Options of a new project.
type Options struct {
	Dir    string // where to write it (created if missing)
	Name   string // the API's name; default: Dir's base name, made valid
	Module string // the Go module path; default: Name
	// Force writes into a directory that is not empty. Existing files are
	// never overwritten, with or without it.
	Force bool
	// Version is the apibuilder version the CI workflow installs; "" (a
	// development build) installs the latest release.
	Version string
}

// Envs are the environments a new project has.
var Envs = []string{"dev", "prod"}

var nameRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,29}$`)

// Name turns a directory name into an API name: lowercase letters, digits
// and '-', starting with a letter, at most 30 characters (so that
// "<name>-<env>-<route>" fits Lambda's 64).
func Name(dir string) (string, error) {
	base := strings.ToLower(filepath.Base(filepath.Clean(dir)))
	var b strings.Builder
	for _, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	for len(name) > 0 && (name[0] < 'a' || name[0] > 'z') {
		name = name[1:]
	}
	if len(name) > 30 {
		name = strings.TrimRight(name[:30], "-")
	}
	if !nameRe.MatchString(name) {
		return "", fmt.Errorf("cannot make an API name of the directory name %q: pass -name (lowercase letters, digits and '-', starting with a letter)", filepath.Base(dir))
	}
	return name, nil
}

// Init writes the project and returns the files written (slash paths
// relative to Dir). On any error nothing is written.
func Init(opt Options) ([]string, error) {
	if opt.Name == "" {
		n, err := Name(opt.Dir)
		if err != nil {
			return nil, err
		}
		opt.Name = n
	}
	if !nameRe.MatchString(opt.Name) {
		return nil, fmt.Errorf("-name %q: use lowercase letters, digits and '-', starting with a letter, at most 30 characters", opt.Name)
	}
	if opt.Module == "" {
		opt.Module = opt.Name
	}
	if entries, err := os.ReadDir(opt.Dir); err == nil && len(entries) > 0 && !opt.Force {
		return nil, fmt.Errorf("%s is not empty: init writes a new project; choose an empty or new directory, or pass -force to add the project's files next to what is there (no file is overwritten)", opt.Dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	files, err := render(opt)
	if err != nil {
		return nil, err
	}
	ci, err := CIFiles(CIOptions{Version: opt.Version, Envs: Envs})
	if err != nil {
		return nil, err
	}
	for rel, data := range ci {
		files[rel] = data
	}
	// Init never replaces a file that exists, not even a generated
	// workflow (`apibuilder ci` does that): the writer is told none is
	// generated. From now on every file is the team's except the pipeline
	// files, which carry the marker until the team takes them over.
	plan, err := output.Compute(opt.Dir, files, output.Owned{}, func([]byte) bool { return false })
	if err != nil {
		return nil, fmt.Errorf("%w (init never overwrites a file)", err)
	}
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return nil, err
	}
	if err := output.Apply(opt.Dir, files, plan); err != nil {
		return nil, err
	}
	return plan.Write, nil
}

// render fills in the project's templates (the pipeline files are CIFiles').
func render(opt Options) (map[string][]byte, error) {
	ver := opt.Version
	if ver == "" {
		ver = "latest"
	}
	data := map[string]any{
		"Name": opt.Name, "Title": strings.ToUpper(opt.Name[:1]) + opt.Name[1:], "Module": opt.Module,
		"Version": ver, "Envs": Envs, "GoToolchain": GoToolchain,
	}
	return renderTree(data, func(rel string) bool { return !strings.HasPrefix(rel, "_github/") })
}

// renderTree fills in the templates whose path (relative to template/)
// want accepts: "x.tmpl" becomes "x", "_x" becomes ".x".
func renderTree(data map[string]any, want func(rel string) bool) (map[string][]byte, error) {
	funcs := template.FuncMap{"args": args}
	files := map[string][]byte{}
	err := fs.WalkDir(templates, "template", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(p, "template/")
		if !want(rel) {
			return nil
		}
		src, err := templates.ReadFile(p)
		if err != nil {
			return err
		}
		parts := strings.Split(rel, "/")
		for i, part := range parts {
			if strings.HasPrefix(part, "_") {
				parts[i] = "." + part[1:]
			}
		}
		rel = path.Join(parts...)
		if name, ok := strings.CutSuffix(rel, ".tmpl"); ok {
			t, err := template.New(rel).Delims("[[", "]]").Funcs(funcs).Option("missingkey=error").Parse(string(src))
			if err != nil {
				return fmt.Errorf("template %s: %w", rel, err)
			}
			var b strings.Builder
			if err := t.Execute(&b, data); err != nil {
				return fmt.Errorf("template %s: %w", rel, err)
			}
			rel, src = name, []byte(b.String())
		}
		files[rel] = src
		return nil
	})
	return files, err
}

// args makes a map of its key, value pairs: the arguments of a template
// call ([[template "aws" (args "Role" "vars.X" "Session" "y")]]).
func args(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("args: an odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("args: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

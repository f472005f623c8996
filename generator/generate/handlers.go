package generate

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/diag"
	"github.com/apibuilder/apibuilder/generator/packaging"
)

// maxCompilerLines is how many of the compiler's errors a handler's
// diagnostic quotes; go build ./<handler> shows them all.
const maxCompilerLines = 3

// handlerErrors turns the handlers go build refused into diagnostics at
// the handler line of every route and authorizer that uses them, with
// the compiler's first errors, so a broken handler names the routes it
// breaks. Any other error is returned as it is.
func handlerErrors(cfg *config.Config, root, modRoot string, err error) error {
	failed := map[string]*packaging.BuildError{} // by source directory
	var other []error
	for _, e := range leaves(err) {
		var be *packaging.BuildError
		if errors.As(e, &be) {
			failed[be.Source] = be
		} else {
			other = append(other, e)
		}
	}
	if len(failed) == 0 || len(other) > 0 {
		return err
	}
	l := &diag.List{File: cfg.File}
	used := map[string]bool{}
	add := func(h config.Str, field string) {
		src, rerr := filepath.Rel(modRoot, filepath.Join(root, filepath.FromSlash(filepath.ToSlash(filepath.Clean(h.V)))))
		if rerr != nil {
			return
		}
		be, ok := failed[filepath.ToSlash(src)]
		if !ok {
			return
		}
		used[be.Source] = true
		l.Add(h.Pos, field, fmt.Sprintf("%q does not compile: %s", h.V, compilerErrors(be.Output)),
			fmt.Sprintf("fix the handler (go build ./%s in %s shows every error)", be.Source, modRoot))
	}
	for _, r := range cfg.Routes {
		add(r.Handler, r.Field+".handler")
	}
	for _, a := range cfg.Authorizers {
		if a.Type.V == "token" || a.Type.V == "request" {
			add(a.Handler, "authorizers."+a.Name.V+".handler")
		}
	}
	if len(used) < len(failed) {
		return err // a handler no routes.yaml entry names: say it as go build did
	}
	return l.Err()
}

// leaves flattens joined and wrapped errors into their parts.
func leaves(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}

// compilerErrors is the first few error lines of go build's output, on one
// line (its "# package" headers left out).
func compilerErrors(out string) string {
	var lines []string
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "# ") {
			continue
		}
		lines = append(lines, line)
	}
	if len(lines) > maxCompilerLines {
		more := len(lines) - maxCompilerLines
		lines = append(lines[:maxCompilerLines], fmt.Sprintf("(and %d more)", more))
	}
	return strings.Join(lines, "; ")
}

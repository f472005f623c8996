package render

import (
	"fmt"
	"strings"

	"github.com/apibuilder/apibuilder/generator/internal/model"
)

// A function's AWS names (function, role, policy, log group, S3 key, models)
// all come from "${local.name_prefix}-<suffix>". The suffix is its name when
// the function first appears; a renamed route keeps the suffix it was
// deployed under, so a rename only moves state (moved.tf) and replaces
// nothing. The previous main.tf is the record, so the suffix survives any
// number of later runs and chains of renames.

// function is one Lambda function of an environment as this run renders it.
type function struct {
	kind, name string // "route" or "authorizer", and its name in routes.yaml
	label      string // its module: route_<name> or authorizer_<name>
	// origin is the previous module whose state this one takes over: the
	// same label, or a renamed route's old one; "" for a new function.
	origin string
	suffix string // of "${local.name_prefix}-<suffix>"
}

// functions decides the AWS name suffix of every function of the env.
func (r *envRenderer) functions(prev Previous) []function {
	names := map[string]bool{}
	for _, rt := range r.m.Routes {
		names[rt.Name] = true
	}
	var out []function
	for _, rt := range r.m.Routes {
		f := function{kind: "route", name: rt.Name, label: routeModule(rt.Name), suffix: rt.Name}
		if _, ok := prev.Names[f.label]; ok {
			f.origin = f.label
		} else if old, ok := prev.Routes[rt.Method+" "+rt.Path]; ok && !names[old] {
			// The same rule as moved(): same method and path, and the old
			// name is gone. A module without a readable name is one an
			// older generator named after the route.
			f.origin, f.suffix = routeModule(old), old
		}
		if s, ok := prev.Names[f.origin]; ok {
			f.suffix = s
		}
		out = append(out, f)
	}
	for _, a := range r.m.Authorizers {
		if !a.IsFunction() {
			continue
		}
		f := function{kind: "authorizer", name: a.Name, label: authorizerModule(a.Name), suffix: a.Name}
		if _, ok := prev.Names[f.label]; ok {
			f.origin = f.label
		}
		out = append(out, f)
	}
	return out
}

// suffixes maps module labels to their AWS name suffixes.
func (r *envRenderer) suffixes() map[string]string {
	out := map[string]string{}
	for _, f := range r.functions(r.opt.Previous[r.env.Name]) {
		out[f.label] = f.suffix
	}
	return out
}

// Conflict is a function whose AWS name is still held by another module of
// the previous generation: applying both would make AWS refuse (or, for a
// removed holder, race) the second function of that name.
type Conflict struct {
	Env        string
	Kind, Name string // the function that wants the name: "route" or "authorizer", and its name
	AWSName    string // e.g. items-dev-get_item
	// HolderKind and Holder name the function deployed under AWSName, by
	// its current name. RenamedFrom is the route name AWSName came from when
	// the holder is a renamed route. Removed is set when the holder is gone
	// from routes.yaml but its removal has not been applied yet.
	HolderKind, Holder string
	RenamedFrom        string
	Removed            bool
}

// Message says what is wrong (for a diagnostic on the function's name).
func (c Conflict) Message() string {
	what := fmt.Sprintf("its function would be %q, which %s %q still deploys under in envs/%s", c.AWSName, c.HolderKind, c.Holder, c.Env)
	switch {
	case c.Removed:
		return what + " (it was removed from routes.yaml, but its function stays deployed until that removal is applied)"
	case c.RenamedFrom != "":
		return what + fmt.Sprintf(" (it was renamed from %q, and a renamed route keeps its deployed AWS names so that the rename only moves Terraform state)", c.RenamedFrom)
	}
	return what
}

// Hint says what to do.
func (c Conflict) Hint() string {
	if c.Removed {
		return fmt.Sprintf("give this %s another name, or add it in a later run: generate and apply without it first, so that %q is deleted", c.Kind, c.AWSName)
	}
	return fmt.Sprintf("give this %s another name, or take the name back in steps: remove %s %q, generate and apply (its function is deleted), then add both back", c.Kind, c.HolderKind, c.Holder)
}

// Conflicts lists, for every environment, the functions whose AWS name is
// held by another function's deployed state. Render assumes there are none.
func Conflicts(m *model.Model, opt Options) []Conflict {
	var out []Conflict
	for _, env := range m.Envs {
		r := &envRenderer{m: m, env: env, opt: opt}
		prev := opt.Previous[env.Name]
		holder := map[string]string{} // suffix -> previous module label
		for label, s := range prev.Names {
			holder[s] = label
		}
		fns := r.functions(prev)
		for _, f := range fns {
			h, ok := holder[f.suffix]
			if !ok || h == f.origin {
				continue
			}
			c := Conflict{Env: env.Name, Kind: f.kind, Name: f.name, AWSName: m.API.Name + "-" + env.Name + "-" + f.suffix, Removed: true}
			c.HolderKind, c.Holder, _ = strings.Cut(h, "_")
			for _, g := range fns {
				if g.origin == h {
					c.Removed, c.Holder = false, g.name
					if g.name != f.suffix {
						c.RenamedFrom = f.suffix
					}
				}
			}
			out = append(out, c)
		}
	}
	return out
}

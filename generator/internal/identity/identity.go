// Package identity decides, in one place, the AWS name of every Lambda
// function in every environment, and which Terraform state a renamed route
// takes over.
//
// A function's AWS names (function, role, policy, log group, package key,
// models) all come from "<api>-<env>-<suffix>". The suffix is the function's
// name when it first appears; a route renamed in place (same method and
// path) keeps the suffix it was deployed under, so the rename only moves
// state (a moved block) and replaces nothing. The previous generation of
// envs/<env>/main.tf is the record of those suffixes, so they survive any
// number of later runs and chains of renames (a -> b -> c).
//
// The caller reads the previous generation (ParsePrevious); Assign checks
// the result (names held by another function, AWS's length limit) as
// positioned diagnostics and writes the names and moves into the model,
// which render then only prints.
package identity

import (
	"fmt"
	"sort"
	"strings"

	"github.com/apibuilder/apibuilder/generator/internal/diag"
	"github.com/apibuilder/apibuilder/generator/internal/model"
)

// MaxNameLen is Lambda's and IAM's limit on function and role names.
const MaxNameLen = 64

const (
	routePrefix      = model.RouteModulePrefix
	authorizerPrefix = model.AuthorizerModulePrefix
)

// function is one Lambda function of an environment as this run generates it.
type function struct {
	kind, name string   // "route" or "authorizer", and its name in routes.yaml
	pos        diag.Pos // of that name
	field      string   // routes[i].name or authorizers.<name>
	label      string   // its module: route_<name> or authorizer_<name>
	// origin is the previous module whose state this one takes over: the
	// same label, or a renamed route's old one; "" for a new function.
	origin string
	suffix string // of "<api>-<env>-<suffix>"
}

// Assign decides every function's AWS name suffix and the moved blocks of
// every environment of m, given what was generated before (by env name;
// a missing env is a first generation). On success it fills each
// model.Env's FunctionNames and Moves; otherwise it returns a *diag.Error
// naming each function whose name is taken or too long, and m is unchanged.
func Assign(m *model.Model, previous map[string]Previous) error {
	l := diag.List{File: m.File}
	names := make([]map[string]string, len(m.Envs))
	moves := make([][]model.Move, len(m.Envs))
	for i, env := range m.Envs {
		prev := previous[env.Name]
		if prev.Names == nil {
			prev = ParsePrevious(nil, nil)
		}
		fns := functions(m, prev)
		conflicts(&l, m, env.Name, prev, fns)
		names[i] = map[string]string{}
		for _, f := range fns {
			names[i][f.label] = f.suffix
			full := m.API.Name + "-" + env.Name + "-" + f.suffix
			if len(full) > MaxNameLen {
				l.Add(f.pos, f.field, fmt.Sprintf("the function name %q is %d characters; Lambda and IAM allow %d", full, len(full), MaxNameLen),
					fmt.Sprintf("shorten the %s name or api.name", f.kind))
			}
		}
		moves[i] = renames(m, prev)
	}
	if err := l.Err(); err != nil {
		return err
	}
	for i := range m.Envs {
		m.Envs[i].FunctionNames = names[i]
		m.Envs[i].Moves = moves[i]
	}
	return nil
}

// functions decides the AWS name suffix of every function of an env.
func functions(m *model.Model, prev Previous) []function {
	current := map[string]bool{}
	for _, rt := range m.Routes {
		current[rt.Name] = true
	}
	var out []function
	for _, rt := range m.Routes {
		f := function{kind: "route", name: rt.Name, pos: rt.Pos, field: rt.Field + ".name", label: model.RouteModule(rt.Name), suffix: rt.Name}
		if _, ok := prev.Names[f.label]; ok {
			f.origin = f.label
		} else if old, ok := prev.Routes[rt.Method+" "+rt.Path]; ok && !current[old] {
			// The same rule as renames(): same method and path, and the old
			// name is gone. A module without a readable name is one an
			// older generator named after the route.
			f.origin, f.suffix = model.RouteModule(old), old
		}
		if s, ok := prev.Names[f.origin]; ok {
			f.suffix = s
		}
		out = append(out, f)
	}
	for _, a := range m.Authorizers {
		if !a.IsFunction() {
			continue
		}
		f := function{kind: "authorizer", name: a.Name, pos: a.Pos, field: "authorizers." + a.Name, label: model.AuthorizerModule(a.Name), suffix: a.Name}
		if _, ok := prev.Names[f.label]; ok {
			f.origin = f.label
		}
		out = append(out, f)
	}
	return out
}

// conflicts reports every function whose AWS name is still held by another
// module of the previous generation: applying both would make AWS refuse
// (or, for a removed holder, race) the second function of that name.
func conflicts(l *diag.List, m *model.Model, env string, prev Previous, fns []function) {
	holder := map[string]string{} // suffix -> previous module label
	for label, s := range prev.Names {
		holder[s] = label
	}
	for _, f := range fns {
		h, ok := holder[f.suffix]
		if !ok || h == f.origin {
			continue
		}
		c := conflict{env: env, kind: f.kind, awsName: m.API.Name + "-" + env + "-" + f.suffix, removed: true}
		c.holderKind, c.holder, _ = strings.Cut(h, "_")
		for _, g := range fns {
			if g.origin == h {
				c.removed, c.holder = false, g.name
				if g.name != f.suffix {
					c.renamedFrom = f.suffix
				}
			}
		}
		l.Add(f.pos, f.field, c.message(), c.hint())
	}
}

// conflict is a function that wants an AWS name another function holds.
type conflict struct {
	env, kind string // the function that wants the name: "route" or "authorizer"
	awsName   string // e.g. items-dev-get_item
	// holderKind and holder name the function deployed under awsName, by
	// its current name. renamedFrom is the route name awsName came from when
	// the holder is a renamed route. removed is set when the holder is gone
	// from routes.yaml but its removal has not been applied yet.
	holderKind, holder string
	renamedFrom        string
	removed            bool
}

func (c conflict) message() string {
	what := fmt.Sprintf("its function would be %q, which %s %q still deploys under in envs/%s", c.awsName, c.holderKind, c.holder, c.env)
	switch {
	case c.removed:
		return what + " (it was removed from routes.yaml, but its function stays deployed until that removal is applied)"
	case c.renamedFrom != "":
		return what + fmt.Sprintf(" (it was renamed from %q, and a renamed route keeps its deployed AWS names so that the rename only moves Terraform state)", c.renamedFrom)
	}
	return what
}

func (c conflict) hint() string {
	if c.removed {
		return fmt.Sprintf("give this %s another name, or add it in a later run: generate and apply without it first, so that %q is deleted", c.kind, c.awsName)
	}
	return fmt.Sprintf("give this %s another name, or take the name back in steps: remove %s %q, generate and apply (its function is deleted), then add both back", c.kind, c.holderKind, c.holder)
}

// renames lists a move for every route whose method and path stayed while
// its name changed, and keeps earlier moves whose target still exists
// (following chains a -> b -> c), so state follows a rename even when the
// generator runs several times before an apply.
func renames(m *model.Model, prev Previous) []model.Move {
	current := map[string]string{} // "METHOD path" -> name
	names := map[string]bool{}
	for _, rt := range m.Routes {
		current[rt.Method+" "+rt.Path] = rt.Name
		names[rt.Name] = true
	}
	moves := map[string]string{}
	for from, to := range prev.Moves {
		moves[from] = to
	}
	for endpoint, old := range prev.Routes {
		if now, ok := current[endpoint]; ok && now != old && !names[old] {
			moves[old] = now
		}
	}
	// Resolve chains up to the first route that exists now (a rename back,
	// a -> b then b -> a, ends at a) and drop moves whose target is gone.
	var out []model.Move
	for from := range moves {
		if names[from] {
			continue
		}
		to, seen := moves[from], map[string]bool{from: true}
		for next, ok := moves[to]; ok && !names[to] && !seen[to]; next, ok = moves[to] {
			seen[to] = true
			to = next
		}
		if names[to] {
			out = append(out, model.Move{From: from, To: to})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From < out[j].From })
	return out
}

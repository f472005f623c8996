package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/generator/packaging"
	"github.com/apibuilder/apibuilder/local/runner"
	"github.com/apibuilder/apibuilder/local/watch"
)

// WatchOptions configure Session.Watch.
type WatchOptions struct {
	// Out gets one line per swap, build error and regeneration (default:
	// the session's Out).
	Out io.Writer
	// OnEvent, if set, is called with each event after its line is written.
	OnEvent func(Event)
	// Quiet is how long the files must stay unchanged before a batch of
	// changes is acted on (default: the watch package's, 100 ms).
	Quiet time.Duration
}

// EventKind says what the watch did about a batch of changes.
type EventKind int

const (
	// Watching: the watch is set up; changes from now on are acted on.
	Watching EventKind = iota
	// Swapped: a handler's new build serves (Functions run it).
	Swapped
	// BuildFailed: a handler does not compile; its previous build serves.
	BuildFailed
	// Unchanged: a handler was rebuilt into the binary already running.
	Unchanged
	// Applied: routes.yaml, a schema or a module changed, and the new
	// generation is applied and serves; Changes says what the functions did.
	Applied
	// GenerateFailed: the generator refused the change (Err holds its
	// positioned diagnostics); the last good deployment serves.
	GenerateFailed
	// ApplyFailed: terraform apply failed; the stack keeps what it applied.
	ApplyFailed
)

func (k EventKind) String() string {
	return [...]string{"watching", "swapped", "build failed", "unchanged", "applied", "generate failed", "apply failed"}[k]
}

// Event is one thing the watch did.
type Event struct {
	Kind  EventKind
	Paths []string // the changed files behind it, relative to the project root
	// Handler is the handler directory, relative to the project root
	// (Swapped, BuildFailed, Unchanged).
	Handler   string
	Functions []string       // Swapped: the functions now running the new build
	Changes   runner.Changes // Applied: functions started, stopped and restarted
	// Took is the time from the first change seen to this event: for
	// Swapped, the edit-to-serve time.
	Took time.Duration
	Err  error
}

// Watch keeps the session up to date with the project until ctx ends: a
// change to a handler's Go source (or an in-module package it imports, or
// go.mod) rebuilds and swaps the functions built from it; a change to the
// routes file, a JSON schema or the project's Terraform modules
// regenerates, applies what changed on the same stack (no refresh: the
// stack is ours) and starts, stops or restarts the functions that changed.
// What fails is reported and the last good version keeps serving.
func (s *Session) Watch(ctx context.Context, opt WatchOptions) error {
	if opt.Out == nil {
		opt.Out = s.opt.Out
	}
	w, err := watch.New(s.Root, watch.Options{Quiet: opt.Quiet, SkipDirs: []string{"envs"}})
	if err != nil {
		return err
	}
	defer w.Close()
	wl := &watchLoop{s: s, opt: opt}
	if wl.modRoot, err = packaging.ModuleRoot(s.Root); err != nil {
		return err
	}
	wl.refreshDeps(ctx)
	wl.printf("Watching %s: a saved handler is rebuilt and swapped in; a saved %s, schema or module is generated and applied.\n", s.Root, filepath.Base(s.opt.Config))
	wl.emit(Event{Kind: Watching})
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-w.Errors():
			wl.printf("[watch] %v\n", err)
		case b, ok := <-w.Batches():
			if !ok {
				return nil
			}
			wl.handle(ctx, b)
		}
	}
}

type watchLoop struct {
	s       *Session
	opt     WatchOptions
	modRoot string
	deps    *depIndex
}

func (wl *watchLoop) printf(format string, args ...any) {
	fmt.Fprintf(wl.opt.Out, format, args...)
}

func (wl *watchLoop) emit(ev Event) {
	if wl.opt.OnEvent != nil {
		wl.opt.OnEvent(ev)
	}
}

// refreshDeps lists again which packages each running handler reads.
func (wl *watchLoop) refreshDeps(ctx context.Context) {
	var dirs []string
	for _, f := range wl.s.Runner.Functions() {
		dirs = appendOnce(dirs, f.SourceDir)
	}
	sort.Strings(dirs)
	idx, err := buildDeps(ctx, wl.modRoot, dirs)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		wl.printf("[watch] %v\n    (a change to a handler's own directory still rebuilds it)\n", err)
		idx = &depIndex{moduleRoot: wl.modRoot, pkgDirs: map[string][]string{}, files: map[string][]string{}}
		for _, d := range dirs {
			idx.pkgDirs[d] = []string{d}
		}
	}
	wl.deps = idx
}

// handle acts on one batch: regenerate and apply first (it may add,
// remove or move handlers), then rebuild the handlers the Go changes
// concern.
func (wl *watchLoop) handle(ctx context.Context, b watch.Batch) {
	var regen []string
	handlers := map[string][]string{} // handler dir -> changed paths
	all := false
	var goPaths []string
	for _, p := range b.Paths {
		if wl.regenerates(p) {
			regen = append(regen, p)
			continue
		}
		hs, a := wl.deps.affected(filepath.Join(wl.s.Root, filepath.FromSlash(p)))
		if a {
			all = true
			goPaths = append(goPaths, p)
		}
		for _, h := range hs {
			handlers[h] = append(handlers[h], p)
		}
	}
	if len(regen) > 0 {
		wl.reload(ctx, b, regen)
	}
	if all {
		for _, f := range wl.s.Runner.Functions() {
			handlers[f.SourceDir] = append(handlers[f.SourceDir], goPaths...)
		}
	}
	if len(handlers) == 0 {
		if len(regen) > 0 {
			wl.refreshDeps(ctx)
		}
		return
	}
	dirs := make([]string, 0, len(handlers))
	for d := range handlers {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, sw := range wl.s.Runner.Rebuild(ctx, dirs) {
		wl.reportSwap(b, sw, handlers[sw.Source])
	}
	wl.refreshDeps(ctx) // imports may have changed
}

// regenerates reports whether a changed file is an input of the generator:
// the routes file, a JSON schema, or a file of the project's own modules.
func (wl *watchLoop) regenerates(p string) bool {
	if cfg, err := filepath.Rel(wl.s.Root, wl.absConfig()); err == nil && filepath.ToSlash(cfg) == p {
		return true
	}
	if path.Ext(p) == ".json" {
		return true
	}
	mods := wl.s.Result.Modules
	if mods != "" && !filepath.IsAbs(mods) && !strings.Contains(mods, "://") && !strings.Contains(mods, "::") {
		mods = path.Clean(filepath.ToSlash(mods))
		if strings.HasPrefix(p, mods+"/") && path.Ext(p) == ".tf" {
			return true
		}
	}
	return false
}

func (wl *watchLoop) absConfig() string {
	c := wl.s.opt.Config
	if a, err := filepath.Abs(c); err == nil {
		c = a
	}
	return c
}

func (wl *watchLoop) rel(dir string) string {
	if r, err := filepath.Rel(wl.s.Root, dir); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return dir
}

func (wl *watchLoop) reportSwap(b watch.Batch, sw runner.Swap, paths []string) {
	ev := Event{Paths: paths, Handler: wl.rel(sw.Source), Functions: sw.Functions, Took: time.Since(b.First), Err: sw.Err}
	now := time.Now().Format("15:04:05")
	var be *runner.BuildError
	switch {
	case errors.As(sw.Err, &be):
		ev.Kind = BuildFailed
		wl.printf("[watch] %s %s does not build; the previous build keeps serving:\n%s\n", now, ev.Handler, indent(be.Output))
	case sw.Err != nil && len(sw.Functions) == 0:
		ev.Kind = BuildFailed
		wl.printf("[watch] %s %s: %v\n", now, ev.Handler, sw.Err)
	case sw.Unchanged:
		ev.Kind = Unchanged
		wl.printf("[watch] %s %s: rebuilt, same binary: nothing to swap (%s)\n", now, ev.Handler, seconds(sw.Build))
	default:
		ev.Kind = Swapped
		wl.printf("[watch] %s %s: %s serving the new build, %s after the change (build %s)\n", now, ev.Handler, list(sw.Functions), seconds(ev.Took), seconds(sw.Build))
		if sw.Err != nil {
			wl.printf("[watch]   but: %v\n", sw.Err)
		}
	}
	wl.emit(ev)
}

// reload regenerates, applies what changed and brings the functions in
// line with the new deployment.
func (wl *watchLoop) reload(ctx context.Context, b watch.Batch, paths []string) {
	s := wl.s
	ev := Event{Paths: paths}
	fail := func(kind EventKind, err error, what string) {
		ev.Kind, ev.Err, ev.Took = kind, err, time.Since(b.First)
		wl.printf("%s\n[watch] %s; the last good deployment keeps serving\n", prefixLines("[watch] ", err.Error()), what)
		wl.emit(ev)
	}
	wl.printf("[watch] %s %s changed: generate, apply what changed\n", time.Now().Format("15:04:05"), strings.Join(paths, ", "))
	var steps []string
	step := func(name string, since time.Time) { steps = append(steps, name+" "+seconds(time.Since(since))) }
	t0 := time.Now()
	res, err := generate.Run(ctx, generate.Options{Config: s.opt.Config, Envs: []string{s.opt.Env}})
	if err != nil {
		var de *generate.Diagnostics
		if errors.As(err, &de) {
			fail(GenerateFailed, err, fmt.Sprintf("%d problem(s) found, nothing was applied", len(de.Items)))
		} else {
			fail(GenerateFailed, err, "nothing was applied")
		}
		return
	}
	local, err := generate.Run(ctx, generate.Options{Config: s.opt.Config, Envs: []string{s.opt.Env}, NoBuild: true, OutDir: WorkDir})
	if err != nil {
		fail(GenerateFailed, err, "nothing was applied")
		return
	}
	s.Result = res
	step("generate", t0)
	if !sameModuleCalls(s.local, local) {
		t := time.Now()
		if err := s.Workspace.GetModules(ctx); err != nil {
			fail(ApplyFailed, fmt.Errorf("%w (full output: %s)", err, filepath.Join(s.Logs, "terraform.log")), "nothing was applied")
			return
		}
		step("terraform get", t)
	}
	s.local = local
	t := time.Now()
	s.Workspace.NoRefresh = true // the stack is ours: nobody else changes it
	if err := s.Workspace.Apply(ctx); err != nil {
		fail(ApplyFailed, fmt.Errorf("%w (full output: %s)", err, filepath.Join(s.Logs, "terraform.log")), "the stack keeps what was applied")
		return
	}
	out, err := s.Workspace.Outputs(ctx)
	if err != nil {
		fail(ApplyFailed, err, "the stack keeps what was applied")
		return
	}
	s.Outputs = out
	step("apply", t)
	t = time.Now()
	ch, err := s.Runner.Update(ctx, s.functions())
	step("functions", t)
	ev.Kind, ev.Changes, ev.Err, ev.Took = Applied, ch, err, time.Since(b.First)
	wl.printf("[watch] %s the new deployment serves, %s after the change (%s)\n", time.Now().Format("15:04:05"), seconds(ev.Took), strings.Join(steps, ", "))
	if len(ch.Added) > 0 {
		wl.printf("[watch]   started %s\n", list(ch.Added))
	}
	if len(ch.Removed) > 0 {
		wl.printf("[watch]   stopped %s\n", list(ch.Removed))
	}
	for _, r := range ch.Restarted {
		if r.Err != nil {
			wl.printf("[watch]   %s: %v\n", r, r.Err)
		} else {
			wl.printf("[watch]   restarted %s with its new configuration\n", r)
		}
	}
	if err != nil {
		wl.printf("[watch]   functions: %v\n", err)
	}
	wl.emit(ev)
}

// moduleCall matches a module block's first line and its source.
var moduleCall = regexp.MustCompile(`(?m)^module "([^"]+)" \{\s*\n\s*source\s*=\s*"([^"]*)"`)

// sameModuleCalls reports whether two generations call the same modules
// from the same sources: if not, terraform init must install them.
func sameModuleCalls(a, b *generate.Result) bool {
	calls := func(r *generate.Result) []string {
		if r == nil {
			return nil
		}
		var out []string
		for name, data := range r.Files {
			if path.Ext(name) != ".tf" {
				continue
			}
			for _, m := range moduleCall.FindAllSubmatch(data, -1) {
				out = append(out, name+" "+string(m[1])+" "+string(m[2]))
			}
		}
		sort.Strings(out)
		return out
	}
	return a != nil && slices.Equal(calls(a), calls(b))
}

// functions are the deployed functions and their handler directories.
func (s *Session) functions() []runner.Function {
	var fns []runner.Function
	for name, src := range s.Outputs.FunctionSources {
		fns = append(fns, runner.Function{Name: name, SourceDir: filepath.Join(s.Root, filepath.FromSlash(src))})
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Name < fns[j].Name })
	return fns
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// list names a few functions: "a, b and 3 more".
func list(names []string) string {
	const show = 4
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:show], ", "), len(names)-show)
}

func indent(text string) string { return prefixLines("    ", text) }

func prefixLines(prefix, text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

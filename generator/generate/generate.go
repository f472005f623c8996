// Package generate is apibuilder's generator as a library: the one pipeline
// (load routes.yaml → model → function identity → render → package → write)
// that the generator command, `apibuilder`, the local stack, the benchmarks
// and the tests all call in-process, so none of them depends on running
// `go run ./generator` from this repository's root.
package generate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	// AWS's rules register with config: every run checks them.
	_ "github.com/apibuilder/apibuilder/generator/internal/awsrules"
	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/diag"
	"github.com/apibuilder/apibuilder/generator/internal/identity"
	"github.com/apibuilder/apibuilder/generator/internal/lockfile"
	"github.com/apibuilder/apibuilder/generator/internal/modcopy"
	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/openapi"
	"github.com/apibuilder/apibuilder/generator/internal/render"
	"github.com/apibuilder/apibuilder/generator/internal/replacement"
	"github.com/apibuilder/apibuilder/generator/output"
	"github.com/apibuilder/apibuilder/generator/packaging"
	"github.com/apibuilder/apibuilder/internal/version"
	"github.com/apibuilder/apibuilder/modules"
)

// Options for one run.
type Options struct {
	// Config is the routes file (default "routes.yaml"). Handlers, schemas,
	// envs/ and build/ are relative to its directory, the project root.
	Config string
	// Envs are the environments to generate; empty means every one the
	// routes file defines (dev and prod when it defines none).
	Envs []string
	// Check writes no generated file and compares: Result.Stale and
	// Result.Diff say what is out of date, and Run returns ErrStale with the
	// result. (An up-to-date check still records itself under
	// build/generate/, so the next run can replay it.)
	Check bool
	// NoBuild skips building and zipping the functions (Check implies it).
	NoBuild bool
	// PackageOnly builds and zips the functions and writes no envs/.
	PackageOnly bool
	// OutDir is where the environments go, a slash path relative to the
	// project root (default "envs"). The local stack renders its own copy
	// (build/local/envs) so its state never mixes with the real one.
	OutDir string
	// Log receives packaging's lines (one per build run, a summary);
	// Verbose adds one per function; Progress draws a live progress line
	// (for a terminal). nil discards.
	Log      io.Writer
	Verbose  bool
	Progress bool

	// Modules and ModulesVersion are the Terraform modules written into
	// the project when routes.yaml names no modules: source (default: the
	// ones this build of apibuilder carries, at its version). Tests set
	// them to generate as another version would.
	Modules        fs.FS
	ModulesVersion string

	// Preview generates a namespaced copy of the one environment in Envs
	// (e.g. "pr-12" of dev): every AWS name is "<api>-<env>-<preview>-..."
	// (checked against AWS's length limits), its resources are tagged
	// preview = <name>, its state lives under its own key (with a
	// backend; Stage.Previews) or in its own directory, and it is written
	// under build/preview/<name>/ (PreviewDir), never into envs/. Empty:
	// the environments themselves.
	Preview string
}

// PreviewRoot is the directory, relative to the project root, holding
// every preview's generated environment (and, without a backend, its
// state): build/preview/<name>/envs/<env>.
const PreviewRoot = "build/preview"

// PreviewDir is where a run with Options.Preview = name and OutDir outDir
// ("" for envs) writes its environment directory.
func PreviewDir(name, outDir string) string {
	if outDir == "" {
		outDir = "envs"
	}
	return path.Join(PreviewRoot, name, outDir)
}

// Result is what a run generated.
type Result struct {
	Root string   // the project root (absolute)
	Envs []string // the environments generated, in routes-file order
	// Files is every generated file by slash path relative to Root
	// (e.g. "envs/dev/main.tf"); empty with PackageOnly.
	Files map[string][]byte
	// What the writer did (or, with Check, would do), as slash paths.
	Written, Unchanged, Removed []string
	// Replayed: nothing the last up-to-date run read or wrote had changed,
	// so this run loaded and rendered nothing and gives that run's result
	// again (the build still checks its own inputs).
	Replayed bool
	// Stale and Diff: with Check, whether files on disk are out of date and
	// a unified diff of each.
	Stale bool
	Diff  string
	// Modules is where the module calls point: a project directory (the
	// copy under .apibuilder/modules/<version>, or modules.path), or the
	// remote modules.source.
	Modules string
	// Functions lists every Lambda function (routes first, then token and
	// request authorizers).
	Functions []Function
	// Routes and Authorizers describe the API for callers of the deployed
	// stage (smoke calls, generated tests).
	API         API
	Routes      []Route
	Authorizers []Authorizer
	// Packages are the functions' artifacts (nil with NoBuild or Check),
	// and Packaging what building them took.
	Packages  []packaging.Artifact
	Packaging packaging.Summary
	// Notes are what the deployment needs from the AWS account that the
	// generator cannot provide (e.g. the account's API Gateway CloudWatch
	// role); Run logs each as "note: ..." when it writes a changed
	// generation, and every run, replayed ones included, returns them, so
	// a deployment can say them every time.
	Notes []string
	// Stages describe each generated environment as a deployment sees it,
	// in Envs order.
	Stages []Stage
	// Backend is the S3 backend routes.yaml names, or nil: then each
	// environment keeps its state in its directory.
	Backend *Backend
	// AccountDir is the generated root module that sets the account's API
	// Gateway CloudWatch role (envs/_account, with api.cloudwatch_role:
	// true), or "".
	AccountDir string
	// Preview is Options.Preview: this run generated that preview.
	Preview string
}

// Stage is one generated environment as a deployment sees it.
type Stage struct {
	Env, Name, Region string // environment, its API Gateway stage, its region
	// Dir is its generated directory, a slash path relative to Root
	// (envs/dev, or build/preview/pr-12/envs/dev-pr-12).
	Dir string
	// StateKey is the S3 key of its state with a backend, else "".
	StateKey string
	// Previews is, with a backend, the key prefix (ending in "/") under
	// which every preview of the environment keeps its state:
	// <key_prefix>/<api>/<env>/previews/.
	Previews string
	// Logs: the stage writes access or execution logs to CloudWatch, so
	// API Gateway refuses it unless the account's API Gateway settings
	// name a CloudWatch role (apigateway get-account: cloudwatchRoleArn).
	Logs bool
}

// Backend is where the environments keep their Terraform state.
type Backend struct {
	Bucket, Region, LockTable string
	Lockfile                  bool
}

// Function is one Lambda function of the API.
type Function struct {
	Kind         string // "route" or "authorizer"
	Name         string // its name in routes.yaml
	Handler      string // handler directory, slash path relative to Root
	Architecture string // arm64 or x86_64
}

// API is the REST API's name and CORS settings.
type API struct {
	Name string
	// CORSOrigins are the allowed origins; empty when CORS is off.
	CORSOrigins []string
}

// Route is one method and path, as a caller of the deployed API sees it.
type Route struct {
	Name, Method, Path string
	Handler            string // handler directory, slash path relative to Root
	// Auth names the authorizer ("" for none); AuthType is its type
	// (api_key, token, request, cognito or iam).
	Auth, AuthType string
	// RequestSchema and ResponseSchema are slash paths relative to Root, or "".
	RequestSchema, ResponseSchema string
	SuccessStatus                 int
	Query, Headers                []string // required query strings and headers
	Scopes                        []string // OAuth scopes (cognito)
	// Example is the request body example (JSON), or nil; ExampleParams
	// are example values of path parameters, query strings and headers.
	Example       []byte
	ExampleParams map[string]string
}

// Authorizer is a named way to authenticate callers.
type Authorizer struct {
	Name, Type     string   // api_key, token, request, cognito, iam
	IdentitySource []string // method.request.header.Authorization, ...
	// TestToken is a token authorizer's identity value allowed in dev, or
	// ""; TestIdentity a request authorizer's (source name -> value).
	TestToken    string
	TestIdentity map[string]string
	// Keys are an api_key authorizer's API key names.
	Keys []string
	// UserPoolArns are a cognito authorizer's user pools.
	UserPoolArns []string
}

// Diagnostic is one positioned problem in the routes file.
type Diagnostic = diag.Diagnostic

// Diagnostics is the error Run returns for an invalid routes file: every
// problem, sorted by position. Nothing was written.
type Diagnostics = diag.Error

// ErrStale is returned by a Check run that found out-of-date files.
var ErrStale = errors.New("generated files are out of date: run the generator")

// Run runs the pipeline. On any error nothing is written; a *Diagnostics
// error lists every problem of the routes file.
func Run(ctx context.Context, opt Options) (*Result, error) {
	if opt.Config == "" {
		opt.Config = "routes.yaml"
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if opt.OutDir == "" {
		opt.OutDir = "envs"
	}
	start := time.Now()
	warm := warmRecord(opt)
	if res, ok, err := warm.replay(ctx, opt); ok {
		return res, err
	}
	cfg, err := config.Load(opt.Config)
	if err != nil {
		return nil, err
	}
	m := model.Build(cfg)
	if err := selectEnvs(m, opt.Envs, cfg.File); err != nil {
		return nil, err
	}
	res := &Result{Root: cfg.Dir, Files: map[string][]byte{}, Preview: opt.Preview}
	// What the account needs, and where the account's settings are
	// generated, are the environment's own, preview or not.
	res.Notes = notes(m, path.Join(path.Clean(opt.OutDir), render.AccountDir))
	if m.Backend != nil {
		b := m.Backend
		res.Backend = &Backend{Bucket: b.Bucket, Region: b.Region, LockTable: b.LockTable, Lockfile: b.Lockfile}
	}
	envNames := make([]string, len(m.Envs)) // as routes.yaml names them
	previews := make([]string, len(m.Envs))
	for i, e := range m.Envs {
		envNames[i] = e.Name
		if m.Backend != nil {
			previews[i] = model.PreviewStatePrefix(m.Backend.KeyPrefix, m.API.Name, e.Name)
		}
	}
	if m.API.CloudWatchRole {
		res.AccountDir = path.Join(path.Clean(opt.OutDir), render.AccountDir)
	}
	if opt.Preview != "" {
		if err := m.Preview(opt.Preview); err != nil {
			return nil, fmt.Errorf("-preview: %w", err)
		}
	}
	for _, e := range m.Envs {
		res.Envs = append(res.Envs, e.Name)
	}
	describe(m, res)
	// A project without go.mod can still render (-no-build, -check).
	modRoot, fns, fnErr := functions(res.Root, m)
	if opt.PackageOnly {
		if fnErr != nil {
			return nil, fnErr
		}
		res.Packages, res.Packaging, err = build(ctx, res.Root, modRoot, fns, opt)
		if err != nil {
			err = handlerErrors(cfg, res.Root, modRoot, err)
		}
		return res, err
	}

	ropt := render.Options{OutDir: path.Clean(opt.OutDir), BuildDir: buildDir}
	if opt.Preview != "" {
		ropt.OutDir = PreviewDir(opt.Preview, ropt.OutDir)
	}
	copies, err := moduleFiles(m, opt, &ropt)
	if err != nil {
		return nil, err
	}
	res.Modules = ropt.ModulesDir
	if ropt.ModulesSource != "" {
		res.Modules = ropt.ModulesSource
	}
	dirs := make([]string, len(m.Envs))
	previous := map[string]identity.Previous{}
	previousMain := map[string][]byte{}
	for i, e := range m.Envs {
		dirs[i] = path.Join(ropt.OutDir, e.Name)
		st := Stage{Env: envNames[i], Name: e.Stage, Region: e.Region, Dir: dirs[i], Previews: previews[i], Logs: logs(m, e)}
		if m.Backend != nil {
			st.StateKey = m.Backend.StateKey(m.API.Name + "/" + e.Name)
		}
		res.Stages = append(res.Stages, st)
		envDir := filepath.Join(res.Root, filepath.FromSlash(dirs[i]))
		// The previous main.tf, read once: its names and its tables.
		previousMain[e.Name] = readGenerated(envDir, "main.tf")
		previous[e.Name] = identity.ParsePrevious(previousMain[e.Name], readGenerated(envDir, "moved.tf"))
	}
	if err := identity.Assign(m, previous); err != nil {
		return nil, err
	}
	if err := replacement.Tables(m, previousMain); err != nil {
		return nil, err
	}
	res.Files = render.Render(m, ropt)
	losses, err := addOpenAPI(m, res, dirs)
	if err != nil {
		return nil, err
	}
	for _, l := range losses {
		fmt.Fprintln(opt.Log, l)
	}
	accountDir := path.Join(ropt.OutDir, render.AccountDir)
	addLockFiles(res, append(slices.Clone(dirs), accountDir))
	maps.Copy(res.Files, copies)
	addSchema(res)
	owned := output.Owned{Dirs: append(slices.Clone(dirs), accountDir), Trees: []string{modcopy.Root}}
	// What an up-to-date run would give again while nothing changes.
	saveWarm := func() {
		warm.save(res, append([]string{filepath.Join(cfg.Dir, filepath.Base(cfg.File))}, cfg.Inputs...), append(slices.Clone(owned.Dirs), owned.Trees...),
			warmPayload{Losses: losses, ModRoot: modRoot, Functions: fns}, start)
	}
	plan, err := output.Compute(res.Root, res.Files, owned, isGenerated)
	if err != nil {
		return nil, err
	}
	res.Written, res.Unchanged, res.Removed = plan.Write, plan.Unchanged, plan.Remove
	edited, err := editedModules(res.Root, plan)
	if err != nil {
		return nil, err
	}
	if opt.Check {
		if plan.Changed() {
			res.Stale, res.Diff = true, diff(res.Root, res.Files, plan, edited)
			return res, ErrStale
		}
		saveWarm()
		return res, nil
	}
	if len(edited) > 0 {
		return nil, fmt.Errorf("the module copy was edited by hand: %s; generate would overwrite or remove your edit. Make the change in apibuilder's modules (or use your own copy with modules: { path: <dir> } in %s), then delete the edited files and generate again", strings.Join(edited, ", "), filepath.Base(opt.Config))
	}
	if !opt.NoBuild {
		if fnErr != nil {
			return nil, fnErr
		}
		if res.Packages, res.Packaging, err = build(ctx, res.Root, modRoot, fns, opt); err != nil {
			return nil, handlerErrors(cfg, res.Root, modRoot, err)
		}
	}
	if err := output.Apply(res.Root, res.Files, plan); err != nil {
		return nil, err
	}
	if !plan.Changed() {
		saveWarm()
	}
	// Said when the generation changes (the first run included), not on
	// every warm run, where a repeated paragraph would hide what changed.
	if plan.Changed() {
		for _, n := range res.Notes {
			fmt.Fprintf(opt.Log, "note: %s\n", n)
		}
	}
	return res, nil
}

// describe fills in what the result tells about the API.
func describe(m *model.Model, res *Result) {
	for _, f := range m.Functions() {
		res.Functions = append(res.Functions, Function{Kind: f.Kind, Name: f.Name, Handler: f.Handler, Architecture: f.Architecture})
	}
	res.API = API{Name: m.API.Name}
	if m.API.CORS != nil {
		res.API.CORSOrigins = slices.Clone(m.API.CORS.AllowOrigins)
	}
	types := map[string]string{}
	for _, p := range m.UsagePlans {
		types[p.Name] = "api_key"
		res.Authorizers = append(res.Authorizers, Authorizer{Name: p.Name, Type: "api_key", IdentitySource: []string{"method.request.header.x-api-key"}, Keys: slices.Clone(p.Keys)})
	}
	for _, a := range m.Authorizers {
		types[a.Name] = a.Type
		res.Authorizers = append(res.Authorizers, Authorizer{Name: a.Name, Type: a.Type, IdentitySource: slices.Clone(a.IdentitySource), TestToken: a.TestToken, TestIdentity: maps.Clone(a.TestIdentity), UserPoolArns: slices.Clone(a.UserPoolArns)})
	}
	for _, r := range m.Routes {
		rt := Route{
			Name: r.Name, Method: r.Method, Path: r.Path, Handler: r.Handler,
			RequestSchema: r.RequestSchema, ResponseSchema: r.ResponseSchema, SuccessStatus: r.SuccessStatus,
			Scopes: slices.Clone(r.Scopes), Example: slices.Clone(r.RequestExample), ExampleParams: maps.Clone(r.ExampleParams),
			Auth: r.Auth, AuthType: types[r.Auth],
		}
		for _, p := range slices.Sorted(maps.Keys(r.RequestParameters)) {
			if q, ok := strings.CutPrefix(p, "method.request.querystring."); ok {
				rt.Query = append(rt.Query, q)
			} else if h, ok := strings.CutPrefix(p, "method.request.header."); ok {
				rt.Headers = append(rt.Headers, h)
			}
		}
		res.Routes = append(res.Routes, rt)
	}
}

// addOpenAPI adds each environment's OpenAPI document (envs/<env>/openapi.json)
// and returns, once, the lines saying what the schema conversion could not
// express.
func addOpenAPI(m *model.Model, res *Result, dirs []string) ([]string, error) {
	read := func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(res.Root, filepath.FromSlash(rel))) }
	var lines []string
	for i, e := range m.Envs {
		doc, losses, err := openapi.Render(m, e, read)
		if err != nil {
			return nil, err
		}
		res.Files[path.Join(dirs[i], openapi.FileName)] = doc
		if i > 0 {
			continue // every environment has the same schemas
		}
		for _, l := range losses {
			lines = append(lines, "openapi: "+l.String())
		}
	}
	return lines, nil
}

// readGenerated is a file the generator wrote into dir last time, or nil:
// files without the generated header are the user's and are ignored.
func readGenerated(dir, name string) []byte {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil || !render.IsGenerated(data) {
		return nil
	}
	return data
}

// isGenerated tells the files the generator may replace or remove: its
// own, and the Terraform lock files of the directories it generates.
func isGenerated(data []byte) bool {
	return render.IsGenerated(data) || lockfile.IsLockFile(data)
}

// addLockFiles adds the dependency lock file of every generated root
// module among dirs (slash paths relative to the root): the provider
// version and checksums of this release, plus the checksums for other
// platforms a team added to the one on disk (package lockfile).
func addLockFiles(res *Result, dirs []string) {
	for _, dir := range dirs {
		if res.Files[path.Join(dir, "versions.tf")] == nil {
			continue
		}
		name := path.Join(dir, lockfile.FileName)
		existing, err := os.ReadFile(filepath.Join(res.Root, filepath.FromSlash(name)))
		if err != nil || !lockfile.IsLockFile(existing) {
			existing = nil
		}
		res.Files[name] = lockfile.Render(existing)
	}
}

// notes are what the generated configuration needs from the AWS account
// that the generator cannot provide.
func notes(m *model.Model, accountDir string) []string {
	logging := m.API.AccessLogs
	for _, e := range m.Envs {
		logging = logging || logs(m, e)
	}
	if !logging {
		return nil
	}
	need := "access logs (api.access_logs, on by default) and execution logs need the account's API Gateway CloudWatch role, set once per account and region; API Gateway refuses the stage without it. "
	check := "(aws apigateway get-account --query cloudwatchRoleArn)"
	if m.API.CloudWatchRole {
		return []string{need + "Apply " + accountDir + " once in every account and region you deploy to, before the environments; where the account already has one " + check + ", adopt it with -var cloudwatch_role_arn=<arn>. apibuilder bootstrap does this for a pipeline."}
	}
	return []string{need + "Check that every account you deploy to has one " + check + ", or set api.cloudwatch_role: true to generate " + accountDir + ", which sets it (apply it once per account and region), or set api.access_logs: false."}
}

// logs reports whether env's stage writes access or execution logs to
// CloudWatch, which needs the account's API Gateway CloudWatch role.
func logs(m *model.Model, e model.Env) bool {
	return m.API.AccessLogs || e.LoggingLevel != "" && e.LoggingLevel != "OFF" || e.DataTrace
}

func selectEnvs(m *model.Model, want []string, file string) error {
	if len(want) == 0 {
		return nil
	}
	var keep []model.Env
	have := make([]string, len(m.Envs))
	for i, e := range m.Envs {
		have[i] = e.Name
		if slices.Contains(want, e.Name) {
			keep = append(keep, e)
		}
	}
	for _, w := range want {
		if !slices.Contains(have, w) {
			return fmt.Errorf("-env %s: %s defines no such environment (it has: %s)", w, file, strings.Join(have, ", "))
		}
	}
	m.Envs = keep
	return nil
}

// moduleFiles decides where module calls point, and returns the module
// copy to write when the project uses the modules the tool carries.
func moduleFiles(m *model.Model, opt Options, ropt *render.Options) (map[string][]byte, error) {
	switch {
	case m.Modules.Path != "":
		ropt.ModulesDir = m.Modules.Path
		return nil, nil
	case m.Modules.Source != "":
		ropt.ModulesSource, ropt.ModulesVersion = m.Modules.Source, m.Modules.Version
		return nil, nil
	}
	fsys, ver := opt.Modules, opt.ModulesVersion
	if fsys == nil {
		fsys = modules.FS
	}
	if ver == "" {
		ver = version.Release()
	}
	if ver == "" || strings.Contains(ver, "+") {
		// A development build: name its modules by their content.
		v, err := modcopy.DevelVersion(fsys)
		if err != nil {
			return nil, err
		}
		ver = v
	}
	ropt.ModulesDir = modcopy.Dir(ver)
	return modcopy.Files(fsys, ver, render.Header)
}

// editedModules lists hand-edited files of the module copy that the plan
// would replace or remove.
func editedModules(root string, plan output.Plan) ([]string, error) {
	edited, err := modcopy.Edited(root)
	if err != nil || len(edited) == 0 {
		return nil, err
	}
	touched := map[string]bool{}
	for _, rel := range append(slices.Clone(plan.Write), plan.Remove...) {
		touched[rel] = true
	}
	var out []string
	for _, rel := range edited {
		if touched[rel] || modcopy.IsManifest(rel) {
			out = append(out, rel)
		}
	}
	return out, nil
}

func diff(root string, files map[string][]byte, plan output.Plan, edited []string) string {
	var b strings.Builder
	for _, rel := range edited {
		fmt.Fprintf(&b, "%s: edited by hand (it differs from what its manifest says was generated)\n", rel)
	}
	for _, rel := range plan.Write {
		old, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		b.WriteString(output.Diff(rel, old, files[rel]))
	}
	for _, rel := range plan.Remove {
		fmt.Fprintf(&b, "--- %s (on disk)\n+++ /dev/null (stale: its route was removed)\n", rel)
	}
	return b.String()
}

// buildDir is where the functions' packages go, relative to the root.
const buildDir = "build/functions"

// functions lists what build packages: every function's handler (routes
// and token or request authorizers) in the Go module holding them.
func functions(root string, m *model.Model) (modRoot string, fns []packaging.Function, err error) {
	if modRoot, err = packaging.ModuleRoot(root); err != nil {
		return "", nil, err
	}
	for _, f := range m.Functions() {
		src, err := filepath.Rel(modRoot, filepath.Join(root, filepath.FromSlash(f.Handler)))
		if err != nil {
			return "", nil, err
		}
		fns = append(fns, packaging.Function{Name: f.Name, SourceDir: filepath.ToSlash(src), Arch: f.Architecture})
	}
	return modRoot, fns, nil
}

// build packages fns into <root>/<buildDir>: one zip per distinct build,
// and the manifest the generated envs read.
func build(ctx context.Context, root, modRoot string, fns []packaging.Function, opt Options) ([]packaging.Artifact, packaging.Summary, error) {
	return packaging.Build(ctx, fns, packaging.Options{
		ModuleRoot: modRoot, OutDir: filepath.Join(root, filepath.FromSlash(buildDir)),
		Log: opt.Log, Verbose: opt.Verbose, Progress: opt.Progress,
	})
}

package ghrun

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Event is what triggered a run: github.event_name, github.event (the
// webhook payload), github.ref and github.sha.
type Event struct {
	Name    string
	Payload map[string]any
	Ref     string
	SHA     string
}

// Runner runs a workflow's jobs on this machine. Jobs run one after the
// other in needs: order.
type Runner struct {
	Workflow   *Workflow
	Dir        string // the run's files: one directory per job, the event payload
	Repository string // OWNER/REPO
	// Vars are the repository variables, EnvVars the variables of each
	// GitHub environment (a job in that environment sees them over the
	// repository's), Secrets the secrets.
	Vars    map[string]string
	EnvVars map[string]map[string]string
	Secrets map[string]string
	// BaseEnv is the runner machine's environment (PATH, HOME, ...); the
	// GITHUB_* variables, the workflow's and the job's env: are added.
	BaseEnv map[string]string
	// Actions implement the uses: steps by action name (no @version).
	Actions map[string]Action
	// Replace, when it returns non-nil, runs instead of a run: step (a
	// step the test environment provides, e.g. an install from the
	// internet): the Action gets the step's env.
	Replace func(job *Job, step *Step) Action
	Log     io.Writer // every step's output, prefixed with its job (nil: discarded)

	runID int
}

// Action is a uses: step (or a replaced run: step) provided by the caller.
type Action func(ctx context.Context, s *StepContext) error

// StepContext is what an Action sees and may change.
type StepContext struct {
	Job       *JobResult
	Step      *Step
	With      map[string]string // the step's with:, expressions evaluated
	Env       map[string]string // the step's whole environment
	Workspace string            // the job's checkout directory
	Log       io.Writer
	outputs   map[string]string
	exports   map[string]string
	paths     []string
}

// SetOutput sets steps.<id>.outputs.<name>.
func (s *StepContext) SetOutput(name, value string) { s.outputs[name] = value }

// ExportEnv sets a variable for the rest of the job, as GITHUB_ENV does.
func (s *StepContext) ExportEnv(name, value string) { s.exports[name] = value }

// AddPath prepends dir to PATH for the rest of the job, as GITHUB_PATH does.
func (s *StepContext) AddPath(dir string) { s.paths = append(s.paths, dir) }

// RunResult is what a run did.
type RunResult struct {
	Event Event
	Jobs  []*JobResult // in the order they ran (skipped ones included)
}

// Job is the result of the job with id (the first matrix leg), or nil.
func (r *RunResult) Job(id string) *JobResult {
	for _, j := range r.Jobs {
		if j.ID == id {
			return j
		}
	}
	return nil
}

// Results are the job ids that did not succeed, with their results, or
// the ids of those that did ("check=success plan-dev=skipped ...").
func (r *RunResult) String() string {
	var parts []string
	for _, j := range r.Jobs {
		parts = append(parts, j.ID+"="+j.Result)
	}
	return strings.Join(parts, " ")
}

// JobResult is one job (one matrix leg) of a run.
type JobResult struct {
	ID          string
	Environment string // the GitHub environment it ran in
	Matrix      map[string]any
	Result      string // success, failure or skipped
	Outputs     map[string]string
	Steps       []*StepResult
	Workspace   string
	Vars        map[string]string // the variables the job saw
	Summary     string            // its steps' GITHUB_STEP_SUMMARY, concatenated
	Err         error             // why it failed
}

// Step is the result of the step named name (or with that id), or nil.
func (j *JobResult) Step(name string) *StepResult {
	for _, s := range j.Steps {
		if s.Name == name || s.ID == name {
			return s
		}
	}
	return nil
}

// Log is the output of all its steps.
func (j *JobResult) Log() string {
	var b strings.Builder
	for _, s := range j.Steps {
		fmt.Fprintf(&b, "--- step %q: %s\n%s", s.Name, s.Outcome, s.Log)
	}
	return b.String()
}

// StepResult is one step of a job.
type StepResult struct {
	ID, Name string
	Outcome  string // success, failure or skipped
	Outputs  map[string]string
	Log      string
}

// Run runs the jobs of the workflow that ev triggers. A job's failure is
// in its JobResult; the error is for a run that could not be carried out
// as GitHub would (an unsupported expression, an action the caller does
// not provide, an event the workflow does not run on).
func (r *Runner) Run(ctx context.Context, ev Event) (*RunResult, error) {
	if !r.Workflow.Triggered(ev) {
		return nil, fmt.Errorf("the workflow does not run on %s %v", ev.Name, ev.Payload["action"])
	}
	r.runID++
	runDir := filepath.Join(r.Dir, "run-"+strconv.Itoa(r.runID))
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, err
	}
	payload, err := json.Marshal(ev.Payload)
	if err != nil {
		return nil, err
	}
	eventPath := filepath.Join(runDir, "event.json")
	if err := os.WriteFile(eventPath, payload, 0o644); err != nil {
		return nil, err
	}
	var evTree map[string]any // JSON types, as expressions see them
	if err := json.Unmarshal(payload, &evTree); err != nil {
		return nil, err
	}
	github := map[string]any{
		"event_name": ev.Name, "event": evTree, "ref": ev.Ref, "sha": ev.SHA, "repository": r.Repository,
		"repository_owner": strings.Split(r.Repository, "/")[0], "run_id": strconv.Itoa(r.runID), "run_number": strconv.Itoa(r.runID),
		"server_url": "https://github.com", "token": "fake-github-token", "workspace": "", "actor": "apibuilder-test",
	}
	if pr, ok := evTree["pull_request"].(map[string]any); ok {
		github["head_ref"] = index(index(pr, "head"), "ref")
		github["base_ref"] = index(index(pr, "base"), "ref")
	}
	ordered, err := Order(r.Workflow.Jobs)
	if err != nil {
		return nil, err
	}
	res := &RunResult{Event: ev}
	done := map[string][]*JobResult{}
	for _, job := range ordered {
		legs := job.Matrix
		if legs == nil {
			legs = []map[string]any{nil}
		}
		for i, m := range legs {
			jr := &JobResult{ID: job.ID, Environment: job.Environment, Matrix: m, Outputs: map[string]string{}}
			dir := filepath.Join(runDir, job.ID)
			if job.Matrix != nil {
				dir += "-" + strconv.Itoa(i)
			}
			if err := r.runJob(ctx, job, jr, dir, github, eventPath, done); err != nil {
				return res, fmt.Errorf("job %s: %w", job.ID, err)
			}
			res.Jobs = append(res.Jobs, jr)
			done[job.ID] = append(done[job.ID], jr)
		}
	}
	return res, nil
}

func (r *Runner) jobVars(job *Job) map[string]string {
	vars := maps.Clone(r.Vars)
	if vars == nil {
		vars = map[string]string{}
	}
	if job.Environment != "" {
		maps.Copy(vars, r.EnvVars[job.Environment])
	}
	return vars
}

func anyMap(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// runJob runs one job (one matrix leg). A non-nil error stops the run.
func (r *Runner) runJob(ctx context.Context, job *Job, jr *JobResult, dir string, github map[string]any, eventPath string, done map[string][]*JobResult) error {
	needs := map[string]any{}
	needFailed, needNotOK := false, false
	for _, n := range job.Needs {
		result, outs := "success", map[string]any{}
		for _, leg := range done[n] {
			if leg.Result != "success" && result != "failure" {
				result = leg.Result
			}
			maps.Copy(outs, anyMap(leg.Outputs))
		}
		needs[n] = map[string]any{"result": result, "outputs": outs}
		needFailed = needFailed || result == "failure"
		needNotOK = needNotOK || result != "success"
	}
	jr.Vars = r.jobVars(job)
	matrix := map[string]any{}
	for k, v := range jr.Matrix {
		matrix[k] = v
	}
	wfEnv := map[string]string{}
	for k, v := range r.Workflow.Env {
		wfEnv[k] = v
	}
	sc := &Scope{Contexts: map[string]any{
		"github": github, "vars": anyMap(jr.Vars), "secrets": anyMap(r.Secrets), "needs": needs,
		"inputs": map[string]any{}, "matrix": matrix,
	}, Status: func(fn string) bool {
		switch fn {
		case "success":
			return !needNotOK
		case "failure":
			return needFailed
		}
		return false
	}}
	run, err := EvalIf(job.If, sc)
	if err != nil {
		return fmt.Errorf("if: %w", err)
	}
	if !run {
		jr.Result = "skipped"
		return nil
	}
	for _, s := range []string{job.ConcurrencyGroup, job.CancelExpr} {
		if _, err := Interpolate(s, sc); err != nil {
			return fmt.Errorf("concurrency: %w", err)
		}
	}
	r.logf(job, jr, "==> job %s (%s)", job.ID, job.Name)
	jr.Workspace = filepath.Join(dir, "work")
	temp := filepath.Join(dir, "tmp")
	for _, d := range []string{jr.Workspace, temp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	github = maps.Clone(github)
	github["workspace"] = jr.Workspace
	github["job"] = job.ID
	sc.Contexts["github"] = github
	sc.Contexts["runner"] = map[string]any{"os": "Linux", "arch": "X64", "temp": temp}
	sc.Contexts["job"] = map[string]any{"status": "success"}
	sc.HashFiles = func(patterns []string) (string, error) { return hashFiles(jr.Workspace, patterns) }

	// env: the workflow's, then the job's (evaluated once), then GITHUB_ENV.
	sc.Contexts["env"] = anyMap(wfEnv)
	jobEnv := maps.Clone(wfEnv)
	for _, k := range sortedKeys(job.Env) {
		v, err := Interpolate(job.Env[k], sc)
		if err != nil {
			return fmt.Errorf("env %s: %w", k, err)
		}
		jobEnv[k] = v
	}
	exported := map[string]string{}
	var paths []string
	steps := map[string]any{}
	stepFailed := false

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if job.TimeoutMinutes > 0 {
		ctx, cancel = context.WithTimeout(ctx, time.Duration(job.TimeoutMinutes*float64(time.Minute)))
		defer cancel()
	}
	for n, step := range job.Steps {
		sr := &StepResult{ID: step.ID, Name: step.Label(), Outputs: map[string]string{}}
		jr.Steps = append(jr.Steps, sr)
		env := maps.Clone(jobEnv)
		maps.Copy(env, exported)
		sc.Contexts["env"] = anyMap(env)
		sc.Contexts["steps"] = steps
		sc.Status = func(fn string) bool {
			switch fn {
			case "success":
				return !stepFailed
			case "failure":
				return stepFailed
			}
			return false
		}
		ok, err := EvalIf(step.If, sc)
		if err != nil {
			return fmt.Errorf("step %q: if: %w", sr.Name, err)
		}
		if step.Name != "" {
			if sr.Name, err = Interpolate(step.Name, sc); err != nil {
				return fmt.Errorf("step %q: name: %w", step.Name, err)
			}
		}
		if !ok {
			sr.Outcome = "skipped"
			if step.ID != "" {
				steps[step.ID] = map[string]any{"outputs": map[string]any{}, "outcome": "skipped", "conclusion": "skipped"}
			}
			continue
		}
		for _, k := range sortedKeys(step.Env) {
			v, err := Interpolate(step.Env[k], sc)
			if err != nil {
				return fmt.Errorf("step %q: env %s: %w", sr.Name, k, err)
			}
			env[k] = v
		}
		sc.Contexts["env"] = anyMap(env)
		files := map[string]string{}
		for _, f := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"} {
			files[f] = filepath.Join(temp, fmt.Sprintf("%s_%d", strings.ToLower(f), n))
			if err := os.WriteFile(files[f], nil, 0o644); err != nil {
				return err
			}
		}
		procEnv := r.processEnv(job, jr, github, eventPath, temp, env, files, paths)
		var log bytes.Buffer
		out := io.MultiWriter(&log, &prefixWriter{w: r.Log, prefix: "[" + job.ID + "] "})
		r.logf(job, jr, "--> %s", sr.Name)
		sctx := &StepContext{Job: jr, Step: step, Env: procEnv, Workspace: jr.Workspace, Log: out,
			outputs: sr.Outputs, exports: map[string]string{}, With: map[string]string{}}
		var stepErr error
		switch {
		case step.Uses != "":
			act := r.Actions[step.Action()]
			if act == nil {
				return fmt.Errorf("step %q uses %s, which the test environment does not provide", sr.Name, step.Uses)
			}
			for _, k := range sortedKeys(step.With) {
				if sctx.With[k], err = Interpolate(step.With[k], sc); err != nil {
					return fmt.Errorf("step %q: with %s: %w", sr.Name, k, err)
				}
			}
			stepErr = act(ctx, sctx)
		default:
			script, err := Interpolate(step.Run, sc)
			if err != nil {
				return fmt.Errorf("step %q: run: %w", sr.Name, err)
			}
			if act := r.replace(job, step); act != nil {
				fmt.Fprintf(out, "(replaced by the test environment)\n")
				stepErr = act(ctx, sctx)
				break
			}
			wd := jr.Workspace
			for _, d := range []string{job.WorkingDirectory, step.WorkingDirectory} {
				if d != "" {
					if d, err = Interpolate(d, sc); err != nil {
						return fmt.Errorf("step %q: working-directory: %w", sr.Name, err)
					}
					wd = filepath.Join(jr.Workspace, d)
				}
			}
			shell := cmpOr(step.Shell, job.Shell, "bash")
			stepErr = runScript(ctx, shell, script, filepath.Join(temp, fmt.Sprintf("step_%d.sh", n)), wd, procEnv, out)
		}
		// The files a step writes, then what an Action set directly.
		if err := readKV(files["GITHUB_OUTPUT"], sr.Outputs); err != nil {
			return fmt.Errorf("step %q: GITHUB_OUTPUT: %w", sr.Name, err)
		}
		if err := readKV(files["GITHUB_ENV"], exported); err != nil {
			return fmt.Errorf("step %q: GITHUB_ENV: %w", sr.Name, err)
		}
		maps.Copy(exported, sctx.exports)
		if data, err := os.ReadFile(files["GITHUB_PATH"]); err == nil {
			for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					paths = append([]string{l}, paths...)
				}
			}
		}
		for _, p := range sctx.paths {
			paths = append([]string{p}, paths...)
		}
		if data, err := os.ReadFile(files["GITHUB_STEP_SUMMARY"]); err == nil {
			jr.Summary += string(data)
		}
		sr.Log = log.String()
		outcome := "success"
		if stepErr != nil {
			outcome = "failure"
			fmt.Fprintf(out, "step failed: %v\n", stepErr)
			if !step.ContinueOnError {
				stepFailed = true
				if jr.Err == nil {
					jr.Err = fmt.Errorf("step %q: %w", sr.Name, stepErr)
				}
			}
		}
		sr.Outcome = outcome
		conclusion := outcome
		if step.ContinueOnError {
			conclusion = "success"
		}
		if step.ID != "" {
			steps[step.ID] = map[string]any{"outputs": anyMap(sr.Outputs), "outcome": outcome, "conclusion": conclusion}
		}
	}
	jr.Result = "success"
	if stepFailed {
		jr.Result = "failure"
		sc.Contexts["job"] = map[string]any{"status": "failure"}
	}
	for _, k := range sortedKeys(job.Outputs) {
		v, err := Interpolate(job.Outputs[k], sc)
		if err != nil {
			return fmt.Errorf("outputs %s: %w", k, err)
		}
		jr.Outputs[k] = v
	}
	if job.EnvironmentURL != "" {
		if _, err := Interpolate(job.EnvironmentURL, sc); err != nil {
			return fmt.Errorf("environment url: %w", err)
		}
	}
	r.logf(job, jr, "<== job %s: %s", job.ID, jr.Result)
	return nil
}

func (r *Runner) replace(job *Job, step *Step) Action {
	if r.Replace == nil {
		return nil
	}
	return r.Replace(job, step)
}

func (r *Runner) processEnv(job *Job, jr *JobResult, github map[string]any, eventPath, temp string, env, files map[string]string, paths []string) map[string]string {
	pe := maps.Clone(r.BaseEnv)
	if pe == nil {
		pe = map[string]string{}
	}
	pe["CI"] = "true"
	pe["GITHUB_ACTIONS"] = "true"
	pe["GITHUB_WORKSPACE"] = jr.Workspace
	pe["GITHUB_EVENT_NAME"] = toString(github["event_name"])
	pe["GITHUB_EVENT_PATH"] = eventPath
	pe["GITHUB_REF"] = toString(github["ref"])
	pe["GITHUB_SHA"] = toString(github["sha"])
	pe["GITHUB_REPOSITORY"] = r.Repository
	pe["GITHUB_RUN_ID"] = toString(github["run_id"])
	pe["GITHUB_JOB"] = job.ID
	pe["GITHUB_SERVER_URL"] = "https://github.com"
	pe["RUNNER_OS"] = "Linux"
	pe["RUNNER_TEMP"] = temp
	maps.Copy(pe, files)
	maps.Copy(pe, env)
	if len(paths) > 0 {
		pe["PATH"] = strings.Join(paths, string(os.PathListSeparator)) + string(os.PathListSeparator) + pe["PATH"]
	}
	return pe
}

// runScript runs a run: step as GitHub's runner does: the script in a file,
// bash --noprofile --norc -eo pipefail (sh -e for shell: sh).
func runScript(ctx context.Context, shell, script, file, dir string, env map[string]string, out io.Writer) error {
	var args []string
	switch shell {
	case "bash":
		args = []string{"bash", "--noprofile", "--norc", "-eo", "pipefail", file}
	case "sh":
		args = []string{"sh", "-e", file}
	default:
		return fmt.Errorf("shell %q is not supported (bash or sh)", shell)
	}
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 10 * time.Second
	for _, k := range sortedKeys(env) {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	err := cmd.Run()
	if ctx.Err() != nil {
		return fmt.Errorf("%w (the job's timeout-minutes)", ctx.Err())
	}
	return err
}

// readKV reads a GITHUB_OUTPUT / GITHUB_ENV file into m: name=value lines
// and name<<DELIM ... DELIM blocks.
func readKV(path string, m map[string]string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			closed := false
			for sc.Scan() {
				if sc.Text() == delim {
					closed = true
					break
				}
				val = append(val, sc.Text())
			}
			if !closed {
				return fmt.Errorf("%s<<%s: no closing %s", name, delim, delim)
			}
			m[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("line %q: want name=value or name<<DELIMITER", line)
		}
		m[name] = val
	}
	return sc.Err()
}

// hashFiles is GitHub's hashFiles(): the SHA-256 of the SHA-256 of each
// file matched, in path order; "" when none matches.
func hashFiles(dir string, patterns []string) (string, error) {
	var files []string
	for _, p := range patterns {
		if strings.Contains(p, "**") || strings.HasPrefix(p, "!") {
			return "", fmt.Errorf("hashFiles(%q): ** and ! patterns are not supported", p)
		}
		m, err := filepath.Glob(filepath.Join(dir, p))
		if err != nil {
			return "", err
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	files = slices.Compact(files)
	if len(files) == 0 {
		return "", nil
	}
	all := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		sum := sha256.Sum256(data)
		all.Write(sum[:])
	}
	return hex.EncodeToString(all.Sum(nil)), nil
}

func (r *Runner) logf(job *Job, jr *JobResult, format string, args ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, "["+job.ID+"] "+format+"\n", args...)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := slices.Collect(maps.Keys(m))
	sort.Strings(keys)
	return keys
}

func cmpOr(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// prefixWriter prefixes each line written to w.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	mid    bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if p.w == nil {
		return len(b), nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var out bytes.Buffer
	for _, c := range b {
		if !p.mid {
			out.WriteString(p.prefix)
			p.mid = true
		}
		out.WriteByte(c)
		if c == '\n' {
			p.mid = false
		}
	}
	if _, err := p.w.Write(out.Bytes()); err != nil {
		return 0, err
	}
	return len(b), nil
}

// ErrNoFiles is returned by artifact uploads that match nothing.
var ErrNoFiles = errors.New("no files matched")

// Package ghrun runs a GitHub Actions workflow's jobs on this machine, as
// GitHub would, so that a test can run the workflow apibuilder generates
// end to end against the local stack: it parses the workflow, selects the
// jobs an event triggers, orders them by needs:, evaluates if: and ${{ }}
// (the subset the generated workflow uses; anything else is an error, not
// a guess) and runs each run: step with bash in the job's workspace, with
// GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY honoured.
// The uses: steps are the caller's: it provides an Action for each one the
// workflow names (a checkout that clones a test repository, credentials
// for the local stack, artifacts in a directory), and a missing one is an
// error.
package ghrun

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Workflow is a parsed workflow file.
type Workflow struct {
	Name string
	On   map[string]any // event -> its filters (nil when none)
	Env  map[string]string
	Jobs []*Job // in file order
}

// Job is one job of a workflow.
type Job struct {
	ID, Name, If   string
	Needs          []string
	TimeoutMinutes float64
	Environment    string // the GitHub environment it runs in ("" none)
	EnvironmentURL string
	Permissions    map[string]string
	Env            map[string]string
	Outputs        map[string]string
	// Matrix is the strategy's include list (nil: no matrix). Only
	// matrix: {include: [...]} is supported.
	Matrix                       []map[string]any
	Shell, WorkingDirectory      string // defaults.run
	ConcurrencyGroup, CancelExpr string
	Steps                        []*Step
}

// Step is one step of a job.
type Step struct {
	ID, Name, If            string
	Uses, Run               string
	Shell, WorkingDirectory string
	With, Env               map[string]string
	ContinueOnError         bool
}

// Label names a step in messages: its name, else its uses or first line.
func (s *Step) Label() string {
	switch {
	case s.Name != "":
		return s.Name
	case s.Uses != "":
		return s.Uses
	}
	first, _, _ := strings.Cut(strings.TrimSpace(s.Run), "\n")
	return first
}

// Action is the name of a uses: step without its version ("actions/checkout").
func (s *Step) Action() string {
	name, _, _ := strings.Cut(s.Uses, "@")
	return name
}

// Job is the job with that id, or nil.
func (w *Workflow) Job(id string) *Job {
	for _, j := range w.Jobs {
		if j.ID == id {
			return j
		}
	}
	return nil
}

// ParseFile parses the workflow at path.
func ParseFile(path string) (*Workflow, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	w, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}

type rawWorkflow struct {
	Name string            `yaml:"name"`
	On   yaml.Node         `yaml:"on"`
	Env  map[string]string `yaml:"env"`
	Jobs yaml.Node         `yaml:"jobs"`
	// Workflow-level keys the runner has no use for.
	Permissions yaml.Node `yaml:"permissions"`
	Concurrency yaml.Node `yaml:"concurrency"`
}

type rawJob struct {
	Name           string            `yaml:"name"`
	If             string            `yaml:"if"`
	Needs          yaml.Node         `yaml:"needs"`
	RunsOn         string            `yaml:"runs-on"`
	TimeoutMinutes float64           `yaml:"timeout-minutes"`
	Environment    yaml.Node         `yaml:"environment"`
	Permissions    map[string]string `yaml:"permissions"`
	Concurrency    yaml.Node         `yaml:"concurrency"`
	Outputs        map[string]string `yaml:"outputs"`
	Env            map[string]string `yaml:"env"`
	Strategy       struct {
		FailFast    *bool `yaml:"fail-fast"`
		MaxParallel int   `yaml:"max-parallel"`
		Matrix      struct {
			Include []map[string]any `yaml:"include"`
		} `yaml:"matrix"`
	} `yaml:"strategy"`
	Defaults struct {
		Run struct {
			Shell            string `yaml:"shell"`
			WorkingDirectory string `yaml:"working-directory"`
		} `yaml:"run"`
	} `yaml:"defaults"`
	Steps []rawStep `yaml:"steps"`
}

type rawStep struct {
	ID               string            `yaml:"id"`
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	With             map[string]string `yaml:"with"`
	Env              map[string]string `yaml:"env"`
	ContinueOnError  bool              `yaml:"continue-on-error"`
	TimeoutMinutes   float64           `yaml:"timeout-minutes"`
}

// Parse parses a workflow. Keys the runner does not know are errors (with
// their line), so that a workflow using a feature the runner does not
// model fails loudly instead of running differently than on GitHub.
func Parse(data []byte) (*Workflow, error) {
	var raw rawWorkflow
	if err := decodeStrict(data, &raw); err != nil {
		return nil, err
	}
	w := &Workflow{Name: raw.Name, Env: raw.Env}
	if err := raw.On.Decode(&w.On); err != nil {
		// on: [push, pull_request] or on: push
		var list []string
		if err2 := raw.On.Decode(&list); err2 == nil {
			w.On = map[string]any{}
			for _, e := range list {
				w.On[e] = nil
			}
		} else if s := raw.On.Value; s != "" {
			w.On = map[string]any{s: nil}
		} else {
			return nil, fmt.Errorf("line %d: on: %v", raw.On.Line, err)
		}
	}
	if raw.Jobs.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: jobs: want a mapping", raw.Jobs.Line)
	}
	for i := 0; i+1 < len(raw.Jobs.Content); i += 2 {
		id, node := raw.Jobs.Content[i].Value, raw.Jobs.Content[i+1]
		var rj rawJob
		if err := decodeNodeStrict(node, &rj); err != nil {
			return nil, fmt.Errorf("job %s: %w", id, err)
		}
		j := &Job{ID: id, Name: rj.Name, If: rj.If, TimeoutMinutes: rj.TimeoutMinutes, Permissions: rj.Permissions,
			Env: rj.Env, Outputs: rj.Outputs, Matrix: rj.Strategy.Matrix.Include,
			Shell: rj.Defaults.Run.Shell, WorkingDirectory: rj.Defaults.Run.WorkingDirectory}
		switch rj.Needs.Kind {
		case 0:
		case yaml.ScalarNode:
			j.Needs = []string{rj.Needs.Value}
		default:
			if err := rj.Needs.Decode(&j.Needs); err != nil {
				return nil, fmt.Errorf("job %s: line %d: needs: %v", id, rj.Needs.Line, err)
			}
		}
		switch rj.Environment.Kind {
		case 0:
		case yaml.ScalarNode:
			j.Environment = rj.Environment.Value
		default:
			var env struct{ Name, URL string }
			if err := decodeNodeStrict(&rj.Environment, &env); err != nil {
				return nil, fmt.Errorf("job %s: environment: %w", id, err)
			}
			j.Environment, j.EnvironmentURL = env.Name, env.URL
		}
		switch rj.Concurrency.Kind {
		case 0:
		case yaml.ScalarNode:
			j.ConcurrencyGroup = rj.Concurrency.Value
		default:
			var c struct {
				Group            string `yaml:"group"`
				CancelInProgress string `yaml:"cancel-in-progress"`
			}
			if err := decodeNodeStrict(&rj.Concurrency, &c); err != nil {
				return nil, fmt.Errorf("job %s: concurrency: %w", id, err)
			}
			j.ConcurrencyGroup, j.CancelExpr = c.Group, c.CancelInProgress
		}
		for n, rs := range rj.Steps {
			if (rs.Uses == "") == (rs.Run == "") {
				return nil, fmt.Errorf("job %s: step %d: want exactly one of uses: and run:", id, n+1)
			}
			j.Steps = append(j.Steps, &Step{ID: rs.ID, Name: rs.Name, If: rs.If, Uses: rs.Uses, Run: rs.Run,
				Shell: rs.Shell, WorkingDirectory: rs.WorkingDirectory, With: rs.With, Env: rs.Env, ContinueOnError: rs.ContinueOnError})
		}
		w.Jobs = append(w.Jobs, j)
	}
	if _, err := Order(w.Jobs); err != nil {
		return nil, err
	}
	return w, nil
}

func decodeStrict(data []byte, v any) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	if len(doc.Content) == 0 {
		return fmt.Errorf("empty workflow")
	}
	return decodeNodeStrict(doc.Content[0], v)
}

// decodeNodeStrict decodes n into v, refusing keys v has no field for
// (yaml.v3 has KnownFields only on a Decoder, so the node is re-encoded).
func decodeNodeStrict(n *yaml.Node, v any) error {
	data, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("line %d: %v (the runner does not model this)", n.Line, err)
	}
	return nil
}

// Order sorts jobs so that each comes after the jobs it needs, keeping the
// file order otherwise. A need of a job that does not exist, or a cycle,
// is an error.
func Order(jobs []*Job) ([]*Job, error) {
	byID := map[string]*Job{}
	for _, j := range jobs {
		byID[j.ID] = j
	}
	for _, j := range jobs {
		for _, n := range j.Needs {
			if byID[n] == nil {
				return nil, fmt.Errorf("job %s needs %q, which is not a job of the workflow", j.ID, n)
			}
		}
	}
	var out []*Job
	done := map[string]bool{}
	for len(out) < len(jobs) {
		progressed := false
		for _, j := range jobs {
			if done[j.ID] || !all(j.Needs, func(n string) bool { return done[n] }) {
				continue
			}
			out = append(out, j)
			done[j.ID] = true
			progressed = true
			break // restart from the top: file order among the ready ones
		}
		if !progressed {
			var left []string
			for _, j := range jobs {
				if !done[j.ID] {
					left = append(left, j.ID)
				}
			}
			return nil, fmt.Errorf("the needs of jobs %s form a cycle", strings.Join(left, ", "))
		}
	}
	return out, nil
}

func all[T any](xs []T, f func(T) bool) bool {
	return !slices.ContainsFunc(xs, func(x T) bool { return !f(x) })
}

// Triggered reports whether the workflow's on: runs it for ev: the event
// is listed, a pull_request's action is in its types (default opened,
// synchronize, reopened), a push's branch in its branches.
func (w *Workflow) Triggered(ev Event) bool {
	filters, ok := w.On[ev.Name]
	if !ok {
		return false
	}
	f, _ := filters.(map[string]any)
	switch ev.Name {
	case "pull_request":
		types := []string{"opened", "synchronize", "reopened"}
		if t, ok := f["types"].([]any); ok {
			types = nil
			for _, x := range t {
				types = append(types, fmt.Sprint(x))
			}
		}
		action, _ := ev.Payload["action"].(string)
		return slices.Contains(types, action)
	case "push":
		if b, ok := f["branches"].([]any); ok {
			for _, x := range b {
				if "refs/heads/"+fmt.Sprint(x) == ev.Ref {
					return true
				}
			}
			return false
		}
	}
	return true
}

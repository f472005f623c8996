// Package plansummary turns a saved Terraform plan (terraform show -json)
// into the markdown a reviewer reads before approving an apply: the
// counts Terraform prints (add, change, destroy), one row per resource
// with its action, and the replacements called out with the attributes
// that force them. Pull-request plans and the merge's saved plan both go
// to the job summary ($GITHUB_STEP_SUMMARY), so the approver of an
// environment sees exactly the plan that will be applied. It prints
// addresses, actions and attribute names only, never a value, so
// sensitive values (API keys, secrets) cannot leak into a summary.
package plansummary

import (
	"fmt"
	"os"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// Action is what happens to one resource.
type Action string

// The actions a summary shows.
const (
	Create  Action = "create"
	Update  Action = "update"
	Replace Action = "replace"
	Delete  Action = "delete"
	Move    Action = "move" // a moved block: the address changes, nothing else
)

// Change is one resource instance the plan changes.
type Change struct {
	Address string
	Action  Action
	// From is the previous address of a moved resource.
	From string
	// ReplacedBy are the attributes whose change forces a replacement
	// (Terraform's replace_paths), or the reason Terraform gives (e.g.
	// tainted, requested with -replace).
	ReplacedBy []string
	// CreateFirst: a replacement creates the new object before
	// destroying the old one (create_before_destroy).
	CreateFirst bool
}

// Summary is what a plan does.
type Summary struct {
	// Add, Change and Destroy are Terraform's own counts ("Plan: 1 to add,
	// 2 to change, 0 to destroy"): a replacement counts as one add and one
	// destroy.
	Add, Change, Destroy int
	Changes              []Change // sorted by address
	// OutputsChanged names the root outputs whose values change.
	OutputsChanged []string
}

// Empty reports whether the plan changes nothing.
func (s Summary) Empty() bool { return len(s.Changes) == 0 && len(s.OutputsChanged) == 0 }

// Replacements are the changes that destroy and create a resource again.
func (s Summary) Replacements() []Change {
	var out []Change
	for _, c := range s.Changes {
		if c.Action == Replace {
			out = append(out, c)
		}
	}
	return out
}

// New summarizes a plan.
func New(p *tfjson.Plan) Summary {
	var s Summary
	if p == nil {
		return s
	}
	for _, rc := range p.ResourceChanges {
		if rc == nil || rc.Change == nil || rc.Mode == tfjson.DataResourceMode {
			continue
		}
		a := rc.Change.Actions
		c := Change{Address: rc.Address}
		switch {
		case a.Replace():
			c.Action, c.CreateFirst = Replace, a.CreateBeforeDestroy()
			s.Add++
			s.Destroy++
			c.ReplacedBy = replacedBy(rc)
		case a.Create():
			c.Action = Create
			s.Add++
		case a.Update():
			c.Action = Update
			s.Change++
		case a.Delete():
			c.Action = Delete
			s.Destroy++
		case rc.PreviousAddress != "" && rc.PreviousAddress != rc.Address:
			c.Action = Move
		default:
			continue // no-op, read
		}
		if rc.PreviousAddress != rc.Address {
			c.From = rc.PreviousAddress
		}
		s.Changes = append(s.Changes, c)
	}
	sort.SliceStable(s.Changes, func(i, j int) bool { return s.Changes[i].Address < s.Changes[j].Address })
	for name, oc := range p.OutputChanges {
		if oc != nil && !oc.Actions.NoOp() && len(oc.Actions) > 0 {
			s.OutputsChanged = append(s.OutputsChanged, name)
		}
	}
	sort.Strings(s.OutputsChanged)
	return s
}

// replacedBy names what forces a replacement: attribute paths (names and
// indexes, no values), or Terraform's reason.
func replacedBy(rc *tfjson.ResourceChange) []string {
	var out []string
	for _, p := range rc.Change.ReplacePaths {
		steps, ok := p.([]interface{})
		if !ok {
			continue
		}
		var b strings.Builder
		for i, st := range steps {
			switch v := st.(type) {
			case string:
				if i > 0 {
					b.WriteByte('.')
				}
				b.WriteString(v)
			case float64:
				fmt.Fprintf(&b, "[%d]", int(v))
			case int:
				fmt.Fprintf(&b, "[%d]", v)
			}
		}
		if b.Len() > 0 {
			out = append(out, b.String())
		}
	}
	if len(out) == 0 && rc.ActionReason != "" {
		out = append(out, strings.ReplaceAll(strings.TrimPrefix(string(rc.ActionReason), "replace_"), "_", " "))
	}
	sort.Strings(out)
	return out
}

// Markdown renders the summary under a heading naming what was planned
// (e.g. "envs/prod").
func (s Summary) Markdown(what string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Terraform plan: %s\n\n", what)
	if s.Empty() {
		fmt.Fprintf(&b, "**No changes.** What is deployed matches %s.\n", what)
		return b.String()
	}
	fmt.Fprintf(&b, "**Plan: %d to add, %d to change, %d to destroy.**\n", s.Add, s.Change, s.Destroy)
	if r := s.Replacements(); len(r) > 0 {
		fmt.Fprintf(&b, "\n> [!WARNING]\n> %d %s destroyed and created again:\n", len(r), plural(len(r), "resource is", "resources are"))
		for _, c := range r {
			fmt.Fprintf(&b, "> - `%s`", c.Address)
			if len(c.ReplacedBy) > 0 {
				fmt.Fprintf(&b, " (forced by %s)", code(c.ReplacedBy))
			}
			if c.CreateFirst {
				b.WriteString(", the new one created first")
			}
			b.WriteString("\n")
		}
	}
	if len(s.Changes) > 0 {
		b.WriteString("\n| Action | Resource |\n|---|---|\n")
		for _, c := range s.Changes {
			addr := "`" + cell(c.Address) + "`"
			if c.From != "" {
				addr += " (from `" + cell(c.From) + "`)"
			}
			fmt.Fprintf(&b, "| %s | %s |\n", c.Action, addr)
		}
	}
	if len(s.OutputsChanged) > 0 {
		fmt.Fprintf(&b, "\nOutputs that change: %s.\n", code(s.OutputsChanged))
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func code(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = "`" + cell(s) + "`"
	}
	return strings.Join(out, ", ")
}

// cell keeps a value inside its table cell and code span.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "`", "'", "\n", " ").Replace(s)
}

// Write writes markdown to file (when not "") and appends it to the job
// summary GitHub Actions reads from $GITHUB_STEP_SUMMARY (when set).
// getenv is os.Getenv in production.
func Write(markdown, file string, getenv func(string) string) error {
	if file != "" {
		if err := os.WriteFile(file, []byte(markdown), 0o644); err != nil {
			return fmt.Errorf("plan summary: %w", err)
		}
	}
	if step := getenv("GITHUB_STEP_SUMMARY"); step != "" {
		f, err := os.OpenFile(step, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("plan summary: $GITHUB_STEP_SUMMARY: %w", err)
		}
		_, err = f.WriteString(markdown + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("plan summary: $GITHUB_STEP_SUMMARY: %w", err)
		}
	}
	return nil
}

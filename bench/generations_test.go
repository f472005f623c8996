package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apibuilder/apibuilder/bench/synth"
	"github.com/apibuilder/apibuilder/local/instrument"
)

func TestMoveOneRouteMovesExactlyRouteR1(t *testing.T) {
	dir := t.TempDir()
	cfg, err := synth.Project(dir, 8, "functions/get_item")
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(cfg)
	if err := moveOneRoute(cfg); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(cfg)
	var changed []string
	a, b := strings.Split(string(before), "\n"), strings.Split(string(after), "\n")
	if len(a) != len(b) {
		t.Fatalf("line count changed: %d -> %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			changed = append(changed, b[i])
		}
	}
	if len(changed) != 1 || !strings.Contains(changed[0], `name: r1, method: GET, path: "/r0/moved/{id}"`) {
		t.Errorf("changed lines: %q", changed)
	}
	// A second move finds nothing to move, and says so.
	if err := moveOneRoute(cfg); err == nil || !strings.Contains(err.Error(), "no route") {
		t.Errorf("second move: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "schemas", "item.json")); err != nil {
		t.Error(err)
	}
}

func TestStepClockSplitsDeployBySteps(t *testing.T) {
	c := &stepClock{}
	start := time.Now()
	// Lines may arrive in pieces.
	for _, s := range []string{"==> generate envs/dev\nwrote x\n==> terraform in", "it (envs/dev)\n", "==> terraform plan\n==> terraform apply\n",
		"apibuilder: this apply deleted a after the stage's deployment was created; ...\n", "==> no newline yet"} {
		if _, err := c.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for _, s := range c.steps {
		names = append(names, s.name)
	}
	if got, want := strings.Join(names, ","), "generate,terraform init,terraform plan,terraform apply,apply -replace"; got != want {
		t.Errorf("steps %q, want %q", got, want)
	}
	split := c.split(start, time.Now())
	for _, n := range []string{"generate ", "init ", "plan ", "apply ", "apply -replace "} {
		if !strings.Contains(split, n) {
			t.Errorf("split %q lacks %q", split, n)
		}
	}
}

func TestSideBySideSaysWhichGoalsAreMet(t *testing.T) {
	gens := []generation{{name: "per-resource", commit: "b28d7af"}, {name: "body", commit: "abcdef0"}}
	results := []tfResult{
		{gen: "per-resource", routes: 10, parallelism: 30, calls: 68, apply: 20 * time.Second, replan: 8 * time.Second, change: 40 * time.Second, destroy: 12 * time.Second, redeployed: true},
		{gen: "body", routes: 10, parallelism: 30, calls: 17, apply: 10 * time.Second, replan: 4 * time.Second, change: 20 * time.Second, destroy: 12 * time.Second},
		{gen: "per-resource", routes: 200, parallelism: 30, calls: 967, apply: 280 * time.Second, replan: 45 * time.Second, change: 100 * time.Second, destroy: 400 * time.Second},
		{gen: "body", routes: 200, parallelism: 30, calls: 17, apply: 90 * time.Second, replan: 20 * time.Second, change: 12 * time.Second, destroy: 200 * time.Second},
	}
	var b bytes.Buffer
	writeSideBySide(&b, results, gens)
	out := b.String()
	for _, want := range []string{
		"| 10 | 30 | per-resource | 0 | 68 | 20.0 s | 2.00 s | 8.0 s | 40.0 s (2 applies) | 0 | 12.0 s |",
		"| 10 | 30 | *body/per-resource* | - | 0.25x | 0.50x |",
		"| API Gateway calls constant in routes, <= 30 per API at 200 routes | 17 at 10 routes, 17 at 200 routes | 0.57 | **met** |",
		"| apply <= 0.5 s per route (-parallelism=30) | 0.45 s per route (90.0 s) | 0.90 | **met** |",
		"| re-plan <= 15 s (-parallelism=30) | 20.0 s | 1.33 | **not met** |",
		"| one-route change <= 15 s (-parallelism=30) | 12.0 s | 0.80 | **met** |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "verdicts below are for") {
		t.Errorf("the largest run is 200 routes, yet the report says otherwise:\n%s", out)
	}
}

func TestTimeDeltaKnowsWhenThePhaseSlowestIsUnknown(t *testing.T) {
	before := map[string]instrument.ServiceTime{"apigateway": {Calls: 17, Total: 8 * time.Second, Max: 7 * time.Second}}
	after := map[string]instrument.ServiceTime{
		"apigateway": {Calls: 33, Total: 9 * time.Second, Max: 7 * time.Second},   // nothing slower in this phase
		"iam":        {Calls: 5, Total: time.Second, Max: 300 * time.Millisecond}, // first calls: their slowest is known
	}
	d := timeDelta(before, after)
	if g := d["apigateway"]; g.Calls != 16 || g.Total != time.Second || g.Max != -1 {
		t.Errorf("apigateway: %+v", g)
	}
	if g := d["iam"]; g.Calls != 5 || g.Max != 300*time.Millisecond {
		t.Errorf("iam: %+v", g)
	}
}

package generate_test

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apibuilder/apibuilder/generator/generate"
)

// warmProject generates the example twice: the first run writes, the
// second finds everything up to date and records it, so the next run with
// nothing changed is replayed.
func warmProject(t *testing.T) (string, *generate.Result) {
	t.Helper()
	dir := project(t)
	for range 2 {
		if _, err := run(t, dir, generate.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := run(t, dir, generate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Replayed {
		t.Fatal("a run with nothing changed since an up-to-date run was not replayed")
	}
	return dir, res
}

func TestAnUnchangedProjectIsReplayed(t *testing.T) {
	dir := project(t)
	if _, err := run(t, dir, generate.Options{}); err != nil {
		t.Fatal(err)
	}
	full, err := run(t, dir, generate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if full.Replayed {
		t.Fatal("the run after the first write was replayed; only a run that found everything up to date records one")
	}
	// The replayed result is the full one: every file, the same description.
	if _, err := run(t, dir, generate.Options{}); err != nil {
		t.Fatal(err)
	}
	again, err := run(t, dir, generate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed {
		t.Fatal("not replayed")
	}
	if !maps.EqualFunc(again.Files, full.Files, func(a, b []byte) bool { return string(a) == string(b) }) {
		t.Error("the replayed Files differ from the full run's")
	}
	if len(again.Written)+len(again.Removed) != 0 || len(again.Unchanged) != len(full.Files) {
		t.Errorf("replayed: %d written, %d removed, %d unchanged; want 0, 0, %d", len(again.Written), len(again.Removed), len(again.Unchanged), len(full.Files))
	}
	if len(again.Routes) != len(full.Routes) || again.Routes[0].Path != full.Routes[0].Path || again.API.Name != full.API.Name ||
		!slices.Equal(again.Envs, full.Envs) || len(again.Functions) != len(full.Functions) || len(again.Authorizers) != len(full.Authorizers) {
		t.Errorf("the replayed description differs from the full run's:\n%+v\n%+v", again.Routes, full.Routes)
	}
	if _, err := run(t, dir, generate.Options{Check: true}); err != nil {
		t.Errorf("-check of an unchanged project: %v", err)
	}
}

// Every change a full run would act on makes the next run a full one,
// which then does what it always did.
func TestAnyChangeRunsInFull(t *testing.T) {
	cases := []struct {
		name   string
		change func(t *testing.T, dir string)
		check  func(t *testing.T, dir string, res *generate.Result, err error)
	}{
		{
			name: "routes.yaml",
			change: func(t *testing.T, dir string) {
				edit(t, dir, "routes.yaml", "memory_mb: 256", "memory_mb: 512")
			},
			check: func(t *testing.T, dir string, res *generate.Result, err error) {
				if err != nil || len(res.Written) == 0 {
					t.Errorf("err=%v written=%v; want the change written", err, res.Written)
				}
			},
		},
		{
			name: "a schema, same size and mtime",
			change: func(t *testing.T, dir string) {
				// Written within the racy window, so its content was recorded:
				// an edit that keeps size and mtime is still seen.
				p := filepath.Join(dir, "schemas", "item.json")
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				edit(t, dir, "schemas/item.json", `"name"`, `"nAme"`)
				if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, dir string, res *generate.Result, err error) {
				if err != nil || !strings.Contains(read(t, dir, "envs/dev/openapi.json"), "nAme") {
					t.Errorf("err=%v; the schema edit did not reach openapi.json", err)
				}
			},
		},
		{
			name: "a generated file edited by hand",
			change: func(t *testing.T, dir string) {
				edit(t, dir, "envs/dev/main.tf", "module ", "module  ")
			},
			check: func(t *testing.T, dir string, res *generate.Result, err error) {
				if err != nil || !slices.Contains(res.Written, "envs/dev/main.tf") || strings.Contains(read(t, dir, "envs/dev/main.tf"), "module  ") {
					t.Errorf("err=%v written=%v; want envs/dev/main.tf rewritten", err, res.Written)
				}
			},
		},
		{
			name: "a generated file removed",
			change: func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "envs", "prod", "variables.tf")); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, dir string, res *generate.Result, err error) {
				if err != nil || !slices.Contains(res.Written, "envs/prod/variables.tf") {
					t.Errorf("err=%v written=%v; want envs/prod/variables.tf written again", err, res.Written)
				}
			},
		},
		{
			name: "a stale generated file added",
			change: func(t *testing.T, dir string) {
				data := read(t, dir, "envs/dev/outputs.tf")
				if err := os.WriteFile(filepath.Join(dir, "envs", "dev", "old_route.tf"), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, dir string, res *generate.Result, err error) {
				if err != nil || !slices.Contains(res.Removed, "envs/dev/old_route.tf") {
					t.Errorf("err=%v removed=%v; want the stale file removed", err, res.Removed)
				}
			},
		},
		{
			name: "a handler directory removed",
			change: func(t *testing.T, dir string) {
				if err := os.RemoveAll(filepath.Join(dir, "functions", "get_item")); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, dir string, res *generate.Result, err error) {
				var d *generate.Diagnostics
				if !errors.As(err, &d) || !strings.Contains(err.Error(), "functions/get_item") {
					t.Errorf("err=%v; want the positioned diagnostic of the missing handler", err)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, _ := warmProject(t)
			c.change(t, dir)
			res, err := run(t, dir, generate.Options{})
			if res != nil && res.Replayed {
				t.Fatal("replayed after the change")
			}
			if res == nil {
				res = &generate.Result{}
			}
			c.check(t, dir, res, err)
		})
	}
}

// -check replays too, and a replayed -check still sees a hand edit.
func TestCheckSeesAnEditAfterAReplay(t *testing.T) {
	dir, _ := warmProject(t)
	edit(t, dir, "envs/prod/main.tf", "module ", "module  ")
	res, err := run(t, dir, generate.Options{Check: true})
	if !errors.Is(err, generate.ErrStale) || res == nil || res.Replayed || !strings.Contains(res.Diff, "envs/prod/main.tf") {
		t.Errorf("err=%v; want ErrStale naming envs/prod/main.tf", err)
	}
}

// The record settles: once the files have aged past the racy window, a
// replay compares stats only (checked here through the record's content).
func TestTheRecordSettles(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the 2 s racy window")
	}
	dir, _ := warmProject(t)
	records, _ := filepath.Glob(filepath.Join(dir, "build", "generate", "*.json"))
	if len(records) != 1 {
		t.Fatalf("records: %v; want one", records)
	}
	if !strings.Contains(read(t, dir, filepath.Join("build", "generate", filepath.Base(records[0]))), `"sha256"`) {
		t.Fatal("files written a moment ago were recorded without their content")
	}
	time.Sleep(2100 * time.Millisecond)
	for range 2 {
		if res, err := run(t, dir, generate.Options{}); err != nil || !res.Replayed {
			t.Fatalf("err=%v; want a replay", err)
		}
	}
	if strings.Contains(read(t, dir, filepath.Join("build", "generate", filepath.Base(records[0]))), `"sha256"`) {
		t.Error("the record still hashes files older than the racy window")
	}
}

func edit(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	data := read(t, dir, rel)
	if !strings.Contains(data, old) {
		t.Fatalf("%s lacks %q", rel, old)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), []byte(strings.Replace(data, old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

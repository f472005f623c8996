package test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gruntwork-io/terratest/modules/random"

	gen "github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/modules"
)

// TestUpgradeMovesStateAcrossModuleVersions: a project generated with the
// modules of version N and applied, then generated with version N+1 — whose
// lambda_route renames a resource (with the moved block a module author
// writes) — plans only moves: nothing is created or destroyed, and the
// upgraded deployment re-plans empty. This is what docs/upgrading.md
// promises a team bumping apibuilder.
func TestUpgradeMovesStateAcrossModuleVersions(t *testing.T) {
	if testing.Short() {
		t.Skip("applies on the local stack; run without -short")
	}
	ctx := context.Background()
	project := copyProject(t)
	// The example points at this repository's modules/; a team's project
	// uses the copy the tool writes.
	routes := filepath.Join(project, "routes.yaml")
	src, err := os.ReadFile(routes)
	must(t, err)
	writeFile(t, project, "routes.yaml", strings.Replace(string(src), "modules: { path: modules }\n", "", 1))

	generateWith := func(fsys fs.FS, version string) {
		t.Helper()
		_, err := gen.Run(ctx, gen.Options{Config: routes, Envs: []string{"dev"}, Modules: fsys, ModulesVersion: version})
		must(t, err)
	}
	generateWith(modules.FS, "v1.0.0")
	tg := localTarget(t)
	ws := tg.workspace(t, filepath.Join(project, "envs", "dev"), "up"+strings.ToLower(random.UniqueId()))
	applyEnv(t, ws)

	generateWith(nextVersion(t), "v1.1.0")
	if _, err := os.Stat(filepath.Join(project, ".apibuilder", "modules", "v1.0.0")); !os.IsNotExist(err) {
		t.Errorf("the v1.0.0 copy is still there after the upgrade (%v)", err)
	}
	must(t, ws.Init(ctx, nil)) // the module source moved to the new version's copy
	plan, _ := planToFile(t, ws)
	moved := 0
	for _, rc := range plan.ResourceChanges {
		a := rc.Change.Actions
		switch {
		case rc.PreviousAddress != "":
			moved++
			if !strings.HasSuffix(rc.Address, "aws_cloudwatch_log_group.function") || !strings.HasSuffix(rc.PreviousAddress, "aws_cloudwatch_log_group.this") {
				t.Errorf("unexpected move %s -> %s", rc.PreviousAddress, rc.Address)
			}
			if !a.NoOp() && !a.Update() {
				t.Errorf("%s (moved from %s): %v, want a move only", rc.Address, rc.PreviousAddress, a)
			}
		case a.Create() || a.Delete() || a.Replace():
			t.Errorf("%s: %v; an upgrade that only renames a resource must not create or destroy anything", rc.Address, a)
		}
	}
	if want := 5; moved != want { // four routes and the authorizer
		t.Errorf("%d log groups moved, want %d:\n%s", moved, want, changes(plan))
	}
	must(t, ws.Apply(ctx))
	if changed, err := ws.Plan(ctx); err != nil || changed {
		t.Errorf("re-plan after the upgrade: changed=%v err=%v, want nothing", changed, err)
	}
}

// nextVersion is the modules of a next apibuilder that renames lambda_route's
// log group resource and carries the moved block for it.
func nextVersion(t *testing.T) fstest.MapFS {
	t.Helper()
	next := fstest.MapFS{}
	err := fs.WalkDir(modules.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(modules.FS, p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(p, "lambda_route/") {
			s := strings.ReplaceAll(string(data), `resource "aws_cloudwatch_log_group" "this"`, `resource "aws_cloudwatch_log_group" "function"`)
			data = []byte(strings.ReplaceAll(s, "aws_cloudwatch_log_group.this", "aws_cloudwatch_log_group.function"))
		}
		next[p] = &fstest.MapFile{Data: data}
		return nil
	})
	must(t, err)
	if !strings.Contains(string(next["lambda_route/main.tf"].Data), `"aws_cloudwatch_log_group" "function"`) {
		t.Fatal("the fixture did not rename the log group: lambda_route changed; update nextVersion")
	}
	next["lambda_route/upgrade_moves.tf"] = &fstest.MapFile{Data: []byte(fmt.Sprintf("moved {\n  from = %s\n  to   = %s\n}\n", "aws_cloudwatch_log_group.this", "aws_cloudwatch_log_group.function"))}
	return next
}

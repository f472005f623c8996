package generate

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/generator/internal/warmrun"
	"github.com/apibuilder/apibuilder/generator/packaging"
)

// warmPayload is what a replayed run needs besides the Result: the lines
// the full run logged, and what it built.
type warmPayload struct {
	Result    *Result
	Losses    []string
	ModRoot   string
	Functions []packaging.Function
}

// warmState is the record of an up-to-date run for these options; nil
// when this run cannot use one (a test's own module set, packaging only).
type warmState struct {
	key, path, root string
}

// warmRecord finds where the record of a run with opt lives. Check and
// NoBuild are not part of the key: they do not change what is generated.
func warmRecord(opt Options) *warmState {
	if opt.Modules != nil || opt.PackageOnly {
		return nil
	}
	cfg, err := filepath.Abs(opt.Config)
	if err != nil {
		return nil
	}
	key, ok := warmrun.Key("generate", cfg, strings.Join(opt.Envs, ","), opt.OutDir, opt.ModulesVersion, opt.Preview)
	if !ok {
		return nil
	}
	root := filepath.Dir(cfg)
	return &warmState{key: key, root: root, path: warmrun.Path(filepath.Join(root, "build", "generate"), key)}
}

// replay gives the result of the recorded run when nothing it read or
// wrote has changed: the generated files as they are on disk, then the
// build (whose own record makes an unchanged build cheap). ok is false
// when there is nothing to replay: then Run runs in full.
func (w *warmState) replay(ctx context.Context, opt Options) (res *Result, ok bool, err error) {
	if w == nil {
		return nil, false, nil
	}
	rec := warmrun.Load(w.path, w.key)
	if rec == nil {
		return nil, false, nil
	}
	var p warmPayload
	if err := json.Unmarshal(rec.Payload, &p); err != nil || p.Result == nil {
		return nil, false, nil
	}
	if p.ModRoot == "" && !opt.Check && !opt.NoBuild {
		return nil, false, nil // no Go module: the full run says so
	}
	res = p.Result
	res.Files = make(map[string][]byte, len(rec.Outputs))
	for rel := range rec.Outputs {
		data, err := os.ReadFile(filepath.Join(w.root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, false, nil
		}
		res.Files[rel] = data
		res.Unchanged = append(res.Unchanged, rel)
	}
	slices.Sort(res.Unchanged)
	res.Replayed = true
	rec.Settle(w.path, time.Now())
	for _, l := range p.Losses {
		fmt.Fprintln(opt.Log, l)
	}
	if opt.Check || opt.NoBuild {
		return res, true, nil
	}
	if res.Packages, res.Packaging, err = build(ctx, w.root, p.ModRoot, p.Functions, opt); err != nil {
		return nil, true, err
	}
	return res, true, nil
}

// save records an up-to-date run. A failure to save costs the next run
// its shortcut, nothing else, so it is not an error.
func (w *warmState) save(res *Result, inputs, dirs []string, p warmPayload, start time.Time) {
	if w == nil || w.root != res.Root {
		return
	}
	r := *res
	r.Files, r.Written, r.Unchanged, r.Removed = nil, nil, nil, nil
	r.Packages, r.Packaging = nil, packaging.Summary{}
	r.Stale, r.Diff, r.Replayed = false, "", false
	p.Result = &r
	outputs := make([]string, 0, len(res.Files))
	for rel := range res.Files {
		outputs = append(outputs, rel)
	}
	slices.Sort(outputs)
	_ = warmrun.Save(w.path, w.key, w.root, inputs, outputs, dirs, p, start)
}

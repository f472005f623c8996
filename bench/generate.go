package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/bench/synth"
	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/testkit"
)

// generateBench times the whole `generate` a user runs (load, validate,
// names, render of both environments, OpenAPI, packaging, writing), cold
// (an empty build/, the Go build cache warm) and warm (nothing changed),
// for 10, 100 and 1,000 routes on one shared handler and on one handler
// per 7 routes, with the size of build/. The CDK row synthesizes the same
// API (same functions on one shared asset) with `cdk synth` when the CDK
// installs from the npm registry.
func generateBench(ctx context.Context, root string, sizes []int, w io.Writer) error {
	fmt.Fprintf(w, "## generate, everything included\n\n")
	fmt.Fprintf(w, "Cold: an empty build/ (Go's build cache warm, as for anyone who has built before). Warm: nothing changed, so the last up-to-date run is replayed from its record (median of 5 runs). ")
	fmt.Fprintf(w, "Full: nothing changed but routes.yaml's mtime, so the run loads, validates and renders everything and finds every file up to date (median of 3). ")
	fmt.Fprintf(w, "Every handler is a copy of functions/get_item (a 3.5 MB zip).\n\n")
	fmt.Fprintf(w, "| routes | handlers | cold | warm | warm per route | full | build/ | artifacts |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	warm := map[string]map[int]time.Duration{}
	var full time.Duration
	for _, shape := range []struct {
		name     string
		perRoute int // routes per handler; 0: one handler for all
	}{{"shared", 0}, {"per7", 7}} {
		warm[shape.name] = map[int]time.Duration{}
		for _, n := range sizes {
			handlers := 1
			if shape.perRoute > 0 {
				handlers = (n + shape.perRoute - 1) / shape.perRoute
			}
			fmt.Fprintf(os.Stderr, "   %d routes, %d handlers\n", n, handlers)
			r, err := timeGenerate(ctx, root, n, handlers)
			if err != nil {
				return err
			}
			warm[shape.name][n] = r.warm
			if shape.perRoute == 0 {
				full = r.full
			}
			fmt.Fprintf(w, "| %d | %d | %s | %s | %.2f ms | %s | %s | %d |\n", n, handlers, secs3(r.cold), secs3(r.warm),
				float64(r.warm.Microseconds())/1000/float64(n), secs3(r.full), mib(r.size), r.artifacts)
		}
	}
	fmt.Fprintln(w)
	first, last := sizes[0], sizes[len(sizes)-1]
	for _, name := range []string{"shared", "per7"} {
		if a, b := warm[name][first], warm[name][last]; a > 0 && len(sizes) > 1 {
			mid := sizes[len(sizes)-2]
			fmt.Fprintf(w, "- %s: warm %d → %d routes took %.1fx the time (%.1fx the routes); %d → %d: %.1fx.\n",
				map[string]string{"shared": "One handler for all routes", "per7": "One handler per 7 routes"}[name], first, last, float64(b)/float64(a), float64(last)/float64(first),
				mid, last, float64(b)/float64(warm[name][mid]))
		}
	}
	fmt.Fprintln(w)
	cdkBench(ctx, root, last, warm["shared"][last], full, w)
	return nil
}

type genResult struct {
	cold, warm, full time.Duration
	size             int64
	artifacts        int
}

func timeGenerate(ctx context.Context, root string, n, handlers int) (genResult, error) {
	var r genResult
	dir, err := os.MkdirTemp("", "apibuilder-bench-gen-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	for _, name := range []string{"go.mod", "go.sum", "functions"} {
		if err := testkit.CopyTree(filepath.Join(root, name), filepath.Join(dir, name), nil); err != nil {
			return r, err
		}
	}
	for h := range handlers {
		if err := testkit.CopyTree(filepath.Join(root, "functions", "get_item"), filepath.Join(dir, "functions", fmt.Sprintf("h%d", h)), nil); err != nil {
			return r, err
		}
	}
	per := (n + handlers - 1) / handlers
	cfg, err := synth.ProjectOf(dir, n, func(i int) string { return fmt.Sprintf("functions/h%d", i/per) })
	if err != nil {
		return r, err
	}
	run := func() (time.Duration, *generate.Result, error) {
		start := time.Now()
		res, err := generate.Run(ctx, generate.Options{Config: cfg})
		return time.Since(start), res, err
	}
	d, res, err := run()
	if err != nil {
		return r, fmt.Errorf("generate %d routes: %w", n, err)
	}
	r.cold, r.artifacts = d, res.Packaging.Artifacts
	// The first run after a write finds everything up to date and records
	// it; the runs after it replay.
	if _, _, err := run(); err != nil {
		return r, err
	}
	median := func(times int, before func() error) (time.Duration, error) {
		var runs []time.Duration
		for range times {
			if err := before(); err != nil {
				return 0, err
			}
			d, res, err := run()
			if err != nil {
				return 0, err
			}
			if len(res.Written) > 0 {
				return 0, fmt.Errorf("generate %d routes wrote %v with nothing changed", n, res.Written)
			}
			runs = append(runs, d)
		}
		slices.Sort(runs)
		return runs[len(runs)/2], nil
	}
	if r.warm, err = median(5, func() error { return nil }); err != nil {
		return r, err
	}
	touch := func() error { now := time.Now(); return os.Chtimes(cfg, now, now) }
	if r.full, err = median(3, touch); err != nil {
		return r, err
	}
	r.size = dirSize(filepath.Join(dir, "build"))
	return r, nil
}

// cdkBench synthesizes the same API with the AWS CDK: n functions on one
// shared asset behind one REST API, each on its own method, and compares
// `cdk synth` with the warm generate of the same shape.
func cdkBench(ctx context.Context, root string, n int, warm, full time.Duration, w io.Writer) {
	fmt.Fprintf(w, "### Against `cdk synth`\n\n")
	dir, err := cdkInstall(ctx)
	if err != nil {
		fmt.Fprintf(w, "Not measured: the CDK did not install from the npm registry (%v).\n\n", firstLine(err.Error()))
		return
	}
	work, err := os.MkdirTemp("", "apibuilder-bench-cdk-")
	if err != nil {
		fmt.Fprintf(w, "Not measured: %v\n\n", err)
		return
	}
	defer os.RemoveAll(work)
	_ = os.MkdirAll(filepath.Join(work, "asset"), 0o755)
	_ = os.WriteFile(filepath.Join(work, "asset", "bootstrap"), []byte("#!/bin/sh\n"), 0o755)
	app := fmt.Sprintf(`const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const apigw = require('aws-cdk-lib/aws-apigateway');
const app = new cdk.App();
const stack = new cdk.Stack(app, 'Bench');
const api = new apigw.RestApi(stack, 'Api');
const code = lambda.Code.fromAsset('asset');
const shapes = [['POST', 'items'], ['GET', 'items/{id}'], ['GET', 'items'], ['DELETE', 'items/{id}']];
for (let i = 0; i < %d; i++) {
  const fn = new lambda.Function(stack, 'F' + i, { runtime: lambda.Runtime.PROVIDED_AL2023, architecture: lambda.Architecture.ARM_64, handler: 'bootstrap', code });
  const [method, path] = shapes[i %% 4];
  api.root.resourceForPath('r' + Math.floor(i / 4) + '/' + path).addMethod(method, new apigw.LambdaIntegration(fn));
}
app.synth();
`, n)
	if err := os.WriteFile(filepath.Join(work, "app.js"), []byte(app), 0o644); err != nil {
		fmt.Fprintf(w, "Not measured: %v\n\n", err)
		return
	}
	// The CDK refuses a stack of more than 500 resources at synth time;
	// CloudFormation would refuse it at deploy. Lifting the check measures
	// synth of the same API (a real team would split the stack).
	_ = os.WriteFile(filepath.Join(work, "cdk.json"), []byte(`{"app": "node app.js", "context": {"@aws-cdk/core:stackResourceLimit": 0}}`), 0o644)
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "node_modules", ".bin", "cdk"), "synth", "--quiet")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"), "CDK_DISABLE_VERSION_CHECK=1")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		fmt.Fprintf(w, "Not measured: cdk synth failed: %v\n\n```\n%s\n```\n\n", err, tail(string(out), 1500))
		return
	}
	fmt.Fprintf(w, "`cdk synth` of the same %d-route API (one shared asset): %s; warm `generate` with one shared handler: %s — **%.0fx faster**; a full warm run (everything loaded and rendered): %s — %.0fx faster.\n\n",
		n, secs3(took), secs3(warm), float64(took)/float64(warm), secs3(full), float64(took)/float64(full))
}

// cdkInstall installs aws-cdk-lib and the cdk CLI once per machine.
func cdkInstall(ctx context.Context) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(base, "apibuilder", "bench-cdk")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".bin", "cdk")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--prefix", dir, "aws-cdk-lib@2", "constructs@10", "aws-cdk@2")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm install: %v: %s", err, tail(string(out), 300))
	}
	return dir, nil
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

func secs3(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

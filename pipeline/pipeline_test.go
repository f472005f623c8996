package pipeline

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/apibuilder/apibuilder/testkit"
	"github.com/apibuilder/apibuilder/tfdriver"
)

// project copies the generator's example project into a temp dir.
func project(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	skip := func(rel string, d os.DirEntry) bool { return rel == "golden" }
	if err := testkit.CopyTree(filepath.Join("..", "generator", "internal", "render", "testdata", "example"), dst, skip); err != nil {
		t.Fatal(err)
	}
	return dst
}

// noTerraform fails the test if Deploy gets as far as Terraform.
func noTerraform(t *testing.T) func(string, io.Writer) (*tfdriver.Workspace, error) {
	return func(dir string, _ io.Writer) (*tfdriver.Workspace, error) {
		t.Errorf("Terraform was started in %s; the deployment must stop before", dir)
		return nil, errors.New("no terraform in this test")
	}
}

func ci(k string) string {
	if k == "CI" {
		return "true"
	}
	return ""
}

// TestCIRefusesLocalState: `CI=true apibuilder deploy -env dev
// -auto-approve` in a project without a backend stops before any
// Terraform or AWS call, naming apibuilder bootstrap, for an environment
// and for a preview.
func TestCIRefusesLocalState(t *testing.T) {
	dir := project(t)
	for _, preview := range []string{"", "pr-4"} {
		_, err := Deploy(context.Background(), Options{
			Config: filepath.Join(dir, "routes.yaml"), Env: "dev", Preview: preview, NoBuild: true,
			Getenv: ci, Workspace: noTerraform(t),
		})
		if err == nil || !strings.Contains(err.Error(), "apibuilder bootstrap -env dev") || !strings.Contains(err.Error(), "backend:") {
			t.Errorf("preview %q: err = %v, want the local-state refusal", preview, err)
		}
	}
}

type account struct{}

func (account) GetAccount(context.Context, *apigateway.GetAccountInput, ...func(*apigateway.Options)) (*apigateway.GetAccountOutput, error) {
	return &apigateway.GetAccountOutput{}, nil
}

func TestMissingAccountRoleStopsBeforeTerraform(t *testing.T) {
	dir := project(t)
	// The second and third runs change no file (the third is replayed):
	// the account's note is said on every run, not only when files change.
	for run := 1; run <= 3; run++ {
		var log strings.Builder
		_, err := Deploy(context.Background(), Options{
			Config: filepath.Join(dir, "routes.yaml"), Env: "prod", NoBuild: true, Getenv: func(string) string { return "" },
			Workspace: noTerraform(t), APIGateway: account{}, Log: &log,
		})
		if err == nil || !strings.Contains(err.Error(), "cloudwatchRoleArn is empty") || !strings.Contains(err.Error(), "apibuilder bootstrap -env prod") {
			t.Errorf("run %d: err = %v, want the missing CloudWatch role named with what to run", run, err)
		}
		if n := strings.Count(log.String(), "note: access logs"); n != 1 {
			t.Errorf("run %d printed the account's note %d times, want once:\n%s", run, n, log.String())
		}
	}
}

func TestOptionConflicts(t *testing.T) {
	ws := noTerraform(t)
	for _, c := range []struct {
		opt  Options
		want string
	}{
		{Options{Workspace: ws}, "-env"},
		{Options{Env: "dev", Workspace: ws, Destroy: true}, "-preview"},
		{Options{Env: "dev", Workspace: ws, Plan: "p", Out: "o"}, "-plan"},
		{Options{Env: "dev", Workspace: ws, Out: "o", Preview: "pr-1", Destroy: true}, "-out"},
	} {
		if _, err := Deploy(context.Background(), c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want one naming %s", c.opt, err, c.want)
		}
	}
}

func TestRetryThrottled(t *testing.T) {
	var waits []time.Duration
	opt := Options{Log: io.Discard, Sleep: func(d time.Duration) { waits = append(waits, d) }}
	calls := 0
	err := retryThrottled(context.Background(), opt, func() error {
		calls++
		if calls < 4 {
			return errors.New("deleting API Gateway REST API (abc): operation error API Gateway: DeleteRestApi, https response error StatusCode: 429, TooManyRequestsException: Too Many Requests")
		}
		return nil
	})
	if err != nil || calls != 4 {
		t.Errorf("err %v after %d calls, want success on the 4th", err, calls)
	}
	if len(waits) != 3 || waits[0] != 3*time.Second || waits[2] != 12*time.Second {
		t.Errorf("waits %v, want 3s, 6s, 12s", waits)
	}

	calls, waits = 0, nil
	err = retryThrottled(context.Background(), opt, func() error { calls++; return errors.New("AccessDenied") })
	if err == nil || calls != 1 {
		t.Errorf("a failure other than a throttle was retried (%d calls)", calls)
	}
	calls, waits = 0, nil
	err = retryThrottled(context.Background(), opt, func() error { calls++; return errors.New("TooManyRequestsException") })
	if err == nil || calls != maxAttempts || len(waits) != maxAttempts-1 || waits[len(waits)-1] <= 30*time.Second {
		t.Errorf("always throttled: %d calls, waits %v; want %d calls, the last wait past DeleteRestApi's 30 s, then the error", calls, waits, maxAttempts)
	}
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "36h": 36 * time.Hour, "0d": 0} {
		if got, err := ParseAge(in); err != nil || got != want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "7", "d", "-1d", "seven days"} {
		if _, err := ParseAge(bad); err == nil {
			t.Errorf("ParseAge(%q) accepted", bad)
		}
	}
}

func TestListLocalPreviews(t *testing.T) {
	dir := project(t)
	old := time.Now().Add(-10 * 24 * time.Hour)
	for _, name := range []string{"pr-1", "pr-2"} {
		st := filepath.Join(dir, "build", "preview", name, "envs", "dev-"+name, "terraform.tfstate")
		if err := os.MkdirAll(filepath.Dir(st), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(st, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		if name == "pr-1" {
			if err := os.Chtimes(st, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := ListPreviews(context.Background(), Options{Config: filepath.Join(dir, "routes.yaml"), Env: "dev", Workspace: noTerraform(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "pr-1" || got[1].Name != "pr-2" || !got[0].Updated.Equal(old) {
		t.Errorf("previews %+v, want pr-1 (10 days old) and pr-2", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "envs")); !os.IsNotExist(err) {
		t.Error("listing previews wrote envs/")
	}
}

type bucket struct{ keys map[string]time.Time }

func (b bucket) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	out := &s3.ListObjectsV2Output{}
	for k, at := range b.keys {
		if strings.HasPrefix(k, aws.ToString(in.Prefix)) {
			out.Contents = append(out.Contents, s3types.Object{Key: aws.String(k), LastModified: aws.Time(at)})
		}
	}
	return out, nil
}

func (b bucket) DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	return &s3.DeleteObjectOutput{}, nil
}

func TestListPreviewsInTheStateBucket(t *testing.T) {
	dir := project(t)
	routes := filepath.Join(dir, "routes.yaml")
	data, err := os.ReadFile(routes)
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.Replace(string(data), "\nroutes:\n", "\nbackend:\n  s3: { bucket: tfstate, region: us-east-1, key_prefix: apis, use_lockfile: true }\n\nroutes:\n", 1))
	if err := os.WriteFile(routes, data, 0o644); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	b := bucket{keys: map[string]time.Time{
		"apis/items/dev/terraform.tfstate":                                    at, // the environment itself
		"apis/items/dev/previews/pr-9/items/dev-pr-9/terraform.tfstate":       at,
		"apis/items/prod/previews/pr-8/items/prod-pr-8/terraform.tfstate":     at, // a preview of another env
		"apis/items-v2/dev/previews/pr-1/items-v2/dev-pr-1/terraform.tfstate": at, // another API
	}}
	got, err := ListPreviews(context.Background(), Options{Config: routes, Env: "dev", Workspace: noTerraform(t), S3: b})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "pr-9" || !got[0].Updated.Equal(at) {
		t.Errorf("previews %+v, want only pr-9 of dev", got)
	}
}

type roleSet struct{}

func (roleSet) GetAccount(context.Context, *apigateway.GetAccountInput, ...func(*apigateway.Options)) (*apigateway.GetAccountOutput, error) {
	return &apigateway.GetAccountOutput{CloudwatchRoleArn: aws.String("arn:aws:iam::000000000000:role/apigateway-cloudwatch")}, nil
}

// TestSweepDestroysOnlyOldPreviews: a sweep tears down (here: gets as far
// as Terraform for) the previews last deployed before the cut-off, one
// after the other, and reports each failure.
func TestSweepDestroysOnlyOldPreviews(t *testing.T) {
	dir := project(t)
	now := time.Now()
	for name, age := range map[string]time.Duration{"pr-1": 10 * 24 * time.Hour, "pr-2": time.Hour, "pr-3": 8 * 24 * time.Hour} {
		st := filepath.Join(dir, "build", "preview", name, "envs", "dev-"+name, "terraform.tfstate")
		if err := os.MkdirAll(filepath.Dir(st), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(st, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(st, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	var started []string
	opt := Options{
		Config: filepath.Join(dir, "routes.yaml"), Env: "dev", NoBuild: true, Getenv: func(string) string { return "" }, APIGateway: roleSet{},
		Workspace: func(d string, _ io.Writer) (*tfdriver.Workspace, error) {
			started = append(started, filepath.Base(filepath.Dir(filepath.Dir(d)))) // build/preview/<name>/envs/dev-<name>
			return nil, errors.New("no terraform here")
		},
	}
	swept, err := Sweep(context.Background(), opt, 7*24*time.Hour, now)
	if len(swept) != 0 || err == nil || !strings.Contains(err.Error(), "preview pr-1: no terraform here") || !strings.Contains(err.Error(), "preview pr-3:") {
		t.Errorf("swept %v, err %v; want pr-1 and pr-3 attempted, each failure reported", swept, err)
	}
	if strings.Join(started, ",") != "pr-1,pr-3" {
		t.Errorf("destroy started for %v, want pr-1,pr-3 (pr-2 is an hour old)", started)
	}
}

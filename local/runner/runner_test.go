package runner

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
	"github.com/apibuilder/apibuilder/testkit"
)

func dummyZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("bootstrap")
	_, _ = w.Write([]byte("not used: the runner builds the handler from source"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func invoke(t *testing.T, c *lambda.Client, fn, payload string) (string, bool) {
	t.Helper()
	out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: &fn, Payload: []byte(payload)})
	if err != nil {
		return err.Error(), false
	}
	return string(out.Payload), out.FunctionError == nil
}

func TestRunnerServesRestartsAndCounts(t *testing.T) {
	ctx := context.Background()
	st := stacktest.Start(t, stack.Options{})
	lc := st.Lambda()
	_, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("echo"), Role: aws.String("arn:aws:iam::000000000000:role/echo"),
		Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Timeout: aws.Int32(3),
		Code:        &types.FunctionCode{ZipFile: dummyZip(t)},
		Environment: &types.Environment{Variables: map[string]string{"GREETING": "from the deployed configuration"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	logs := &testkit.SyncBuffer{}
	r, err := Start(ctx, Config{Lambda: lc, KumoURL: st.Endpoints.Kumo, ModuleRoot: ".", ExtraEnv: st.AWSEnv(), Logs: logs},
		[]Function{{Name: "echo", SourceDir: "testdata/echo"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()

	got, ok := invoke(t, lc, "echo", `{"env":"GREETING"}`)
	var v map[string]string
	if !ok || json.Unmarshal([]byte(got), &v) != nil || v["value"] != "from the deployed configuration" {
		t.Fatalf("invoke = %s (ok=%v), want the deployed environment's GREETING", got, ok)
	}
	if n := r.Invocations("echo"); n != 1 {
		t.Fatalf("Invocations = %d, want 1", n)
	}

	// The handler dies mid-invocation; the runner restarts it.
	_, _ = invoke(t, lc, "echo", `{"crash":true}`)
	deadline := time.Now().Add(20 * time.Second)
	for r.Restarts("echo") < 1 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if r.Restarts("echo") < 1 {
		t.Fatal("crashed handler was not restarted")
	}
	var after string
	for time.Now().Before(deadline) {
		if after, ok = invoke(t, lc, "echo", `{"env":"GREETING"}`); ok && strings.Contains(after, "deployed configuration") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(after, "deployed configuration") {
		t.Fatalf("after the restart, invoke = %s", after)
	}
	if n := r.Invocations("echo"); n < 3 {
		t.Errorf("Invocations = %d, want at least 3", n)
	}
	if !strings.Contains(logs.String(), "[echo] handler exited") {
		t.Errorf("restart not logged:\n%s", logs.String())
	}
}

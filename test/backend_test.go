package test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/gruntwork-io/terratest/modules/random"

	"github.com/apibuilder/apibuilder/tfdriver"
)

// TestS3BackendLocking keeps an env's state in the S3 backend with DynamoDB
// locking, as a team would (`backend: s3` in routes.yaml), on kumo's S3 and
// DynamoDB. While one apply holds the lock — waiting for its approval — a
// second apply of the same env is refused with Terraform's lock error, and
// neither the state nor the deployed function changes.
func TestS3BackendLocking(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg := localTarget(t)
	id := strings.ToLower(random.UniqueId())
	bucket, lockTable := "tfstate-"+id, "tflocks-"+id
	const stateKey = "apis/items/dev/terraform.tfstate" // <key_prefix>/<api in routes.yaml>/<env>/

	// The team's state bucket and lock table (the S3 backend's schema: LockID).
	if _, err := tg.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create state bucket: %v", err)
	}
	if _, err := tg.DynamoDB().CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(lockTable),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}},
	}); err != nil {
		t.Fatalf("create lock table: %v", err)
	}

	project := copyProject(t)
	editRoutes(t, project, "\nenvironments:\n", fmt.Sprintf("\nbackend:\n  s3: { bucket: %s, region: %s, key_prefix: apis, dynamodb_table: %s }\n\nenvironments:\n", bucket, tg.region, lockTable))
	generate(t, project)
	envDir := filepath.Join(project, "envs", "dev")
	versions, err := os.ReadFile(filepath.Join(envDir, "versions.tf"))
	if err != nil || !strings.Contains(string(versions), `backend "s3"`) || strings.Contains(string(versions), "127.0.0.1") {
		t.Fatalf("envs/dev/versions.tf: want an S3 backend for real AWS (no emulator endpoint), got %v\n%s", err, versions)
	}

	apiName := "lk" + id
	ws := tg.workspace(t, envDir, apiName) // Terraform locks the state by default
	t.Cleanup(func() { destroy(t, ws) })
	// The emulator endpoints go in at init time only; the committed backend
	// stays the real-AWS one.
	kumo := tg.stack.Endpoints.Kumo
	must(t, ws.Init(ctx, map[string]string{
		"endpoints":                   fmt.Sprintf("{ s3 = %q, dynamodb = %q }", kumo, kumo),
		"use_path_style":              "true",
		"skip_credentials_validation": "true",
		"skip_requesting_account_id":  "true",
	}))
	must(t, ws.Apply(ctx))

	if _, err := os.Stat(filepath.Join(envDir, "terraform.tfstate")); err == nil {
		t.Error("a local terraform.tfstate was written; want the state in S3 only")
	}
	serial := stateSerial(t, tg, bucket, stateKey)
	fn := apiName + "-dev-get_item"

	// A change to apply, so that the first apply stops at its approval
	// prompt while holding the lock.
	editRoutes(t, project, "  - name: get_item\n", "  - name: get_item\n    memory_mb: 256\n")
	generate(t, project)
	holder := startApplyAwaitingApproval(t, tg, ws)

	lockID := bucket + "/" + stateKey
	if !lockHeld(t, tg, lockTable, lockID) {
		t.Errorf("while an apply waits for approval, the lock table has no item %s", lockID)
	}
	// Terraform's default -lock-timeout is 0s: it gives up at once.
	if err := ws.Apply(ctx); err == nil || !strings.Contains(err.Error(), "Error acquiring the state lock") {
		t.Errorf("second apply while the lock is held: err=%v, want Terraform's \"Error acquiring the state lock\"", err)
	}

	holder.cancel(t)
	if lockHeld(t, tg, lockTable, lockID) {
		t.Errorf("lock %s is still held after the first apply was cancelled", lockID)
	}
	if got := stateSerial(t, tg, bucket, stateKey); got != serial {
		t.Errorf("state serial = %d after the refused apply, want %d (unchanged)", got, serial)
	}
	conf, err := tg.Lambda().GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(fn)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(conf.MemorySize); got != 128 {
		t.Errorf("%s memory = %d MB after the refused apply, want 128 (unchanged)", fn, got)
	}
}

// stateSerial reads the state object from the bucket and returns its serial.
func stateSerial(t *testing.T, tg *target, bucket, key string) int {
	t.Helper()
	obj, err := tg.S3().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("state s3://%s/%s: %v", bucket, key, err)
	}
	defer obj.Body.Close()
	var st struct{ Serial int }
	if err := json.NewDecoder(obj.Body).Decode(&st); err != nil || st.Serial == 0 {
		t.Fatalf("state s3://%s/%s: serial %d, %v", bucket, key, st.Serial, err)
	}
	return st.Serial
}

// lockHeld reports whether the S3 backend's lock item for lockID exists.
func lockHeld(t *testing.T, tg *target, table, lockID string) bool {
	t.Helper()
	item, err := tg.DynamoDB().GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]ddbtypes.AttributeValue{"LockID": &ddbtypes.AttributeValueMemberS{Value: lockID}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("lock table %s: %v", table, err)
	}
	return item.Item != nil
}

// pendingApply is a terraform apply stopped at its approval prompt: it has
// taken the state lock and keeps it until it is answered.
type pendingApply struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *promptWatcher
	done  chan error
}

// startApplyAwaitingApproval runs `terraform apply` without -auto-approve
// and returns once it asks for approval. Unlike a slow resource, the prompt
// holds the lock for exactly as long as the test needs.
func startApplyAwaitingApproval(t *testing.T, tg *target, ws *tfdriver.Workspace) *pendingApply {
	t.Helper()
	args := []string{"apply", "-input=true", "-lock=true", "-no-color"}
	for k, v := range ws.Vars {
		args = append(args, fmt.Sprintf("-var=%s=%v", k, v))
	}
	cmd := exec.Command(tg.terraform, args...)
	cmd.Dir = ws.Dir
	// The workspace's environment: the process's, with tg.tfEnv on top
	// ("" unsets a variable, as in tfdriver.New).
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for k, v := range tg.tfEnv {
		if v == "" {
			delete(env, k)
		} else {
			env[k] = v
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	ownProcessGroup(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	w := &promptWatcher{prompt: "Enter a value:", seen: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatalf("start terraform apply: %v", err)
	}
	p := &pendingApply{cmd: cmd, stdin: stdin, out: w, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			killProcessGroup(cmd)
			<-p.done
		}
	})
	select {
	case <-w.seen:
	case err := <-p.done:
		p.done <- err
		t.Fatalf("terraform apply ended before asking for approval: %v\n%s", err, w.String())
	case <-time.After(3 * time.Minute):
		t.Fatalf("terraform apply did not ask for approval within 3 minutes\n%s", w.String())
	}
	return p
}

// cancel answers "no": Terraform cancels the apply and releases the lock.
func (p *pendingApply) cancel(t *testing.T) {
	t.Helper()
	if _, err := io.WriteString(p.stdin, "no\n"); err != nil {
		t.Fatalf("answer the approval prompt: %v", err)
	}
	_ = p.stdin.Close()
	select {
	case err := <-p.done:
		p.done <- err
		if !strings.Contains(p.out.String(), "Apply cancelled") {
			t.Errorf("first apply after answering no: %v, want \"Apply cancelled\"\n%s", err, p.out.String())
		}
	case <-time.After(time.Minute):
		t.Fatalf("terraform apply did not end within a minute of answering no\n%s", p.out.String())
	}
}

// promptWatcher collects a process's output and signals when prompt appears.
type promptWatcher struct {
	prompt string
	seen   chan struct{}

	mu   sync.Mutex
	buf  bytes.Buffer
	once sync.Once
}

func (w *promptWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.prompt) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *promptWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

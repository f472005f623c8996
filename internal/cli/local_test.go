package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUpRefusesZeroConcurrencyBeforeStartingAnything(t *testing.T) {
	code, stdout, stderr := runArgs("local", "up", "-concurrency", "0")
	if code != 2 || stdout != "" || !strings.Contains(stderr, "-concurrency 0: give 1 or more processes per function") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// statusHandler answers GET /hello with status and body.
const statusHandler = `// Command hello answers with the status it was built with.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: %d, Body: %q}, nil
	})
}
`

const upRoutes = `api: { name: uptest }
routes:
  - name: hello
    method: GET
    path: /hello
    handler: functions/hello
environments:
  dev: { stage: dev }
`

// upProject writes a project whose one route answers 500: this module's
// go.mod and go.sum, the handler and routes.yaml.
func upProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		writeProjectFile(t, dir, name, string(data))
	}
	writeProjectFile(t, dir, "routes.yaml", upRoutes)
	writeProjectFile(t, dir, "functions/hello/main.go", fmt.Sprintf(statusHandler, 500, "broken"))
	return dir
}

func writeProjectFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lines reads a command's output line by line as it is written.
type lines struct {
	t    *testing.T
	ch   chan string
	seen []string
}

func readLines(t *testing.T, r io.Reader) *lines {
	l := &lines{t: t, ch: make(chan string, 1024)}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			l.ch <- sc.Text()
		}
		close(l.ch)
	}()
	return l
}

// until returns the first line, from now on, that contains s.
func (l *lines) until(s string) string {
	l.t.Helper()
	timeout := time.After(5 * time.Minute)
	for {
		select {
		case line, ok := <-l.ch:
			if !ok {
				l.t.Fatalf("the command ended before a line with %q:\n%s", s, strings.Join(l.seen, "\n"))
			}
			l.seen = append(l.seen, line)
			if strings.Contains(line, s) {
				return line
			}
		case <-timeout:
			l.t.Fatalf("no line with %q in 5 minutes:\n%s", s, strings.Join(l.seen, "\n"))
		}
	}
}

// drain consumes the rest, so that the command never blocks writing.
func (l *lines) drain() {
	go func() {
		for range l.ch {
		}
	}()
}

func getBody(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestUpServesOnAfterASmokeFailureAndServesTheFix: local up with a route
// answering 500 prints the failed smoke call, serves and watches; the
// fixed handler, saved, is swapped in and served; Ctrl-C ends it with
// exit status 0.
func TestUpServesOnAfterASmokeFailureAndServesTheFix(t *testing.T) {
	if testing.Short() {
		t.Skip("brings a project up on the local stack (the tools, moto, kumo, terraform apply: about a minute); run without -short")
	}
	dir := upProject(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	out := readLines(t, pr)
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"local", "up", "-config", filepath.Join(dir, "routes.yaml")}, &stdio{in: strings.NewReader(""), out: pw, errOut: pw})
		pw.Close()
	}()
	defer func() {
		cancel()
		out.drain()
		<-code
	}()

	out.until("==> smoke calls")
	if line := out.until("    GET     /hello "); !strings.Contains(line, "500 FAILED") {
		t.Fatalf("smoke call of GET /hello: %q, want 500 FAILED", line)
	}
	url := strings.TrimSpace(strings.TrimPrefix(out.until("Invoke URL: "), "Invoke URL: "))
	out.until("1 smoke call(s) failed")
	out.until("Watching ")
	if status, body := getBody(t, url+"/hello"); status != 500 || body != "broken" {
		t.Fatalf("GET /hello while serving = %d %q, want the broken handler's 500", status, body)
	}

	writeProjectFile(t, dir, "functions/hello/main.go", fmt.Sprintf(statusHandler, 200, "fixed"))
	out.until("functions/hello: uptest-dev-hello serving the new build")
	if status, body := getBody(t, url+"/hello"); status != 200 || body != "fixed" {
		t.Fatalf("GET /hello after the fix = %d %q, want 200 fixed", status, body)
	}

	cancel()
	out.until("stopping")
	out.drain()
	if c := <-code; c != 0 {
		t.Errorf("local up ended with exit status %d after Ctrl-C, want 0", c)
	}
	code <- 0 // for the deferred wait
}

// TestUpExitAfterSmokeFailsWhenACallFailed: with -exit-after-smoke, a
// route answering 500 makes local up exit 1 once the calls are made.
func TestUpExitAfterSmokeFailsWhenACallFailed(t *testing.T) {
	if testing.Short() {
		t.Skip("brings a project up on the local stack (about a minute); run without -short")
	}
	dir := upProject(t)
	pr, pw := io.Pipe() // the functions' output is written from other goroutines
	out := readLines(t, pr)
	code := make(chan int, 1)
	go func() {
		code <- run(context.Background(), []string{"local", "up", "-exit-after-smoke", "-config", filepath.Join(dir, "routes.yaml")}, &stdio{in: strings.NewReader(""), out: pw, errOut: pw})
		pw.Close()
	}()
	var all []string
	for line := range out.ch {
		all = append(all, line)
	}
	text := strings.Join(all, "\n")
	if c := <-code; c != 1 || !strings.Contains(text, "500 FAILED") || !strings.Contains(text, "apibuilder local up: 1 smoke call(s) failed") || strings.Contains(text, "Serving;") {
		t.Errorf("exit %d, want 1 after the failed smoke call, without serving:\n%s", c, text)
	}
}

package test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/gruntwork-io/terratest/modules/random"
)

// The example with two allowed origins, credentials and an exposed header:
// what a team with a web app and a local dev server configures.
const (
	appOrigin   = "https://app.example.com"
	devOrigin   = "http://localhost:5173"
	otherOrigin = "https://evil.example.com"
)

// TestBrowserCORS applies the example with two allowed origins and checks,
// the way a browser does, that a page on each allowed origin may call the
// API — preflight, then the real GET or POST, whose answer comes from the
// function (Lambda proxy) and must carry the CORS headers itself — and that
// a page on another origin may read nothing. Then a second plan must be
// empty (the preflight's response template round-trips).
func TestBrowserCORS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	project := copyProject(t)
	editRoutes(t, project, `allow_origins: ["https://app.example.com"]`,
		`allow_origins: ["https://app.example.com", "http://localhost:5173"]
    allow_credentials: true
    expose_headers: [Location]`)
	generate(t, project)

	tg := localTarget(t)
	ws := tg.workspace(t, filepath.Join(project, "envs", "dev"), "cors"+strings.ToLower(random.UniqueId()))
	applyEnv(t, ws)
	out := tg.outputs(t, ws)

	// Every route's function got the allowed origins from the generator.
	fn := out.FunctionNames["get_item"]
	conf, err := tg.Lambda().GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: &fn})
	if err != nil {
		t.Fatal(err)
	}
	if vars := conf.Environment.Variables; vars["APIBUILDER_CORS_ORIGINS"] != appOrigin+","+devOrigin || vars["APIBUILDER_CORS_CREDENTIALS"] != "true" {
		t.Errorf("get_item's environment = %v, want the allowed origins and credentials", vars)
	}

	api := tg.serve(t, project, out, handlers(t, project, out))
	key := out.APIKeyValues["key"]

	for i, origin := range []string{appOrigin, devOrigin} {
		b := browser{t: t, api: api, origin: origin, credentials: true}
		id := fmt.Sprintf("cors-%d-%s", i, strings.ToLower(random.UniqueId()))

		// POST /items: not a simple request (JSON, an API key), so preflighted.
		b.preflight("/items", http.MethodPost, "content-type", "x-api-key")
		resp := b.call(http.MethodPost, "/items", fmt.Sprintf(`{"id":%q,"name":"from %s"}`, id, origin), map[string]string{"Content-Type": "application/json", "X-Api-Key": key})
		if resp.StatusCode != http.StatusCreated || !b.reads(resp) {
			t.Errorf("%s: POST /items = %d %v, want 201 that the page may read", origin, resp.StatusCode, corsHeaders(resp))
		}
		if got := resp.Header.Get("Access-Control-Expose-Headers"); got != "Location" {
			t.Errorf("%s: POST /items Access-Control-Expose-Headers = %q, want Location (the page reads the new item's URL)", origin, got)
		}

		// GET /items/{id}: a simple request, no preflight.
		resp = b.call(http.MethodGet, "/items/"+id, "", nil)
		if resp.StatusCode != http.StatusOK || !b.reads(resp) || !strings.Contains(resp.body, id) {
			t.Errorf("%s: GET /items/%s = %d %v %s, want 200 that the page may read", origin, id, resp.StatusCode, corsHeaders(resp), resp.body)
		}
		b.preflight("/items/"+id, http.MethodGet, "authorization")
	}

	// Another origin: the API answers (it cannot know who is asking), but
	// nothing tells the browser that the page may read it.
	other := browser{t: t, api: api, origin: otherOrigin, credentials: true}
	resp := request(t, http.MethodOptions, api.base+"/items", "", map[string]string{"Origin": otherOrigin, "Access-Control-Request-Method": http.MethodPost})
	if other.preflightPasses(resp, http.MethodPost) || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from %s = %d %v, want no Access-Control-Allow-Origin", otherOrigin, resp.StatusCode, corsHeaders(resp))
	}
	resp = other.call(http.MethodGet, "/items", "", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "" || other.reads(resp) {
		t.Errorf("GET /items from %s = %d %v, want 200 without Access-Control-Allow-Origin", otherOrigin, resp.StatusCode, corsHeaders(resp))
	}
	resp = other.call(http.MethodPost, "/items", `{"id":"other-origin","name":"x"}`, map[string]string{"Content-Type": "application/json", "X-Api-Key": key})
	if resp.Header.Get("Access-Control-Allow-Origin") != "" || other.reads(resp) {
		t.Errorf("POST /items from %s = %d %v, want no Access-Control-Allow-Origin", otherOrigin, resp.StatusCode, corsHeaders(resp))
	}

	// API Gateway's own errors with several origins: "*" and no
	// credentials, so a page reads them when it sends no cookies.
	resp = request(t, http.MethodPost, api.base+"/items", `{"id":"x","name":"x"}`, map[string]string{"Origin": devOrigin, "Content-Type": "application/json"})
	anonymous := browser{t: t, api: api, origin: devOrigin}
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Access-Control-Allow-Credentials") != "" || !anonymous.reads(resp) {
		t.Errorf("POST without an API key = %d %v, want 403 with Access-Control-Allow-Origin: * and no credentials", resp.StatusCode, corsHeaders(resp))
	}

	_, changed, err := ws.PlanJSON(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if changed {
		t.Error("second terraform plan reports changes; want none")
	}
}

// browser is a page on origin calling the API: it sends Origin and
// decides, as the Fetch standard's CORS check does, whether the page may
// read an answer.
type browser struct {
	t           *testing.T
	api         *stage
	origin      string
	credentials bool // fetch(..., {credentials: "include"})
}

func (b browser) call(method, path, body string, headers map[string]string) response {
	b.t.Helper()
	h := map[string]string{"Origin": b.origin}
	for k, v := range headers {
		h[k] = v
	}
	return request(b.t, method, b.api.base+path, body, h)
}

// reads is the CORS check: the answer names the page's origin (or "*"
// without credentials), and allows credentials when they were sent.
func (b browser) reads(resp response) bool {
	acao := resp.Header.Values("Access-Control-Allow-Origin")
	if len(acao) != 1 {
		return false // none, or several: browsers refuse both
	}
	if b.credentials {
		return acao[0] == b.origin && resp.Header.Get("Access-Control-Allow-Credentials") == "true"
	}
	return acao[0] == "*" || acao[0] == b.origin
}

// preflight sends the OPTIONS request a browser sends before a
// non-simple request and fails the test unless the browser would go on.
func (b browser) preflight(path, method string, headers ...string) {
	b.t.Helper()
	h := map[string]string{"Access-Control-Request-Method": method}
	if len(headers) > 0 {
		h["Access-Control-Request-Headers"] = strings.Join(headers, ",")
	}
	resp := b.call(http.MethodOptions, path, "", h)
	if !b.preflightPasses(resp, method, headers...) {
		b.t.Errorf("%s: preflight of %s %s = %d %v, want a 2xx that allows it", b.origin, method, path, resp.StatusCode, corsHeaders(resp))
	}
	if !slices.Contains(strings.Split(strings.ReplaceAll(resp.Header.Get("Vary"), " ", ""), ","), "Origin") {
		b.t.Errorf("%s: preflight of %s %s has Vary %q, want Origin (the answer depends on it)", b.origin, method, path, resp.Header.Get("Vary"))
	}
}

// preflightPasses is the browser's check of a preflight answer.
func (b browser) preflightPasses(resp response, method string, headers ...string) bool {
	if resp.StatusCode < 200 || resp.StatusCode > 299 || !b.reads(resp) {
		return false
	}
	fold := func(list string) []string {
		return strings.Split(strings.ToLower(strings.ReplaceAll(list, " ", "")), ",")
	}
	if !slices.Contains(fold(resp.Header.Get("Access-Control-Allow-Methods")), strings.ToLower(method)) {
		return false
	}
	allowed := fold(resp.Header.Get("Access-Control-Allow-Headers"))
	for _, h := range headers {
		if !slices.Contains(allowed, strings.ToLower(h)) {
			return false
		}
	}
	return true
}

func corsHeaders(resp response) map[string][]string {
	out := map[string][]string{}
	for k, v := range resp.Header {
		if strings.HasPrefix(k, "Access-Control-") || k == "Vary" {
			out[k] = v
		}
	}
	return out
}

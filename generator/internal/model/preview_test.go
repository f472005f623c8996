package model

import (
	"strings"
	"testing"
)

func TestValidPreviewName(t *testing.T) {
	for _, ok := range []string{"pr-12", "a", "7", "pr-12345", strings.Repeat("a", PreviewNameMax)} {
		if err := ValidPreviewName(ok); err != nil {
			t.Errorf("ValidPreviewName(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", "PR-12", "-pr", "pr-", "pr_12", "pr 12", "pr/12", strings.Repeat("a", PreviewNameMax+1)} {
		if err := ValidPreviewName(bad); err == nil {
			t.Errorf("ValidPreviewName(%q) = nil, want an error", bad)
		}
	}
}

func TestPreviewAPINameShort(t *testing.T) {
	got, err := PreviewAPIName("items", "pr-12", "dev", len("create_item"))
	if err != nil || got != "items-pr-12" {
		t.Fatalf("PreviewAPIName = %q, %v; want items-pr-12", got, err)
	}
}

// checkLimits asserts what every preview name must keep: the functions'
// and roles' names within 64 characters, the preview's name inside the 30
// characters of "<api>-<env>" the artifacts bucket keeps, and the preview
// at the end of the API name.
func checkLimits(t *testing.T, name, preview, env string, longest int) {
	t.Helper()
	if fn := len(name) + 1 + len(env) + 1 + longest; fn > 64 {
		t.Errorf("%q: the longest function name would be %d characters, over Lambda's and IAM's 64", name, fn)
	}
	if bucket := (name + "-" + env); !strings.Contains(bucket[:min(30, len(bucket))], preview) {
		t.Errorf("%q: the bucket keeps %q, without the preview %q", name, bucket[:min(30, len(bucket))], preview)
	}
	if !strings.HasSuffix(name, "-"+preview) {
		t.Errorf("%q does not end in -%s", name, preview)
	}
}

func TestPreviewAPINameFitsAWSLimits(t *testing.T) {
	long1 := "inventory-management-service-for-the-warehouse"
	long2 := "inventory-management-service-for-the-stores"
	a, err := PreviewAPIName(long1, "pr-12", "dev", 15)
	if err != nil {
		t.Fatal(err)
	}
	b, err := PreviewAPIName(long2, "pr-12", "dev", 15)
	if err != nil {
		t.Fatal(err)
	}
	checkLimits(t, a, "pr-12", "dev", 15)
	checkLimits(t, b, "pr-12", "dev", 15)
	if a == b {
		t.Errorf("two long API names with the same start got the same preview name %q", a)
	}
	if !strings.HasPrefix(a, "inventory-management") {
		t.Errorf("%q: want the API name's start kept, readable", a)
	}
	// Stable: the same inputs give the same name (the state and every
	// resource are found by it on the next push).
	if again, _ := PreviewAPIName(long1, "pr-12", "dev", 15); again != a {
		t.Errorf("PreviewAPIName is not stable: %q then %q", a, again)
	}

	// Every combination either fits or says why not.
	for _, api := range []string{"a", "items", "orders-api", long1, strings.Repeat("x", 60)} {
		for _, env := range []string{"dev", "staging", "development-long"} {
			for _, preview := range []string{"p", "pr-12", "pr-123456", strings.Repeat("p", PreviewNameMax)} {
				for _, longest := range []int{1, 11, 30, 45} {
					if len(api)+len(env)+longest+2 > 64 {
						continue // the environment itself does not fit
					}
					name, err := PreviewAPIName(api, preview, env, longest)
					if err != nil {
						if !strings.Contains(err.Error(), "at most") {
							t.Errorf("PreviewAPIName(%q, %q, %q, %d): %v, want it to say how long a preview name may be", api, preview, env, longest, err)
						}
						continue
					}
					checkLimits(t, name, preview, env, longest)
				}
			}
		}
	}
}

func TestPreviewNameTooLong(t *testing.T) {
	_, err := PreviewAPIName("items", "pr-123456", "dev", 52)
	if err == nil || !strings.Contains(err.Error(), "Lambda's 64 characters") {
		t.Fatalf("err = %v, want one that names Lambda's limit", err)
	}
}

func TestPreviewModel(t *testing.T) {
	m := &Model{
		API:     API{Name: "items", CloudWatchRole: true, Tags: map[string]string{"team": "a"}, Domain: &Domain{Name: "api.example.com"}},
		Backend: &Backend{Bucket: "state", KeyPrefix: "apis"},
		Envs:    []Env{{Name: "dev", Domain: &Domain{Name: "api.example.com"}, DeletionProtection: true, PITR: map[string]bool{"items": true}}},
		Routes:  []Route{{Name: "create_item"}},
	}
	tags, pitr := m.API.Tags, m.Envs[0].PITR
	if err := m.Preview("pr-3"); err != nil {
		t.Fatal(err)
	}
	e := m.Envs[0]
	switch {
	case m.API.Name != "items-pr-3":
		t.Errorf("API name %q, want items-pr-3", m.API.Name)
	case m.API.Tags[PreviewTag] != "pr-3" || m.API.Tags["team"] != "a":
		t.Errorf("tags %v, want the project's plus preview = pr-3", m.API.Tags)
	case tags[PreviewTag] != "" || !pitr["items"]:
		t.Error("Preview changed maps it shares with the model it was built from")
	case m.API.CloudWatchRole || m.API.Domain != nil || e.Domain != nil:
		t.Error("a preview must not set the account's role or map the environment's custom domain")
	case e.DeletionProtection || e.PITR["items"]:
		t.Error("a preview is destroyed: no deletion protection, no point-in-time recovery")
	case m.Backend.StateKey(m.API.Name+"/dev") != "apis/items/previews/pr-3/items-pr-3/dev/terraform.tfstate":
		t.Errorf("state key %q", m.Backend.StateKey(m.API.Name+"/dev"))
	}

	two := &Model{API: API{Name: "items"}, Envs: []Env{{Name: "dev"}, {Name: "prod"}}}
	if err := two.Preview("pr-3"); err == nil {
		t.Error("a preview of two environments was accepted")
	}
}

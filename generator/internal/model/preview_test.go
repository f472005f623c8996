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

func TestPreviewEnvName(t *testing.T) {
	got, err := PreviewEnvName("items", "dev", "pr-12", len("create_item"))
	if err != nil || got != "dev-pr-12" {
		t.Fatalf("PreviewEnvName = %q, %v; want dev-pr-12", got, err)
	}
	// Every combination either keeps every function and role name within
	// 64 characters, or says how long the preview name may be.
	for _, api := range []string{"a", "items", "orders-api", strings.Repeat("x", 40)} {
		for _, env := range []string{"dev", "staging"} {
			for _, preview := range []string{"p", "pr-12", "pr-123456", strings.Repeat("p", PreviewNameMax)} {
				for _, longest := range []int{1, 11, 30} {
					if len(api)+len(env)+longest+2 > 64 {
						continue // the environment itself does not fit
					}
					name, err := PreviewEnvName(api, env, preview, longest)
					if err != nil {
						if !strings.Contains(err.Error(), "at most") || !strings.Contains(err.Error(), "64") {
							t.Errorf("PreviewEnvName(%q, %q, %q, %d): %v, want it to name the limit and the longest preview name", api, env, preview, longest, err)
						}
						continue
					}
					if fn := len(api) + 1 + len(name) + 1 + longest; fn > 64 {
						t.Errorf("%s-%s-<%d>: %d characters, over 64", api, name, longest, fn)
					}
					if name != env+"-"+preview {
						t.Errorf("PreviewEnvName = %q, want %s-%s", name, env, preview)
					}
				}
			}
		}
	}
	// The message's "at most N" is right: N fits, N+1 does not.
	_, err = PreviewEnvName("items", "dev", "pr-123456", 46)
	if err == nil || !strings.Contains(err.Error(), "at most 7 characters") {
		t.Fatalf("err = %v, want at most 7 characters", err)
	}
	if _, err := PreviewEnvName("items", "dev", "pr-1234", 46); err != nil {
		t.Errorf("a 7-character preview name was refused: %v", err)
	}
}

func TestPreviewModel(t *testing.T) {
	m := &Model{
		API:     API{Name: "items", CloudWatchRole: true, Tags: map[string]string{"team": "a"}, Domain: &Domain{Name: "api.example.com"}},
		Backend: &Backend{Bucket: "state", KeyPrefix: "apis"},
		Envs:    []Env{{Name: "dev", Stage: "dev", Domain: &Domain{Name: "api.example.com"}, DeletionProtection: true, PITR: map[string]bool{"items": true}}},
		Routes:  []Route{{Name: "create_item"}},
	}
	tags, pitr := m.API.Tags, m.Envs[0].PITR
	if err := m.Preview("pr-3"); err != nil {
		t.Fatal(err)
	}
	e := m.Envs[0]
	switch {
	case m.API.Name != "items" || e.Name != "dev-pr-3" || e.Stage != "dev":
		t.Errorf("API %q, env %q, stage %q; want items, dev-pr-3 (names items-dev-pr-3-...), stage dev", m.API.Name, e.Name, e.Stage)
	case m.API.Tags[PreviewTag] != "pr-3" || m.API.Tags["team"] != "a":
		t.Errorf("tags %v, want the project's plus preview = pr-3", m.API.Tags)
	case tags[PreviewTag] != "" || !pitr["items"]:
		t.Error("Preview changed maps it shares with the model it was built from")
	case m.API.CloudWatchRole || m.API.Domain != nil || e.Domain != nil:
		t.Error("a preview must not set the account's role or map the environment's custom domain")
	case e.DeletionProtection || e.PITR["items"]:
		t.Error("a preview is destroyed: no deletion protection, no point-in-time recovery")
	case m.Backend.StateKey(m.API.Name+"/"+e.Name) != "apis/items/dev/previews/pr-3/items/dev-pr-3/terraform.tfstate":
		t.Errorf("state key %q", m.Backend.StateKey(m.API.Name+"/"+e.Name))
	}
	if got := PreviewStatePrefix("", "items", "dev"); got != "items/dev/previews/" {
		t.Errorf("PreviewStatePrefix without a key prefix = %q", got)
	}

	two := &Model{API: API{Name: "items"}, Envs: []Env{{Name: "dev"}, {Name: "prod"}}}
	if err := two.Preview("pr-3"); err == nil {
		t.Error("a preview of two environments was accepted")
	}
}

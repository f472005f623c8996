package savedplan

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func put(t *testing.T, root, rel, text string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func project(t *testing.T) string {
	root := t.TempDir()
	put(t, root, "envs/dev/main.tf", "# main\n")
	put(t, root, "envs/dev/terraform.tfvars", "a = 1\n")
	put(t, root, "envs/dev/.terraform.lock.hcl", "# lock\n")
	put(t, root, "envs/dev/.terraform/modules/modules.json", "{}")
	put(t, root, "envs/dev/terraform.tfstate", "{}")
	put(t, root, "envs/prod/main.tf", "# prod\n")
	put(t, root, "build/functions/manifest.json", `{"functions":{"a":"k1"},"artifacts":{"k1":{"file":"abc.zip"}}}`)
	put(t, root, "build/functions/abc.zip", "zip")
	put(t, root, "build/functions/stale.zip", "not in the manifest")
	return root
}

func TestFingerprint(t *testing.T) {
	root := project(t)
	files, err := Fingerprint(root, "envs/dev")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rel := range files {
		got = append(got, rel)
	}
	want := "build/functions/abc.zip build/functions/manifest.json envs/dev/main.tf envs/dev/terraform.tfvars"
	if g := strings.Join(sorted(got), " "); g != want {
		t.Errorf("fingerprinted %s, want %s (no state, no .terraform, no lock file, no other env, no unused package)", g, want)
	}
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}

func TestVerify(t *testing.T) {
	root := project(t)
	plan := filepath.Join(t.TempDir(), "dev.tfplan")
	if err := Save(plan, root, Record{Env: "dev", Dir: "envs/dev", Region: "us-east-1", Logs: true}); err != nil {
		t.Fatal(err)
	}
	r, err := Load(plan)
	if err != nil {
		t.Fatal(err)
	}
	if r.Env != "dev" || !r.Logs || r.Region != "us-east-1" {
		t.Errorf("record %+v", r)
	}
	if err := r.Verify(root); err != nil {
		t.Fatalf("nothing changed: %v", err)
	}
	// Terraform's own files change with init, plan and apply: still the same plan.
	put(t, root, "envs/dev/terraform.tfstate", `{"serial": 2}`)
	put(t, root, "envs/dev/.terraform.lock.hcl", "# lock with more checksums\n")
	put(t, root, "envs/dev/.terraform/terraform.tfstate", "{}")
	if err := r.Verify(root); err != nil {
		t.Errorf("Terraform's working files changed: %v", err)
	}

	put(t, root, "envs/dev/main.tf", "# edited\n")
	put(t, root, "envs/dev/extra.tf", "# new\n")
	if err := os.Remove(filepath.Join(root, "build/functions/abc.zip")); err != nil {
		t.Fatal(err)
	}
	err = r.Verify(root)
	if err == nil {
		t.Fatal("edited, new and missing files: want a refusal")
	}
	for _, want := range []string{"envs/dev/main.tf (changed)", "envs/dev/extra.tf (new)", "build/functions/abc.zip (missing)", "Nothing was applied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestLoadWithoutRecord(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "x.tfplan"))
	if err == nil || !strings.Contains(err.Error(), "deploy -out") {
		t.Errorf("err = %v, want it to say how saved plans are made", err)
	}
}

package lockfile_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/generator/internal/lockfile"
	"github.com/apibuilder/apibuilder/local/stack"
)

const versionsTF = `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "` + lockfile.Constraint + `"
    }
  }
}
`

// TestMatchesTerraform: the lock file the generator writes is, byte for
// byte, what `terraform providers lock` writes from the provider mirror
// (so its checksum is the provider's), and `terraform init` from the
// mirror accepts it and leaves it as it is.
func TestMatchesTerraform(t *testing.T) {
	if testing.Short() {
		t.Skip("runs terraform")
	}
	ctx := context.Background()
	tc, err := stack.Tools(ctx, nil)
	if err != nil {
		t.Skipf("no terraform and provider mirror here: %v", err)
	}
	if tc.ProviderVersion != lockfile.Version {
		t.Skipf("the provider mirror has %s; the lock file is for %s", tc.ProviderVersion, lockfile.Version)
	}
	env := os.Environ()
	for k, v := range tc.Env() {
		env = append(env, k+"="+v)
	}
	run := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, tc.Terraform, args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	locked := t.TempDir()
	write(t, locked, "versions.tf", versionsTF)
	run(locked, "providers", "lock", "-fs-mirror="+tc.ProviderMirror, "-platform=linux_amd64")
	want := read(t, locked, lockfile.FileName)
	if got := lockfile.Render(nil); !bytes.Equal(got, want) {
		t.Errorf("the generated lock file differs from terraform's:\n--- generated\n%s--- terraform providers lock\n%s", got, want)
	}

	ours := t.TempDir()
	write(t, ours, "versions.tf", versionsTF)
	write(t, ours, lockfile.FileName, string(lockfile.Render(nil)))
	run(ours, "init", "-backend=false", "-input=false")
	if got := read(t, ours, lockfile.FileName); !bytes.Equal(got, lockfile.Render(nil)) {
		t.Errorf("terraform init changed the generated lock file:\n%s", got)
	}
}

// TestKeepsOtherPlatforms: checksums a team added for other platforms stay
// while the version does; another version's are dropped.
func TestKeepsOtherPlatforms(t *testing.T) {
	other := "h1:OtherPlatformChecksum0000000000000000000000000="
	withOther := strings.Replace(string(lockfile.Render(nil)), "  hashes = [\n", "  hashes = [\n    \""+other+"\",\n", 1)
	got := string(lockfile.Render([]byte(withOther)))
	if !strings.Contains(got, other) || !strings.Contains(got, lockfile.Hashes[0]) {
		t.Errorf("render of a lock file with another platform's checksum:\n%s", got)
	}
	if again := string(lockfile.Render([]byte(got))); again != got {
		t.Errorf("render is not stable:\n%s\nthen\n%s", got, again)
	}
	older := strings.Replace(withOther, `version     = "`+lockfile.Version+`"`, `version     = "5.99.0"`, 1)
	if got := string(lockfile.Render([]byte(older))); strings.Contains(got, other) {
		t.Errorf("checksums of another version were kept:\n%s", got)
	}
	if !lockfile.IsLockFile(lockfile.Render(nil)) || lockfile.IsLockFile([]byte("# my notes\n")) {
		t.Error("IsLockFile does not tell a lock file by its header")
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

package tools

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionAtLeast(t *testing.T) {
	for _, c := range []struct {
		have, want string
		ok         bool
	}{{"1.11.4", "1.5.0", true}, {"1.5.7", "1.5.0", true}, {"1.5.0", "1.5.0", true}, {"1.4.9", "1.5.0", false}, {"0.15.5", "1.5.0", false}, {"1.10.0-beta1", "1.5.0", true}} {
		if got := versionAtLeast(c.have, c.want); got != c.ok {
			t.Errorf("versionAtLeast(%s, %s) = %v, want %v", c.have, c.want, got, c.ok)
		}
	}
}

// A mirror named by APIBUILDER_PROVIDER_MIRROR wins, and the CLI config
// written for it serves hashicorp/aws from that mirror only.
func TestProviderMirrorAndCLIConfig(t *testing.T) {
	mirror := t.TempDir()
	bin := filepath.Join(mirror, providerAddress, "9.9.9", platform(), "terraform-provider-aws_v9.9.9")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/true\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("APIBUILDER_PROVIDER_MIRROR", mirror)
	opt, err := Options{CacheDir: t.TempDir()}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	tc := &Toolchain{}
	if err := ensureProvider(t.Context(), opt, tc); err != nil {
		t.Fatal(err)
	}
	if tc.ProviderMirror != mirror || tc.ProviderVersion != "9.9.9" {
		t.Fatalf("provider = %s %s, want 9.9.9 from %s", tc.ProviderVersion, tc.ProviderMirror, mirror)
	}
	if err := writeCLIConfig(opt, tc); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(tc.CLIConfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`path    = "` + mirror + `"`, `include = ["registry.terraform.io/hashicorp/aws"]`, `exclude = ["registry.terraform.io/hashicorp/aws"]`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("CLI config lacks %s:\n%s", want, data)
		}
	}
	if len(tc.Steps) != 2 || tc.Steps[0].How != "mirror from APIBUILDER_PROVIDER_MIRROR" {
		t.Errorf("steps = %+v", tc.Steps)
	}

	// An empty mirror is an error that names it.
	t.Setenv("APIBUILDER_PROVIDER_MIRROR", t.TempDir())
	if err := ensureProvider(t.Context(), opt, &Toolchain{}); err == nil || !strings.Contains(err.Error(), "holds no registry.terraform.io/hashicorp/aws build") {
		t.Errorf("empty mirror: err = %v", err)
	}
}

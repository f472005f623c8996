package packaging

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestToolchainFromGoMod(t *testing.T) {
	for _, tc := range []struct{ gomod, want string }{
		{"module m\n\ngo 1.26.8\n", "go1.26.8"},
		{"module m\r\n\r\ngo 1.26\r\n\r\ntoolchain go1.26.3\r\n", "go1.26.3"}, // CRLF checkout
		{"module m\n\ngo 1.26\n", ""},                                         // a language version pins no release
		{"module m\n\ngo 1.26.0\ntoolchain default\n", "go1.26.0"},
		{"module m\n", ""},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(tc.gomod), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := Toolchain(dir); got != tc.want {
			t.Errorf("go.mod %q: toolchain %q, want %q", tc.gomod, got, tc.want)
		}
		env := pinnedEnv(dir)
		if has := slices.Contains(env, "GOTOOLCHAIN="+tc.want); has != (tc.want != "") {
			t.Errorf("go.mod %q: build env %q", tc.gomod, env)
		}
	}
	if got := Toolchain(t.TempDir()); got != "" {
		t.Errorf("no go.mod: toolchain %q", got)
	}
}

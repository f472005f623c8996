package version

import (
	"runtime"
	"strings"
	"testing"
)

func TestStampedVersion(t *testing.T) {
	defer func(r, c, d string) { release, commit, date = r, c, d }(release, commit, date)
	release, commit, date = "v0.9.0", "0123456789abcdef0123456789abcdef01234567", "2026-12-07T20:00:00Z"
	if Release() != "v0.9.0" || String() != "v0.9.0" {
		t.Errorf("Release %q, String %q; want v0.9.0", Release(), String())
	}
	want := "apibuilder v0.9.0 (commit 0123456789ab, 2026-12-07T20:00:00Z, " + runtime.Version() + ", " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if got := Long(); got != want {
		t.Errorf("Long:\n got %s\nwant %s", got, want)
	}
	commit = "0123456789abcdef+dirty"
	if got := Long(); !strings.Contains(got, "commit 0123456789ab+dirty,") {
		t.Errorf("a dirty commit: %s", got)
	}
}

func TestUnstampedVersion(t *testing.T) {
	defer func(r, c, d string) { release, commit, date = r, c, d }(release, commit, date)
	release, commit, date = "", "", ""
	// A test binary has no module version and no VCS settings.
	if got := Long(); !strings.HasPrefix(got, "apibuilder "+String()+" (commit ") || !strings.HasSuffix(got, runtime.GOOS+"/"+runtime.GOARCH+")") {
		t.Errorf("Long: %s", got)
	}
}

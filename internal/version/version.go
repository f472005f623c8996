// Package version is apibuilder's version: the command's, and the version
// of the Terraform modules it writes into a project, which always match.
// Release builds stamp it (devtools/release); other builds read what the
// Go toolchain recorded.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set by release builds with -ldflags "-X
// github.com/apibuilder/apibuilder/internal/version.release=v1.2.3 -X
// ...version.commit=<full hash> -X ...version.date=<RFC 3339 UTC>".
// `go install github.com/apibuilder/apibuilder/cmd/apibuilder@v1.2.3` needs
// no flag: the module version comes from the build info.
var (
	release = ""
	commit  = ""
	date    = ""
)

// Release is the release version (e.g. "v1.2.3"), or "" for a development
// build (go run or go build inside a checkout).
func Release() string {
	if release != "" {
		return release
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return ""
}

// String is the version for people: the release, or "(devel)".
func String() string {
	if r := Release(); r != "" {
		return r
	}
	return "(devel)"
}

// Commit is the source commit the command was built from: stamped by a
// release build, else the one the go command recorded (a build inside a
// git checkout; "+dirty" when it had uncommitted changes), else "".
func Commit() string {
	if commit != "" {
		return commit
	}
	rev, modified := setting("vcs.revision"), setting("vcs.modified")
	if rev != "" && modified == "true" {
		rev += "+dirty"
	}
	return rev
}

// Date is when the source was committed (release builds: when they were
// built), RFC 3339 in UTC, or "" when unknown.
func Date() string {
	if date != "" {
		return date
	}
	return setting("vcs.time")
}

// Long is the one line `apibuilder version` prints: version, commit,
// date, Go version and platform, e.g.
//
//	apibuilder v0.9.0 (commit 1a2b3c4d5e6f, 2026-12-07T20:00:00Z, go1.26.8, linux/amd64)
func Long() string {
	c, dirty, _ := strings.Cut(Commit(), "+")
	if len(c) > 12 {
		c = c[:12]
	}
	if dirty != "" {
		c += "+" + dirty
	}
	if c == "" {
		c = "unknown"
	}
	d := Date()
	if d == "" {
		d = "date unknown"
	}
	return fmt.Sprintf("apibuilder %s (commit %s, %s, %s, %s/%s)", String(), c, d, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func setting(key string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

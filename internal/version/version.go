// Package version is apibuilder's version: the command's, and the version
// of the Terraform modules it writes into a project, which always match.
package version

import "runtime/debug"

// release is set by release builds:
// go build -ldflags "-X github.com/apibuilder/apibuilder/internal/version.release=v1.2.3".
// `go install github.com/apibuilder/apibuilder/cmd/apibuilder@v1.2.3` needs
// no flag: the module version comes from the build info.
var release = ""

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

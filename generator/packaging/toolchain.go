package packaging

import (
	"os"
	"path/filepath"
	"regexp"

	"github.com/apibuilder/apibuilder/generator/output"
	"golang.org/x/mod/modfile"
)

// pinnedEnv is the environment every build of a handler runs with, beyond
// the target: what would otherwise come from the machine and change the
// binary. GOAMD64 and GOARM64 are Go's defaults (the levels every Lambda
// host runs), so a developer's own setting cannot leak into a package;
// GOFLAGS leaves out a developer's flags.
func pinnedEnv(moduleRoot string) []string {
	env := []string{"CGO_ENABLED=0", "GOFLAGS=-mod=readonly", "GOAMD64=v1", "GOARM64=v8.0"}
	if tc := Toolchain(moduleRoot); tc != "" {
		env = append(env, "GOTOOLCHAIN="+tc)
	}
	return env
}

// releaseVersion is a Go release's version as a go.mod go line names it.
var releaseVersion = regexp.MustCompile(`^1\.[0-9]+\.[0-9]+$`)

// Toolchain is the Go toolchain the handlers' module pins, e.g.
// "go1.26.8": its go.mod's toolchain line, else its go line when that names
// a release (1.26.8, not the language version 1.26), which is the
// toolchain Go implies. Builds run with GOTOOLCHAIN set to it, so the
// compiler is the same on every machine whatever Go is installed (the go
// command fetches that release when it is not the local one). "" when
// go.mod pins none: then the local go builds, and the packages depend on
// its version.
func Toolchain(moduleRoot string) string {
	data, err := os.ReadFile(filepath.Join(moduleRoot, "go.mod"))
	if err != nil {
		return ""
	}
	f, err := modfile.Parse("go.mod", output.LF(data), nil) // a CRLF checkout pins the same
	if err != nil {
		return ""
	}
	if f.Toolchain != nil && f.Toolchain.Name != "" && f.Toolchain.Name != "default" {
		return f.Toolchain.Name
	}
	if f.Go != nil && releaseVersion.MatchString(f.Go.Version) {
		return "go" + f.Go.Version
	}
	return ""
}

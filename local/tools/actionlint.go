package tools

import (
	"context"
	"fmt"
)

// ActionlintVersion is the pinned actionlint, the linter of GitHub Actions
// workflows that checks the workflow `apibuilder init` and `apibuilder ci`
// write (expressions, job graph, action inputs, runner labels, and with
// shellcheck on PATH the run: scripts). It is built like kumo: from its
// embedded build module (buildmod/actionlint.mod and .sum, written by
// go generate ./local/tools), every module checked against that go.sum,
// into the tools cache, its sha256 recorded and checked on each use.
//
// Upgrading it: change the version here, run go generate ./local/tools
// (needs the module proxy and the checksum database), commit both.
const ActionlintVersion = "v1.7.12"

var actionlintTool = GoTool{Name: "actionlint", Module: "github.com/rhysd/actionlint", Version: ActionlintVersion,
	Package: "github.com/rhysd/actionlint/cmd/actionlint",
	Why:     "the linter that checks the GitHub workflow apibuilder init and apibuilder ci write"}

// EnsureActionlint returns the path of the pinned actionlint, building it
// into the tools cache the first time (about a minute; later calls verify
// the cached binary's sha256 and return at once). It is not part of Ensure:
// only the workflow checks need it, not the local stack.
func EnsureActionlint(ctx context.Context, opt Options) (string, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return "", err
	}
	mod, err := embeddedBuildModule(actionlintTool)
	if err != nil {
		return "", err
	}
	bin, sum, how, err := ensureBuilt(ctx, opt, actionlintTool, mod, "~1 min on 2 cores")
	if err != nil {
		return "", fmt.Errorf("actionlint: %w", err)
	}
	(&Toolchain{}).record(opt, Step{Tool: "actionlint", Version: ActionlintVersion, Path: bin, How: how, Checksum: "sha256:" + sum})
	return bin, nil
}

// Package lockfile writes the Terraform dependency lock file of every
// generated root module (.terraform.lock.hcl): the hashicorp/aws provider
// at the version apibuilder is tested with, and its checksums.
//
// The content comes from the tool, not from a Terraform run: the version
// and checksums are constants of this release (like the modules it
// carries), so generating stays fast, needs neither terraform nor the
// provider, and `generate -check` compares it like any other file. A test
// (lockfile_test.go) checks the constants against the provider mirror the
// local stack uses, so a release cannot carry a checksum Terraform would
// refuse.
//
// The file is what `terraform providers lock` writes, byte for byte, so a
// `terraform init` with that provider leaves it unchanged. Checksums a team
// added for other platforms (terraform providers lock -platform=...) are
// kept as long as the version stays the same.
package lockfile

import (
	"slices"
	"strings"

	"github.com/apibuilder/apibuilder/generator/output"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

const (
	// FileName is the lock file of a root module.
	FileName = ".terraform.lock.hcl"
	// Provider is the provider's source address as lock files name it.
	Provider = "registry.terraform.io/hashicorp/aws"
	// Version is the provider version every generated env is locked to:
	// the one the modules and the generated envs are tested with.
	Version = "5.100.0"
	// Constraint is the version constraint of the generated versions.tf
	// and of the modules: the tested range (5.100.0 and 6.13.0 are tested;
	// 7.x is a major version nobody has tested).
	Constraint = ">= 5.100, < 7.0"
	// constraintsLine is Constraint as Terraform records it in the lock file.
	constraintsLine = ">= 5.100.0, < 7.0.0"
)

// Hashes are the provider's checksums at Version: h1 (the Go-modules dirhash
// of the unpacked package) for linux_amd64, the platform of CI and the
// local stack, as `terraform providers lock -fs-mirror=<mirror>
// -platform=linux_amd64` computes it from the official package.
var Hashes = []string{
	"h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=",
}

// header is what Terraform writes at the top of every lock file; a file
// that starts with it is a lock file the generator may rewrite.
const header = "# This file is maintained automatically by \"terraform init\".\n# Manual edits may be lost in future updates.\n"

// IsLockFile reports whether data is a Terraform lock file (by its header).
// A CRLF checkout of one is one too.
func IsLockFile(data []byte) bool {
	return strings.HasPrefix(string(output.LF(data)), header)
}

// Render returns the lock file content: the provider at Version with
// Hashes, plus any checksum the existing file (nil if none) records for
// the same provider version.
func Render(existing []byte) []byte {
	hashes := slices.Clone(Hashes)
	for _, h := range existingHashes(existing) {
		if !slices.Contains(hashes, h) {
			hashes = append(hashes, h)
		}
	}
	slices.Sort(hashes)
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("\n")
	b.WriteString("provider \"" + Provider + "\" {\n")
	b.WriteString("  version     = \"" + Version + "\"\n")
	b.WriteString("  constraints = \"" + constraintsLine + "\"\n")
	b.WriteString("  hashes = [\n")
	for _, h := range hashes {
		b.WriteString("    \"" + h + "\",\n")
	}
	b.WriteString("  ]\n}\n")
	return []byte(b.String())
}

// existingHashes reads the checksums of Provider at Version from a lock
// file; anything it cannot read gives none.
func existingHashes(src []byte) []string {
	if len(src) == 0 {
		return nil
	}
	f, diags := hclsyntax.ParseConfig(src, FileName, hcl.InitialPos)
	if diags.HasErrors() {
		return nil
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	for _, blk := range body.Blocks {
		if blk.Type != "provider" || len(blk.Labels) != 1 || blk.Labels[0] != Provider {
			continue
		}
		if v, ok := literal(blk.Body, "version"); !ok || v.AsString() != Version {
			return nil
		}
		v, ok := literal(blk.Body, "hashes")
		if !ok || !v.Type().IsTupleType() && !v.Type().IsListType() {
			return nil
		}
		var out []string
		for it := v.ElementIterator(); it.Next(); {
			_, h := it.Element()
			if h.Type() == cty.String && h.IsKnown() && !h.IsNull() {
				out = append(out, h.AsString())
			}
		}
		return out
	}
	return nil
}

func literal(body *hclsyntax.Body, name string) (cty.Value, bool) {
	a, ok := body.Attributes[name]
	if !ok {
		return cty.NilVal, false
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return cty.NilVal, false
	}
	if name == "version" && v.Type() != cty.String {
		return cty.NilVal, false
	}
	return v, true
}

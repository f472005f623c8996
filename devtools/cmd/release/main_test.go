package main

import (
	"encoding/json"
	"strings"
	"testing"
)

const changelog = "# Changelog\r\n\r\n## [Unreleased]\r\n\r\n- next\r\n\r\n## [0.9.0] - 2026-12-07\r\n\r\n### Added\r\n- first\r\n\r\n## [0.8.0]\r\n- old\r\n\r\n[0.9.0]: https://example.com/v0.9.0\r\n"

func TestReleaseNotes(t *testing.T) {
	for _, tc := range []struct{ version, section, notes string }{
		{"v0.9.0", "0.9.0", "### Added\n- first\n"},
		{"v0.8.0", "0.8.0", "- old\n"},
		{"v1.0.0", "Unreleased", "- next\n"}, // no section yet: the Unreleased one
	} {
		notes, section, err := ReleaseNotes(changelog, tc.version)
		if err != nil || section != tc.section || notes != tc.notes {
			t.Errorf("%s: section %q notes %q err %v; want %q %q", tc.version, section, notes, err, tc.section, tc.notes)
		}
	}
	if _, _, err := ReleaseNotes("# Changelog\n", "v1.0.0"); err == nil {
		t.Error("a changelog without the section nor Unreleased gave notes")
	}
}

func sums() []Sum {
	var out []Sum
	for i, p := range Platforms {
		out = append(out, Sum{Name: binaryName("v0.9.0", p), SHA256: strings.Repeat(string(rune('a'+i)), 64), Platform: p})
	}
	return out
}

func TestInstallerFilesFromChecksums(t *testing.T) {
	s := sums()
	if got := string(SHA256SUMS(s)); !strings.HasPrefix(got, strings.Repeat("a", 64)+"  apibuilder_0.9.0_linux_amd64\n") || strings.Count(got, "\n") != 6 {
		t.Errorf("SHA256SUMS:\n%s", got)
	}
	rb, err := HomebrewFormula("v0.9.0", "https://dl/v0.9.0", s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`version "0.9.0"`,
		`url "https://dl/v0.9.0/apibuilder_0.9.0_darwin_arm64"`, `sha256 "` + strings.Repeat("d", 64) + `"`,
		`url "https://dl/v0.9.0/apibuilder_0.9.0_linux_amd64"`, `sha256 "` + strings.Repeat("a", 64) + `"`,
		`bin.install "apibuilder_0.9.0_darwin_amd64" => "apibuilder"`,
	} {
		if !strings.Contains(string(rb), want) {
			t.Errorf("formula lacks %s:\n%s", want, rb)
		}
	}
	js, err := ScoopManifest("v0.9.0", "https://dl/v0.9.0", s)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Version      string
		Architecture map[string]struct {
			URL  string
			Hash string
			Bin  [][]string
		}
	}
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	x64 := m.Architecture["64bit"]
	if m.Version != "0.9.0" || x64.URL != "https://dl/v0.9.0/apibuilder_0.9.0_windows_amd64.exe" || x64.Hash != strings.Repeat("e", 64) ||
		m.Architecture["arm64"].Hash != strings.Repeat("f", 64) || len(x64.Bin) != 1 || x64.Bin[0][1] != "apibuilder" {
		t.Errorf("scoop manifest:\n%s", js)
	}
}

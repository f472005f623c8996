package config

import (
	"strings"
	"testing"
)

// TestPathsAreSlashPathsOnEverySystem: a routes.yaml that a Windows user
// writes with backslashes or a drive letter would generate on Windows and
// fail (or mean something else) on Linux CI; it is refused everywhere with
// the slash form to write, so the same file behaves the same on every
// system. Runs on Linux what only Windows would otherwise accept.
func TestPathsAreSlashPathsOnEverySystem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ from, to, want string }{
		{"handler: functions/ok", `handler: functions\ok`, `routes[0].handler: "functions\\ok" uses \: paths in routes.yaml use / on every system, Windows included; write functions/ok`},
		{"schema: schemas/ok.json", `schema: 'schemas\ok.json'`, `routes[0].request.schema: "schemas\\ok.json" uses \: paths in routes.yaml use / on every system, Windows included; write schemas/ok.json`},
		{"handler: functions/ok", `handler: C:/project/functions/ok`, `routes[0].handler: "C:/project/functions/ok" is an absolute path; give a path relative to the directory of routes.yaml`},
		{"handler: functions/ok", `handler: /functions/ok`, `routes[0].handler: "/functions/ok" is an absolute path`},
	} {
		src := strings.Replace(base, tc.from, tc.to, 1)
		_, err := Load(tempProject(t, src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got\n%v\nwant an error containing\n%s", tc.to, err, tc.want)
		}
	}
	// The same file with CRLF line endings (a Windows checkout) loads.
	if _, err := Load(tempProject(t, strings.ReplaceAll(base, "\n", "\r\n"))); err != nil {
		t.Errorf("CRLF routes.yaml rejected:\n%v", err)
	}
}

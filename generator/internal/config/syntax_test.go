package config

import (
	"os"
	"strings"
	"testing"
)

// BenchmarkSyntaxErrors measures locating syntax errors, which re-parses
// prefixes of the file: a bad indent near the end of a 300-route file, and
// an unclosed quote on a 4,000-character line.
func BenchmarkSyntaxErrors(b *testing.B) {
	big, err := os.ReadFile("testdata/errors/too-many-resources/routes.yaml")
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.SplitAfter(string(big), "\n")
	lines[len(lines)-3] = "   method: GET\n"
	inputs := map[string][]byte{
		"bad indent at line 301 of 304": []byte(strings.Join(lines, "")),
		"long line":                     []byte("api:\n  description: '" + strings.Repeat("x", 4000) + "\nroutes: []\n"),
	}
	for name, data := range inputs {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, list := Parse("routes.yaml", data); list.Len() == 0 {
					b.Fatal("no syntax error")
				}
			}
		})
	}
}

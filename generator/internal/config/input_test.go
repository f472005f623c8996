package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apibuilder/apibuilder/generator/internal/diag"
)

// TestInputLimits: a routes file far past any real API is refused quickly,
// with one diagnostic naming the limit, before anything else is decoded or
// checked (the caps are too large for an error case folder).
func TestInputLimits(t *testing.T) {
	t.Parallel()
	var routes strings.Builder
	routes.WriteString("api: { name: items }\nroutes:\n")
	for i := 0; routes.Len() <= MaxFileBytes; i++ {
		fmt.Fprintf(&routes, "  - { name: r%d, method: GET, path: /r%d, handler: functions/ok }\n", i, i)
	}
	nodes := "api: { name: items }\nroutes: []\nx: [" + strings.Repeat("a,", MaxNodes) + "a]\n"
	if len(nodes) > MaxFileBytes {
		t.Fatalf("the node case is %d bytes, over the byte cap: it would test the wrong limit", len(nodes))
	}
	for _, c := range []struct {
		name, src, want string
	}{
		{"bytes", routes.String(), fmt.Sprintf("routes.yaml:1:1: the file is %s; apibuilder reads routes files of at most 2.0 MiB", mib(routes.Len()))},
		{"nodes", nodes, fmt.Sprintf("routes.yaml:1:1: the file has more than %d YAML nodes; apibuilder reads routes files of at most %d", MaxNodes, MaxNodes)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := tempProject(t, c.src)
			start := time.Now()
			_, err := Load(path)
			took := time.Since(start)
			var de *diag.Error
			if !errors.As(err, &de) {
				t.Fatalf("want diagnostics, got %v", err)
			}
			if len(de.Items) != 1 {
				t.Fatalf("want one diagnostic, got %d:\n%v", len(de.Items), err)
			}
			d := de.Items[0]
			d.File = "routes.yaml"
			if got := d.Error(); !strings.HasPrefix(got, c.want) || !strings.Contains(got, "split it into several APIs") {
				t.Errorf("got  %s\nwant %s...; split it into several APIs...", got, c.want)
			}
			// Generous for a loaded 2-core machine; an uncapped run of the
			// byte case takes seconds and hundreds of MB.
			if took > 3*time.Second {
				t.Errorf("refusing took %v", took)
			}
		})
	}
}

// TestOneDocument: a file that starts with '---' is one document; a
// second one is refused at its marker, whatever it holds.
func TestOneDocument(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		src  string
		want string // the diagnostic's position, or "" for none
	}{
		{"---\napi: {name: items}\nroutes: []\n", ""},
		{"---\napi: {name: items}\nroutes: []\n...\n", ""},
		{"api: {name: items}\nroutes: []\n---\n", "3:1"},
		{"---\napi: {name: items}\nroutes: []\n--- # again\nx: 1\n", "4:1"},
		{"api: {name: items}\nroutes: []\n...\n---\n{\n", "3:1"},
	} {
		_, list := Parse("routes.yaml", []byte(c.src))
		got := ""
		for _, d := range list.Items {
			if strings.Contains(d.Message, "second YAML document") {
				got = fmt.Sprintf("%d:%d", d.Pos.Line, d.Pos.Col)
			}
		}
		if got != c.want {
			t.Errorf("%q: second document at %q, want %q (diagnostics: %v)", c.src, got, c.want, list.Items)
		}
	}
}

package config

import "testing"

// FuzzParse proves that parsing and validation never panic, whatever the input; every
// problem must come back as diagnostics with a position.
func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte("api: {name: x}\nroutes: [{name: a, method: GET, path: /a/{b+}, handler: h}]\n"))
	f.Add([]byte("api: &a {name: x}\nroutes: *a\n"))
	f.Add([]byte("- just\n- a list\n"))
	f.Add([]byte("api:\n  cors: {allow_origins: [1, [2]]}\nenvironments: {prod: {routes: {x: 5}}}\n"))
	// Syntax errors: every one is located by re-parsing prefixes of the input.
	f.Add([]byte("api:\n  name: 'x\nroutes:\n  - a: [b, {c: d\n   e: f\n\tg: h\n"))
	f.Add([]byte("a: [\"b\\q\", {c: \xc3\xa9: d}\n  - e\n f: *g\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, list, ok := parse("fuzz.yaml", data)
		if cfg == nil || list == nil {
			t.Fatal("parse returned nil")
		}
		if ok {
			cfg.Dir = baseDir
			validate(cfg, list)
		}
		for _, d := range list.Items {
			if d.Message == "" {
				t.Fatalf("diagnostic without a message: %+v", d)
			}
			if !ok && (d.Pos.Line < 1 || d.Pos.Col < 1) {
				t.Fatalf("syntax error without a position: %+v", d)
			}
		}
	})
}

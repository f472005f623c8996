// Package synth writes synthetic projects of N routes, for benchmarks and
// scale tests: a routes.yaml whose routes share one handler and one table.
package synth

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Project writes a project with n routes into dir and returns the path of its
// routes.yaml. Routes come in groups of four on their own resource
// (/r<i>/items and /r<i>/items/{id}), like the example API, so the resource
// tree grows with the routes. All routes share handler.
func Project(dir string, n int, handler string) (string, error) {
	return ProjectOf(dir, n, func(int) string { return handler })
}

// ProjectOf is Project with route i served by handler(i) ("" for a stub
// handler written into the project).
func ProjectOf(dir string, n int, handlerOf func(i int) string) (string, error) {
	handler := handlerOf(0)
	if handler == "" {
		handler = "functions/handler"
		h := filepath.Join(dir, handler)
		if err := os.MkdirAll(h, 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(h, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "schemas"), 0o755); err != nil {
		return "", err
	}
	schema := `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["id"],"properties":{"id":{"type":"string"}}}`
	if err := os.WriteFile(filepath.Join(dir, "schemas", "item.json"), []byte(schema), 0o644); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("api: { name: bench, resource_quota: 2000 }\ntables:\n  items: { hash_key: id }\nauthorizers:\n  key: { type: api_key }\nroutes:\n")
	shapes := []struct{ method, path, extra string }{
		{"POST", "/r%d/items", "request: { schema: schemas/item.json }, auth: key, permissions: [{ table: items, actions: [PutItem] }]"},
		{"GET", "/r%d/items/{id}", "permissions: [{ table: items, actions: [GetItem] }]"},
		{"GET", "/r%d/items", "permissions: [{ table: items, actions: [Scan] }]"},
		{"DELETE", "/r%d/items/{id}", "auth: key, permissions: [{ table: items, actions: [DeleteItem] }]"},
	}
	for i := 0; i < n; i++ {
		s := shapes[i%len(shapes)]
		fmt.Fprintf(&b, "  - { name: r%d, method: %s, path: \"%s\", handler: %s, environment: { TABLE_NAME: \"${table.items.name}\" }, %s }\n",
			i, s.method, fmt.Sprintf(s.path, i/len(shapes)), or(handlerOf(i), handler), s.extra)
	}
	path := filepath.Join(dir, "routes.yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

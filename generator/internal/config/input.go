package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/apibuilder/apibuilder/generator/internal/diag"
)

// Input limits. A real routes.yaml stays far below both: API Gateway
// allows 300 resources per REST API, and a file with a thousand fully
// specified routes is about 300 KB and 40,000 YAML nodes. Without a cap a
// runaway (generated, concatenated) file costs about 150 bytes of memory
// per input byte (100,000 routes: 12 s and 1.2 GB) before any error.
const (
	// MaxFileBytes is the largest routes file read.
	MaxFileBytes = 2 << 20
	// MaxNodes is the most YAML nodes (keys, values, list items) in it.
	MaxNodes = 200_000
)

// readDocument decodes data, which must hold one YAML document, into doc.
// It returns the first document's syntax error as yaml.v3 gives it, and
// reports in list what makes the input unusable as a whole: over a size
// limit (stop is then true: nothing else is worth checking) or a second
// document (the first is still checked).
func readDocument(data []byte, doc *yaml.Node, list *diag.List) (stop bool, err error) {
	if n := len(data); n > MaxFileBytes {
		list.Add(diag.Pos{Line: 1, Col: 1}, "", fmt.Sprintf("the file is %s; apibuilder reads routes files of at most %s", mib(n), mib(MaxFileBytes)),
			"that is several times the largest real API (300 API Gateway resources per REST API): split it into several APIs, each with its own routes.yaml")
		return true, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(doc); err != nil {
		if errors.Is(err, io.EOF) {
			*doc = yaml.Node{}
			return false, nil
		}
		return false, err
	}
	if n := countNodes(doc, MaxNodes+1); n > MaxNodes {
		list.Add(diag.Pos{Line: 1, Col: 1}, "", fmt.Sprintf("the file has more than %d YAML nodes; apibuilder reads routes files of at most %d", MaxNodes, MaxNodes),
			"that is several times the largest real API (300 API Gateway resources per REST API): split it into several APIs, each with its own routes.yaml")
		return true, nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	default:
		what := "a second YAML document"
		if err != nil {
			what += " (which does not parse either)"
		}
		list.Add(secondDocument(data, doc), "", "starts "+what+"; routes.yaml is one document, and apibuilder would ignore everything after the first",
			"remove the '---' line and what follows it, or merge it into the first document")
	}
	return false, nil
}

// countNodes counts the nodes of n, stopping at limit.
func countNodes(n *yaml.Node, limit int) int {
	count := 0
	stack := []*yaml.Node{n}
	for len(stack) > 0 && count < limit {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		count++
		stack = append(stack, top.Content...)
	}
	return count
}

// secondDocument is where the document after doc starts: the first
// document marker ('---' or '...') at the start of a line after the first
// document's content began.
func secondDocument(data []byte, doc *yaml.Node) diag.Pos {
	first := 0
	if len(doc.Content) > 0 {
		first = doc.Content[0].Line
	}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if i+1 <= first {
			continue
		}
		for _, marker := range []string{"---", "..."} {
			if line == marker || strings.HasPrefix(line, marker+" ") || strings.HasPrefix(line, marker+"\t") {
				return diag.Pos{Line: i + 1, Col: 1}
			}
		}
	}
	return diag.Pos{Line: 1, Col: 1}
}

func mib(n int) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

package main

import "testing"

func TestMergeSectionsReplacesOnlyFreshSections(t *testing.T) {
	report := "# Benchmarks\n\nWritten then.\n\n## A\n\nold a\n\n## B\n\nold b\n\n### B.1\n\nold b1\n"
	fresh := "## B\n\nnew b\n\n### B.2\n\nnew b2\n\n## C\n\nnew c\n"
	want := "# Benchmarks\n\nWritten then.\n\n## A\n\nold a\n\n## B\n\nnew b\n\n### B.2\n\nnew b2\n\n## C\n\nnew c\n"
	if got := string(mergeSections([]byte(report), []byte(fresh))); got != want {
		t.Errorf("merged:\n%s\nwant:\n%s", got, want)
	}
	// A section new to the report follows the fresh one before it.
	fresh2 := "## A\n\nnew a\n\n## A2\n\nnew a2\n"
	want2 := "# Benchmarks\n\nWritten then.\n\n## A\n\nnew a\n\n## A2\n\nnew a2\n\n## B\n\nold b\n\n### B.1\n\nold b1\n"
	if got := string(mergeSections([]byte(report), []byte(fresh2))); got != want2 {
		t.Errorf("merged a new section:\n%s\nwant:\n%s", got, want2)
	}
	if got := string(mergeSections(nil, []byte(fresh))); got != fresh {
		t.Errorf("merged into nothing:\n%q", got)
	}
}

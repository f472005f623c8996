package generate_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/apibuilder/apibuilder/bench/synth"
	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/testkit"
)

// BenchmarkGenerateWarm is the whole generate of a project where nothing
// changed (the packages are built once before timing): what a user waits
// for on every run.
func BenchmarkGenerateWarm(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			root := filepath.Join("..", "..")
			for _, name := range []string{"go.mod", "go.sum", "functions", "lambdakit"} {
				if err := testkit.CopyTree(filepath.Join(root, name), filepath.Join(dir, name), nil); err != nil {
					b.Fatal(err)
				}
			}
			cfg, err := synth.Project(dir, n, "functions/get_item")
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if _, err := generate.Run(ctx, generate.Options{Config: cfg}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := generate.Run(ctx, generate.Options{Config: cfg}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

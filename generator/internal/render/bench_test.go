package render_test

import (
	"fmt"
	"testing"

	"github.com/apibuilder/apibuilder/bench/synth"
	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/render"
)

// BenchmarkGenerate measures parse + validate + model + render of both
// environments for growing numbers of routes.
func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			path, err := synth.Project(b.TempDir(), n, "")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				cfg, err := config.Load(path)
				if err != nil {
					b.Fatal(err)
				}
				if files := render.Render(model.Build(cfg), opts); len(files) == 0 {
					b.Fatal("nothing rendered")
				}
			}
		})
	}
}

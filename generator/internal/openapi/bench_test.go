package openapi_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apibuilder/apibuilder/bench/synth"
	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/openapi"
)

// BenchmarkRender measures the documents of every environment for growing
// numbers of routes (the routes file is parsed once, outside the loop).
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			path, err := synth.Project(b.TempDir(), n, "")
			if err != nil {
				b.Fatal(err)
			}
			cfg, err := config.Load(path)
			if err != nil {
				b.Fatal(err)
			}
			m := model.Build(cfg)
			read := func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(cfg.Dir, filepath.FromSlash(rel))) }
			b.ReportAllocs()
			for b.Loop() {
				for _, e := range m.Envs {
					if _, _, err := openapi.Render(m, e, read); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

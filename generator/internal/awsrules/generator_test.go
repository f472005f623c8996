package awsrules

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/render"
)

// TestWhatTheGeneratorAdds: the rules count what the generator adds, so
// what they count must be what it adds: the same names, tags, CORS
// variables and merged environments as packages model and render.
func TestWhatTheGeneratorAdds(t *testing.T) {
	for _, c := range [][2]string{
		{corsOrigins, model.EnvCORSOrigins}, {corsCredentials, model.EnvCORSCredentials},
		{corsExposeHeaders, model.EnvCORSExposeHeaders}, {defaultRegion, model.DefaultRegion},
	} {
		if c[0] != c[1] {
			t.Errorf("awsrules counts %q where the model has %q", c[0], c[1])
		}
	}
	if !strings.Contains(strings.Join(ourTags, ","), model.PreviewTag) {
		t.Errorf("ourTags lacks the preview tag %q", model.PreviewTag)
	}
	paths, err := filepath.Glob(filepath.Join(root, "examples", "*", "routes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, filepath.Join(root, "routes.yaml"), filepath.Join("..", "render", "testdata", "example", "routes.yaml"))
	for _, path := range paths {
		cfg, err := config.Load(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		m := model.Build(cfg)
		files := render.Render(m, render.Options{OutDir: "envs", BuildDir: "build/functions", ModulesDir: "modules"})
		names, defs := envs(cfg)
		for i, e := range m.Envs {
			main, versions := string(files["envs/"+e.Name+"/main.tf"]), string(files["envs/"+e.Name+"/versions.tf"])
			for _, tag := range []string{"project", "env", "managed_by"} {
				if !strings.Contains(versions, " "+tag+" = ") {
					t.Errorf("%s: envs/%s/versions.tf's default_tags set no %s tag; awsrules counts it", path, e.Name, tag)
				}
			}
			if len(m.Routes) > 0 && !strings.Contains(main, `route = "`) {
				t.Errorf("%s: envs/%s/main.tf tags no function with its route; awsrules counts it", path, e.Name)
			}
			for _, fn := range functions(cfg) {
				values, ok := e.Routes[fn.name.V]
				if !fn.route {
					values, ok = e.Authorizers[fn.name.V]
				}
				if !ok {
					t.Fatalf("%s: the model has no function %s in %s", path, fn.name.V, e.Name)
				}
				want := map[string]string{}
				for _, v := range values.Environment {
					var b strings.Builder
					for _, p := range v.Parts {
						switch {
						case p.Table == "":
							b.WriteString(p.Text)
						case p.Att == "arn":
							b.WriteString("arn:aws:dynamodb:" + e.Region + ":000000000000:table/" + m.API.Name + "-" + e.Name + "-" + p.Table)
						default:
							b.WriteString(m.API.Name + "-" + e.Name + "-" + p.Table)
						}
					}
					want[v.Name] = b.String()
				}
				got, _ := envVars(cfg, fn, names[i], defs[i])
				if jsonSize(got) != jsonSize(want) || len(got) != len(want) {
					t.Errorf("%s: %s in %s: awsrules measures %v (%d bytes), the model deploys %v (%d bytes)", path, fn.field, e.Name, got, jsonSize(got), want, jsonSize(want))
				}
			}
		}
	}
}

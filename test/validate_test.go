package test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/apibuilder/apibuilder/tfdriver"
)

// TestGeneratedEnvsValidate runs terraform validate, with the real AWS
// provider, on every environment the generator writes for the example and
// on its account bootstrap (envs/_account), each with its lock file.
func TestGeneratedEnvsValidate(t *testing.T) {
	t.Parallel()
	tc := toolchain(t)
	project := copyProject(t)
	generate(t, project, "-no-build")
	for _, env := range []string{"dev", "prod", "_account"} {
		t.Run(env, func(t *testing.T) {
			ws, err := tfdriver.New(filepath.Join(project, "envs", env), tc.Terraform, tc.Env(), failureLog(t, "terraform-"+env))
			if err != nil {
				t.Fatal(err)
			}
			problems, err := ws.Validate(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Errorf("envs/%s: %s", env, p)
			}
		})
	}
}

package tfdriver

import (
	"os"
	"path/filepath"
)

// LocalOverride is the file LocalBackend writes. Terraform merges a
// *_override.tf file over the configuration, so the generated backend
// stays as committed.
const LocalOverride = "local_override.tf"

// LocalBackend makes the root module in dir keep its state in a local
// file, whatever backend it names: for copies of an environment (the local
// stack's, a test deployment's) whose state must never mix with the real
// one. why says who keeps the state there, for the file's comment.
func LocalBackend(dir, why string) error {
	src := "# Written by " + why + ", never in your backend.\nterraform {\n  backend \"local\" {}\n}\n"
	return os.WriteFile(filepath.Join(dir, LocalOverride), []byte(src), 0o644)
}

package cli

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/local/stack"
)

func TestSecretAssignments(t *testing.T) {
	var f SecretFlag
	for _, s := range []string{"ssm:/items/prod/admin-token-sha256=d2ea", "secretsmanager:items/db=a=b==", "/items/dev/x= spaced "} {
		if err := f.Set(s); err != nil {
			t.Fatalf("Set(%q): %v", s, err)
		}
	}
	want := SecretFlag{{Ref: "ssm:/items/prod/admin-token-sha256", Value: "d2ea"}, {Ref: "secretsmanager:items/db", Value: "a=b=="}, {Ref: "/items/dev/x", Value: " spaced "}}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("parsed %+v, want %+v", f, want)
	}
	for _, bad := range []string{"ssm:/x", " =s3cr3t", "ssm:/x="} {
		err := f.Set(bad)
		if err == nil {
			t.Errorf("Set(%q) accepted", bad)
		} else if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("Set(%q): the error shows the value: %v", bad, err)
		}
	}

	path := filepath.Join(t.TempDir(), "secrets")
	if err := os.WriteFile(path, []byte("# prod on the local stack\n\nssm:/items/prod/admin-token-sha256=abc\n  secretsmanager:items/db=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSecretsFile(path)
	if err != nil || !reflect.DeepEqual(got, []stack.Secret{{Ref: "ssm:/items/prod/admin-token-sha256", Value: "abc"}, {Ref: "secretsmanager:items/db", Value: "x"}}) {
		t.Errorf("ReadSecretsFile = %+v, %v", got, err)
	}
	if err := os.WriteFile(path, []byte("ssm:/a=1\nno value here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSecretsFile(path); err == nil || !strings.Contains(err.Error(), path+":2:") {
		t.Errorf("bad line: %v, want an error at line 2", err)
	}
}

func TestMissingSecretIsRecognised(t *testing.T) {
	for msg, want := range map[string]bool{
		"Error: reading SSM Parameter (/items/prod/admin-token-sha256): couldn't find resource":                                                                                                                          true,
		"Error: reading SSM Parameter (/items/prod/admin-token-sha256): operation error SSM: GetParameter, https response error StatusCode: 400, ParameterNotFound: Parameter /items/prod/admin-token-sha256 not found.": true,
		"Error: reading Secrets Manager Secret (items/db): ResourceNotFoundException: Secrets Manager can't find the specified secret.":                                                                                  true,
		"Error: creating Lambda Function (x): ResourceNotFoundException":                                                                                                                                                 false,
		"Error: reading SSM Parameter (/x): AccessDeniedException":                                                                                                                                                       false,
	} {
		if got := missingSecret(errors.New(msg)); got != want {
			t.Errorf("missingSecret(%q) = %v, want %v", msg, got, want)
		}
	}
}

package bootstrap

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/generator/output"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// cases are the roots the golden tests render: a first environment that
// makes everything, and a second one in the same account that adopts the
// account's objects and locks with DynamoDB.
var cases = map[string]Params{
	"first": {
		Project: "items", Environment: "dev", Region: "us-east-1", Repository: "acme/items-api", Lock: LockS3,
		StateBucket: "items-tfstate-123456789012-us-east-1", StateRegion: "us-east-1", CreateStateBucket: true, Preview: true,
	},
	"adopting": {
		Project: "items", Environment: "prod", Region: "eu-west-1", Repository: "acme/items-api", Lock: LockDynamoDB,
		StateBucket: "items-tfstate-123456789012-us-east-1", StateRegion: "us-east-1", LockTable: "items-tflock",
		OIDCProviderARN:   "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
		CloudWatchRoleARN: "arn:aws:iam::123456789012:role/apigateway-cloudwatch",
	},
}

// TestRenderGolden compares the rendered roots with testdata/<case>/
// (go test ./pipeline/bootstrap -update rewrites them).
func TestRenderGolden(t *testing.T) {
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			files, err := Render(p)
			if err != nil {
				t.Fatal(err)
			}
			files[Dir+"/"+p.Environment+"/backend.tf"] = BackendTF(p)
			dir := filepath.Join("testdata", name)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				for rel, b := range files {
					if err := output.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), b); err != nil {
						t.Fatal(err)
					}
				}
			}
			var want []string
			err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, path)
					want = append(want, filepath.ToSlash(rel))
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rel, b := range files {
				got = append(got, rel)
				old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
				if err != nil {
					t.Errorf("%s: not in the golden (run with -update if meant): %v", rel, err)
					continue
				}
				if !bytes.Equal(old, b) {
					t.Errorf("%s differs from the golden (-want +got):\n%s", rel, output.Diff(rel, old, b))
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("files = %v, golden has %v", got, want)
			}
		})
	}
}

// TestRenderHeaderAndFormat: every HCL file carries the generated header
// and is as terraform fmt writes it (checked with terraform when it is on
// PATH, which the local stack's toolchain puts there).
func TestRenderHeaderAndFormat(t *testing.T) {
	files, err := Render(cases["first"])
	if err != nil {
		t.Fatal(err)
	}
	files[Dir+"/dev/backend.tf"] = BackendTF(cases["first"])
	dir := t.TempDir()
	for rel, b := range files {
		if strings.HasSuffix(rel, ".tf") || strings.HasSuffix(rel, ".tfvars") {
			if !bytes.HasPrefix(b, []byte(Header)) {
				t.Errorf("%s: no generated header", rel)
			}
		}
		if err := output.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), b); err != nil {
			t.Fatal(err)
		}
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform fmt: no terraform on PATH (the header was checked)")
	}
	out, err := exec.CommandContext(context.Background(), tf, "fmt", "-check", "-recursive", "-diff", dir).CombinedOutput()
	if err != nil {
		t.Errorf("terraform fmt -check: %v\n%s", err, out)
	}
}

// TestPoliciesAreJSON: every template is valid JSON once filled, names
// only the documented variables, and the trust policies hold exactly the
// conditions of the brief: aud sts.amazonaws.com, and for the plan role
// the repository's pull_request and main subs, for the apply role its
// environment's only.
func TestPoliciesAreJSON(t *testing.T) {
	vars := testVars()
	allowed := []string{"account_id", "environment", "lock_table", "name_prefix", "oidc_provider_arn", "package_buckets", "region", "repository", "state_bucket", "state_prefix", "state_region"}
	for _, name := range PolicyNames {
		tmpl := Policy(name)
		for _, v := range templateVars(tmpl) {
			if !slices.Contains(allowed, v) {
				t.Errorf("%s: unknown variable ${%s}", name, v)
			}
		}
		if strings.Contains(tmpl, "%{") {
			t.Errorf("%s: has %%{, a templatefile directive", name)
		}
		filled, err := Fill(tmpl, vars)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(filled), &doc); err != nil {
			t.Errorf("%s: not JSON: %v", name, err)
		}
		if doc["Version"] != "2012-10-17" {
			t.Errorf("%s: Version %v", name, doc["Version"])
		}
	}
	cond := func(name string) map[string]any {
		filled, _ := Fill(Policy(name), vars)
		var doc struct {
			Statement []struct {
				Effect, Action string
				Principal      map[string]string
				Condition      map[string]map[string]any
			}
		}
		if err := json.Unmarshal([]byte(filled), &doc); err != nil || len(doc.Statement) != 1 {
			t.Fatalf("%s: %v (%d statements, want 1)", name, err, len(doc.Statement))
		}
		st := doc.Statement[0]
		if st.Effect != "Allow" || st.Action != "sts:AssumeRoleWithWebIdentity" || st.Principal["Federated"] != vars["oidc_provider_arn"] || len(st.Condition) != 1 {
			t.Errorf("%s: %+v", name, st)
		}
		return st.Condition["StringEquals"]
	}
	plan := cond("plan-trust")
	if plan["token.actions.githubusercontent.com:aud"] != "sts.amazonaws.com" ||
		!slices.Equal(toStrings(plan["token.actions.githubusercontent.com:sub"]), []string{"repo:acme/items-api:pull_request", "repo:acme/items-api:ref:refs/heads/main"}) || len(plan) != 2 {
		t.Errorf("plan role trust conditions: %v", plan)
	}
	preview := cond("preview-trust")
	if preview["token.actions.githubusercontent.com:aud"] != "sts.amazonaws.com" ||
		preview["token.actions.githubusercontent.com:sub"] != "repo:acme/items-api:environment:preview" || len(preview) != 2 {
		t.Errorf("preview role trust conditions: %v", preview)
	}
	apply := cond("apply-trust")
	if apply["token.actions.githubusercontent.com:aud"] != "sts.amazonaws.com" ||
		apply["token.actions.githubusercontent.com:sub"] != "repo:acme/items-api:environment:dev" || len(apply) != 2 {
		t.Errorf("apply role trust conditions: %v", apply)
	}
}

// TestPlanRoleIsReadOnly: the plan role writes nothing but the lock
// object: every other action is a read; and it may never decrypt (the AWS
// managed keys let any principal allowed ssm:GetParameter decrypt a
// SecureString through SSM, unless its own policy denies it).
func TestPlanRoleIsReadOnly(t *testing.T) {
	filled, err := Fill(Policy("plan-permissions"), testVars())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Sid, Effect string
			Action      any
			Resource    any
		}
	}
	if err := json.Unmarshal([]byte(filled), &doc); err != nil {
		t.Fatal(err)
	}
	read := regexp.MustCompile(`^[a-z0-9]+:(Get|List|Describe)[A-Za-z*]*$|^apigateway:GET$`)
	denied := false
	for _, st := range doc.Statement {
		if st.Effect == "Deny" {
			denied = slices.Equal(toStrings(st.Action), []string{"kms:Decrypt", "secretsmanager:GetSecretValue"}) && slices.Equal(toStrings(st.Resource), []string{"*"})
			continue
		}
		for _, a := range toStrings(st.Action) {
			if read.MatchString(a) {
				continue
			}
			if st.Sid == "TakeTheLock" && (a == "s3:PutObject" || a == "s3:DeleteObject") {
				if r := toStrings(st.Resource); len(r) != 1 || !strings.HasSuffix(r[0], ".tflock") {
					t.Errorf("the lock statement reaches %v; want the .tflock objects only", r)
				}
				continue
			}
			t.Errorf("plan role statement %s allows %s, which is not a read", st.Sid, a)
		}
	}
	if !denied {
		t.Error("the plan role has no explicit deny of kms:Decrypt and secretsmanager:GetSecretValue on *: a pull request's .tf could read SecureString parameters")
	}
}

// TestDynamoLockStatement: with lock = dynamodb both roles may take the
// table's lock items.
func TestDynamoLockStatement(t *testing.T) {
	files, err := Render(cases["adopting"])
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"plan", "apply"} {
		b := files[Dir+"/prod/policies/"+role+"-permissions.json.tftpl"]
		if !bytes.Contains(b, []byte(`"TakeTheDynamoDBLock"`)) || !bytes.Contains(b, []byte(`table/${lock_table}`)) {
			t.Errorf("%s permissions with lock = dynamodb: no lock table statement\n%s", role, b)
		}
	}
}

func testVars() map[string]string {
	return map[string]string{
		"account_id": "123456789012", "region": "us-east-1", "repository": "acme/items-api", "environment": "dev",
		"oidc_provider_arn": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
		"state_bucket":      "items-tfstate-123456789012-us-east-1", "state_prefix": "items/dev", "name_prefix": "items-dev",
		"package_buckets": "items-dev-pkg-", "lock_table": "", "state_region": "us-east-1",
	}
}

func toStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			s, _ := x.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

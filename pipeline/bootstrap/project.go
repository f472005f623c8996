package bootstrap

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"gopkg.in/yaml.v3"

	"github.com/apibuilder/apibuilder/generator/output"
)

// Backend is routes.yaml's backend.s3, as far as bootstrap sets it.
type Backend struct {
	Bucket, Region, KeyPrefix, LockTable string
	Lockfile                             bool
}

func (b Backend) String() string {
	s := fmt.Sprintf("{ bucket: %s, region: %s", b.Bucket, b.Region)
	if b.KeyPrefix != "" {
		s += ", key_prefix: " + b.KeyPrefix
	}
	if b.LockTable != "" {
		s += ", dynamodb_table: " + b.LockTable
	}
	if b.Lockfile {
		s += ", use_lockfile: true"
	}
	return s + " }"
}

// project is what bootstrap reads from routes.yaml. The generator
// validates the file; this reads only the few keys bootstrap needs.
type project struct {
	name, region            string
	firstEnv                string // the env that hosts pull-request previews
	backend                 *Backend
	backendLine, backendCol int
}

const defaultRegion = "us-east-1"

var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func readProject(file, env string) (*project, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%w (bootstrap runs in a project: the directory of routes.yaml)", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty", file)
	}
	top := doc.Content[0]
	api := child(top, "api")
	nameNode := child(api, "name")
	if nameNode == nil || nameNode.Value == "" {
		return nil, fmt.Errorf("%s: api.name is missing: bootstrap names its bucket and roles after it", file)
	}
	p := &project{name: nameNode.Value, region: defaultRegion}
	if len(p.name) > 32 || !nameRe.MatchString(p.name) {
		return nil, fmt.Errorf("%s:%d:%d: api.name %q: bootstrap needs at most 32 lower-case letters, digits and dashes (its role names must fit IAM's 64 characters)", file, nameNode.Line, nameNode.Column, p.name)
	}
	if r := child(api, "region"); r != nil {
		p.region = r.Value
	}
	envs := child(top, "environments")
	p.firstEnv = "dev"
	if envs != nil && len(envs.Content) > 0 {
		p.firstEnv = envs.Content[0].Value
	}
	if envs == nil {
		if env != "dev" && env != "prod" {
			return nil, fmt.Errorf("-env %q: routes.yaml has no environments: the defaults are dev and prod", env)
		}
	} else {
		e := child(envs, env)
		if e == nil {
			var names []string
			for i := 0; i+1 < len(envs.Content); i += 2 {
				names = append(names, envs.Content[i].Value)
			}
			k := keyNode(top, "environments")
			return nil, fmt.Errorf("%s:%d:%d: environments: has no %q (it has %s)", file, k.Line, k.Column, env, strings.Join(names, ", "))
		}
		if r := child(e, "region"); r != nil {
			p.region = r.Value
		}
	}
	if k := keyNode(top, "backend"); k != nil {
		b := k.next
		p.backendLine, p.backendCol = k.Line, k.Column
		s3 := child(b, "s3")
		be := &Backend{Region: p.region}
		if r := child(api, "region"); r != nil {
			be.Region = r.Value
		}
		get := func(k string) string {
			if n := child(s3, k); n != nil {
				return n.Value
			}
			return ""
		}
		be.Bucket, be.KeyPrefix, be.LockTable = get("bucket"), strings.Trim(get("key_prefix"), "/"), get("dynamodb_table")
		if r := get("region"); r != "" {
			be.Region = r
		}
		be.Lockfile = get("use_lockfile") == "true"
		p.backend = be
	}
	return p, nil
}

func child(m *yaml.Node, key string) *yaml.Node {
	if k := keyNode(m, key); k != nil {
		return k.next
	}
	return nil
}

type entry struct {
	*yaml.Node
	next *yaml.Node
}

// keyNode is the key node of key in mapping m (its position is where an
// error about the key points), with its value in next.
func keyNode(m *yaml.Node, key string) *entry {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return &entry{m.Content[i], m.Content[i+1]}
		}
	}
	return nil
}

// writeBackend adds the backend: key at the end of routes.yaml, leaving
// every other byte (comments, order, quoting) as the user wrote it.
func writeBackend(file string, b Backend) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var add bytes.Buffer
	if len(src) > 0 && !bytes.HasSuffix(src, []byte("\n")) {
		add.WriteString("\n")
	}
	add.WriteString("\n# Where Terraform keeps the environments' state (written by apibuilder bootstrap).\n")
	add.WriteString("backend:\n  s3:\n")
	fmt.Fprintf(&add, "    bucket: %s\n    region: %s\n", b.Bucket, b.Region)
	if b.LockTable != "" {
		fmt.Fprintf(&add, "    dynamodb_table: %s\n", b.LockTable)
	}
	if b.Lockfile {
		add.WriteString("    use_lockfile: true   # Terraform 1.10 or later\n")
	}
	return output.WriteFile(file, append(src, add.Bytes()...))
}

// readTFVars reads the decisions of an earlier run from the root's
// terraform.tfvars; nil when there is none.
func readTFVars(file string) (*Params, error) {
	src, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	f, diags := hclsyntax.ParseConfig(src, file, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s: %s", file, diags.Error())
	}
	attrs, diags := f.Body.JustAttributes()
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s: %s", file, diags.Error())
	}
	str := func(k string) string {
		a := attrs[k]
		if a == nil {
			return ""
		}
		v, d := a.Expr.Value(nil)
		if d.HasErrors() || v.IsNull() || !v.IsKnown() {
			return ""
		}
		switch v.Type() {
		case cty.String:
			return v.AsString()
		case cty.Bool:
			return strconv.FormatBool(v.True())
		}
		return ""
	}
	return &Params{
		Project: str("project"), Environment: str("environment"), Region: str("region"), Repository: str("github_repository"), Lock: str("lock"),
		StateBucket: str("state_bucket"), StateRegion: str("state_region"), CreateStateBucket: str("create_state_bucket") == "true",
		LockTable: str("lock_table"), CreateLockTable: str("create_lock_table") == "true",
		OIDCProviderARN: str("oidc_provider_arn"), CloudWatchRoleARN: str("cloudwatch_role_arn"),
		Preview: str("preview") == "true",
	}, nil
}

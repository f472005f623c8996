package model

import (
	"fmt"
	"maps"
	"regexp"
	"strings"
)

// A preview is a namespaced copy of one environment (e.g. dev for pull
// request 12, "pr-12"): its own REST API, functions, roles, log groups,
// tables, keys and bucket, and its own Terraform state, so that it can be
// deployed next to the environment and destroyed without touching it.
//
// Its AWS names are the environment's with the preview's name after the
// environment's: "<api>-<env>-<preview>-<suffix>" (items-dev-pr-12-get_item),
// and its state lives under "<key_prefix>/<api>/<env>/previews/<preview>/".
// Those are the patterns apibuilder bootstrap's preview role may manage
// (<api>-<env>-pr-*, <api>/<env>/previews/*), so a preview role can never
// touch the environment itself.

// PreviewNameMax is the longest preview name: it goes into every AWS name
// of the preview, which all must stay within AWS's limits.
const PreviewNameMax = 20

// functionNameMax is Lambda's limit on function names and IAM's on role
// names; both are "<api>-<env>-<suffix>".
const functionNameMax = 64

var previewNameRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// ValidPreviewName says what is wrong with a preview name, or nil.
func ValidPreviewName(name string) error {
	if len(name) == 0 || len(name) > PreviewNameMax || !previewNameRe.MatchString(name) {
		return fmt.Errorf("preview name %q: use 1-%d lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. pr-12)", name, PreviewNameMax)
	}
	return nil
}

// PreviewEnvName is the environment name a preview's names are made of,
// "<env>-<preview>", after checking that with api and the longest function
// name suffix (route or authorizer name, longest characters) every
// function and role name stays within Lambda's and IAM's 64 characters.
func PreviewEnvName(api, env, preview string, longest int) (string, error) {
	if err := ValidPreviewName(preview); err != nil {
		return "", err
	}
	name := env + "-" + preview
	if n := len(api) + 1 + len(name) + 1 + longest; n > functionNameMax {
		room := functionNameMax - (len(api) + 1 + len(env) + 1 + 1 + longest)
		return "", fmt.Errorf("preview %q of env %s: the longest function name would be %d characters (%s-%s-<a route name of %d characters>), over Lambda's and IAM's %d; use a preview name of at most %d characters, or shorten api.name or the longest route name",
			preview, env, n, api, name, longest, functionNameMax, max(room, 0))
	}
	return name, nil
}

// Preview turns m, which must hold exactly one environment, into the
// preview named name of that environment: every AWS name carries the
// preview's name ("<api>-<env>-<preview>-..."), its resources are tagged
// preview = <name>, its state (with a backend) lives under
// PreviewStatePrefix, and what an environment shares with others or may
// not lose is left out: no custom domain, no account settings, no
// deletion protection or point-in-time recovery (a preview is destroyed).
// The environment keeps its stage name and every other value.
func (m *Model) Preview(name string) error {
	if len(m.Envs) != 1 {
		return fmt.Errorf("a preview copies one environment; name it (e.g. -env dev)")
	}
	env := &m.Envs[0]
	longest := 0
	for _, f := range m.Functions() {
		longest = max(longest, len(f.Name))
	}
	envName, err := PreviewEnvName(m.API.Name, env.Name, name, longest)
	if err != nil {
		return err
	}
	if m.Backend != nil {
		b := *m.Backend
		b.KeyPrefix = PreviewStatePrefix(m.Backend.KeyPrefix, m.API.Name, env.Name) + name
		m.Backend = &b
	}
	env.Name = envName
	m.API.Tags = maps.Clone(m.API.Tags)
	if m.API.Tags == nil {
		m.API.Tags = map[string]string{}
	}
	m.API.Tags[PreviewTag] = name
	m.API.CloudWatchRole = false
	m.API.Domain = nil
	env.Domain = nil
	env.DeletionProtection = false
	env.PITR = maps.Clone(env.PITR)
	for k := range env.PITR {
		env.PITR[k] = false
	}
	return nil
}

// PreviewTag is the tag every resource of a preview carries, valued with
// the preview's name.
const PreviewTag = "preview"

// PreviewStatePrefix is the S3 key prefix, ending in "/", under which the
// state of every preview of env of api lives with a backend whose key
// prefix is keyPrefix: <key_prefix>/<api>/<env>/previews/.
func PreviewStatePrefix(keyPrefix, api, env string) string {
	return strings.TrimPrefix(keyPrefix+"/"+api+"/"+env+"/previews/", "/")
}

// StateKey is the S3 key of the state named state ("<api>/<env>") under
// the backend: <key_prefix>/<state>/terraform.tfstate.
func (b *Backend) StateKey(state string) string {
	key := state + "/terraform.tfstate"
	if b.KeyPrefix != "" {
		key = b.KeyPrefix + "/" + key
	}
	return key
}

package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"strings"
)

// A preview is a namespaced copy of one environment (e.g. dev for pull
// request 12, "pr-12"): its own REST API, functions, roles, log groups,
// tables, keys and bucket, every AWS name carrying the preview's name,
// and its own Terraform state, so that it can be deployed next to the
// environment and destroyed without touching it.

// PreviewNameMax is the longest preview name: it goes into every AWS name
// of the preview, which all must stay within AWS's limits.
const PreviewNameMax = 20

// Limits the preview's names are fitted into.
const (
	// functionNameMax is Lambda's limit on function names and IAM's on
	// role names; both are "<api>-<env>-<suffix>".
	functionNameMax = 64
	// bucketPrefixKept is how much of "<api>-<env>" the artifacts
	// bucket's name keeps (substr(local.name_prefix, 0, 30)).
	bucketPrefixKept = 30
)

var previewNameRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// ValidPreviewName says what is wrong with a preview name, or nil.
func ValidPreviewName(name string) error {
	if len(name) == 0 || len(name) > PreviewNameMax || !previewNameRe.MatchString(name) {
		return fmt.Errorf("preview name %q: use 1-%d lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. pr-12)", name, PreviewNameMax)
	}
	return nil
}

// PreviewAPIName is the API name of preview of api in env, whose longest
// function name suffix (route or authorizer name) is longest characters:
// "<api>-<preview>", or, when that would make a function or role name
// longer than 64 characters or push the preview out of the bucket's name,
// the api name cut short plus 4 hex digits of its hash (so two long API
// names with the same start still differ) before "-<preview>".
func PreviewAPIName(api, preview, env string, longest int) (string, error) {
	if err := ValidPreviewName(preview); err != nil {
		return "", err
	}
	// Every function is "<name>-<env>-<suffix>".
	room := min(functionNameMax-len(env)-longest-2, bucketPrefixKept)
	name := api + "-" + preview
	if len(name) <= room {
		return name, nil
	}
	sum := sha256.Sum256([]byte(api))
	keep := room - len(preview) - 1 - 4
	if keep < 1 {
		return "", fmt.Errorf("preview name %q is too long for api %q with env %s and a function name of %d characters: the preview's function names would pass Lambda's %d characters; use a preview name of at most %d characters",
			preview, api, env, longest, functionNameMax, max(room-6, 0))
	}
	return strings.TrimRight(api[:min(keep, len(api))], "-") + hex.EncodeToString(sum[:])[:4] + "-" + preview, nil
}

// Preview turns m, which must hold exactly one environment, into the
// preview named name of that environment: the API name (and so every AWS
// name) carries the preview's name, its resources are tagged
// preview = <name>, its state (with a backend) lives under
// PreviewStatePrefix, and what an environment shares with others or may
// not lose is left out: no custom domain, no account settings, no
// deletion protection or point-in-time recovery (a preview is destroyed).
func (m *Model) Preview(name string) error {
	if len(m.Envs) != 1 {
		return fmt.Errorf("a preview copies one environment; name it (e.g. -env dev)")
	}
	env := &m.Envs[0]
	longest := 0
	for _, f := range m.Functions() {
		longest = max(longest, len(f.Name))
	}
	api, err := PreviewAPIName(m.API.Name, name, env.Name, longest)
	if err != nil {
		return err
	}
	if m.Backend != nil {
		b := *m.Backend
		b.KeyPrefix = strings.TrimSuffix(PreviewStatePrefix(m.Backend.KeyPrefix, m.API.Name)+name, "/")
		m.Backend = &b
	}
	m.API.Name = api
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
// state of every preview of api lives with a backend whose key prefix is
// keyPrefix: <key_prefix>/<api>/previews/<preview>/...
func PreviewStatePrefix(keyPrefix, api string) string {
	p := api + "/previews/"
	if keyPrefix != "" {
		p = keyPrefix + "/" + p
	}
	return p
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

// Package replacement refuses changes to routes.yaml that would make
// Terraform replace a resource that holds data, before anything is
// written. A DynamoDB table cannot change its key schema: a new hash or
// range key, or a key attribute of another type, makes Terraform delete
// the table, and every item in it, and create an empty one under the same
// name. Such a change is only visible against what was deployed, so the
// previous generation of envs/<env>/main.tf is the record (as it is for
// function names, see package identity): each of its aws_dynamodb_table
// blocks is compared with the table of the same key in the model.
package replacement

import (
	"fmt"
	"sort"
	"strings"

	"github.com/apibuilder/apibuilder/generator/internal/diag"
	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/previous"
)

// key is a table's key schema: hash and range key with their types.
type key struct {
	hash, hashType, rng, rngType string
}

func (k key) String() string {
	s := fmt.Sprintf("hash key %s (%s)", k.hash, k.hashType)
	if k.rng == "" {
		return s + ", no range key"
	}
	return s + fmt.Sprintf(", range key %s (%s)", k.rng, k.rngType)
}

// Tables checks every table of m against the previous generation of each
// environment (env name -> its previous main.tf; nil or missing: a first
// generation) and returns a *diag.Error naming each table whose key
// changed, or nil.
func Tables(m *model.Model, previous map[string][]byte) error {
	l := diag.List{File: m.File}
	type change struct {
		before key
		envs   []string
	}
	changed := map[string]*change{}
	for _, env := range m.Envs {
		prev := previousKeys(previous[env.Name])
		for _, t := range m.Tables {
			before, ok := prev[t.Key]
			if !ok {
				continue
			}
			now := key{t.HashKey, t.HashKeyType, t.RangeKey, t.RangeKeyType}
			if before == now {
				continue
			}
			c := changed[t.Key]
			if c == nil {
				c = &change{before: before}
				changed[t.Key] = c
			}
			c.envs = append(c.envs, env.Name)
		}
	}
	for _, t := range m.Tables {
		c := changed[t.Key]
		if c == nil {
			continue
		}
		now := key{t.HashKey, t.HashKeyType, t.RangeKey, t.RangeKeyType}
		pos, field := t.HashKeyPos, "tables."+t.Key+".hash_key"
		if c.before.hash == now.hash && c.before.hashType == now.hashType {
			pos, field = t.RangeKeyPos, "tables."+t.Key+".range_key"
		}
		names := make([]string, len(c.envs))
		for i, e := range c.envs {
			names[i] = fmt.Sprintf("%s-%s-%s", m.API.Name, e, t.Key)
		}
		sort.Strings(names)
		l.Add(pos, field,
			fmt.Sprintf("the key of table %s changes from %s to %s; DynamoDB cannot change a table's key, so Terraform would delete the table %s and every item in it, and create an empty one",
				t.Key, c.before, now, strings.Join(names, ", ")),
			fmt.Sprintf("to keep the data, add a new table with the new key (e.g. %s_v2), copy the items into it (or have the routes write to both), move the routes' permissions and environment to it, and remove %s in a later generation; where the data does not matter, remove the table from routes.yaml, generate and apply, then add it back with the new key", t.Key, t.Key))
	}
	return l.Err()
}

// previousKeys reads the key schema of every aws_dynamodb_table block of
// a generated main.tf (through package previous, which parses only those
// blocks), by resource name (the table's key in routes.yaml). What it
// cannot read counts as not generated: no table, no check.
func previousKeys(mainTF []byte) map[string]key {
	out := map[string]key{}
	for _, b := range previous.Blocks(mainTF, "main.tf", `resource "aws_dynamodb_table" "`) {
		if len(b.Labels) != 2 {
			continue
		}
		body, ok := b.Body()
		if !ok {
			continue
		}
		hash, ok := previous.String(body, "hash_key")
		if !ok {
			continue
		}
		rng, _ := previous.String(body, "range_key")
		types := map[string]string{}
		for _, a := range body.Blocks {
			if a.Type != "attribute" {
				continue
			}
			name, okN := previous.String(a.Body, "name")
			typ, okT := previous.String(a.Body, "type")
			if okN && okT {
				types[name] = typ
			}
		}
		k := key{hash: hash, hashType: types[hash], rng: rng}
		if rng != "" {
			k.rngType = types[rng]
		}
		out[b.Labels[1]] = k
	}
	return out
}

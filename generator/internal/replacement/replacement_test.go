package replacement_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/generator/internal/diag"
	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/replacement"
	"github.com/apibuilder/apibuilder/testkit"
)

// previous is a main.tf as render writes a table.
const previous = `resource "aws_dynamodb_table" "items" {
  name         = "${local.name_prefix}-items"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  range_key    = "sk"

  attribute {
    name = "id"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "N"
  }

  attribute {
    name = "owner"
    type = "S"
  }
}
`

func tableModel(t model.Table) *model.Model {
	t.Key = "items"
	t.Pos, t.HashKeyPos, t.RangeKeyPos = diag.Pos{Line: 5, Col: 3}, diag.Pos{Line: 6, Col: 15}, diag.Pos{Line: 8, Col: 16}
	return &model.Model{File: "routes.yaml", API: model.API{Name: "shop"}, Tables: []model.Table{t}, Envs: []model.Env{{Name: "dev"}, {Name: "prod"}}}
}

func TestTables(t *testing.T) {
	prev := map[string][]byte{"dev": []byte(previous), "prod": []byte(previous)}
	for _, c := range []struct {
		name  string
		table model.Table
		prev  map[string][]byte
		want  string // "" for no error; else a part of it
	}{
		{"unchanged", model.Table{HashKey: "id", HashKeyType: "S", RangeKey: "sk", RangeKeyType: "N"}, prev, ""},
		{"a first generation", model.Table{HashKey: "pk", HashKeyType: "S"}, nil, ""},
		{"an index added", model.Table{HashKey: "id", HashKeyType: "S", RangeKey: "sk", RangeKeyType: "N", Indexes: []model.Index{{Name: "by_owner", HashKey: "owner", HashKeyType: "S"}}}, prev, ""},
		{"another hash key", model.Table{HashKey: "pk", HashKeyType: "S", RangeKey: "sk", RangeKeyType: "N"},
			prev, "routes.yaml:6:15: tables.items.hash_key: the key of table items changes from hash key id (S), range key sk (N) to hash key pk (S), range key sk (N)"},
		{"the hash key's type", model.Table{HashKey: "id", HashKeyType: "N", RangeKey: "sk", RangeKeyType: "N"}, prev, "tables.items.hash_key"},
		{"the range key's type", model.Table{HashKey: "id", HashKeyType: "S", RangeKey: "sk", RangeKeyType: "S"}, prev, "routes.yaml:8:16: tables.items.range_key"},
		{"the range key removed", model.Table{HashKey: "id", HashKeyType: "S"}, prev, "to hash key id (S), no range key"},
		{"only in dev", model.Table{HashKey: "pk", HashKeyType: "S"}, map[string][]byte{"dev": []byte(previous)}, "delete the table shop-dev-items and"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := replacement.Tables(tableModel(c.table), c.prev)
			if c.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var de *diag.Error
			if !errors.As(err, &de) || len(de.Items) != 1 {
				t.Fatalf("got %v; want one diagnostic containing %q", err, c.want)
			}
			if msg := err.Error(); !strings.Contains(msg, c.want) {
				t.Errorf("got %q; want it to contain %q", msg, c.want)
			}
		})
	}
	err := replacement.Tables(tableModel(model.Table{HashKey: "pk", HashKeyType: "S"}), prev)
	for _, want := range []string{"shop-dev-items, shop-prod-items", "every item in it", "items_v2", "copy the items", "remove the table from routes.yaml, generate and apply, then add it back"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("the message %v does not say %q", err, want)
		}
	}
}

// TestGenerateRefusesAKeyChange: after a generation, editing a table's
// key in routes.yaml makes the generator fail with nothing written.
func TestGenerateRefusesAKeyChange(t *testing.T) {
	dir := t.TempDir()
	skipGolden := func(rel string, d os.DirEntry) bool { return rel == "golden" }
	if err := testkit.CopyTree(filepath.Join("..", "render", "testdata", "example"), dir, skipGolden); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "routes.yaml")
	run := func() error {
		_, err := generate.Run(context.Background(), generate.Options{Config: cfg, NoBuild: true})
		return err
	}
	if err := run(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, "envs", "dev", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "hash_key: id", "hash_key: item_id", 1)
	if edited == string(src) {
		t.Fatal("the example has no table with hash_key: id")
	}
	if err := os.WriteFile(cfg, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	err = run()
	var de *generate.Diagnostics
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "tables.items.hash_key") || !strings.Contains(err.Error(), "every item in it") {
		t.Fatalf("generate after changing the hash key: %v; want the refusal", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "envs", "dev", "main.tf")); string(after) != string(before) {
		t.Error("envs/dev/main.tf changed although the generator refused")
	}
}

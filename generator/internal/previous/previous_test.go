package previous

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// summary is what a caller can read of blocks: headers and a few attributes.
func summary(blocks []*Block, attrs ...string) []string {
	var out []string
	for _, b := range blocks {
		out = append(out, headerOf(b))
		for _, a := range attrs {
			if v, ok := b.String(a); ok {
				out = append(out, "  "+a+" = "+v)
			}
		}
		if body, ok := b.Body(); ok {
			for _, nested := range body.Blocks {
				if v, ok := String(nested.Body, "name"); ok {
					out = append(out, "  "+nested.Type+".name = "+v)
				}
			}
		}
	}
	return out
}

// TestScanFindsWhatAWholeParseFinds: on the render goldens, the blocks cut
// by lines read the same as those of a whole HCL parse.
func TestScanFindsWhatAWholeParseFinds(t *testing.T) {
	for _, path := range []string{
		"../render/testdata/example/golden/envs/dev/main.tf", "../render/testdata/full/golden/envs/prod/main.tf",
	} {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, header := range []string{`module "`, `resource "aws_dynamodb_table" "`} {
			scanned, ok := scan(src, "main.tf", header)
			if !ok {
				t.Fatalf("%s: the scan gave up on a generated file", path)
			}
			for _, b := range scanned {
				// What identity reads: the name of every function's
				// module, method and path of the routes'.
				if strings.HasPrefix(b.Labels[0], "route_") || strings.HasPrefix(b.Labels[0], "authorizer_") {
					b.Expr("name")
				}
				if strings.HasPrefix(b.Labels[0], "route_") {
					b.Expr("http_method")
					b.Expr("resource_path")
				}
				if b.body != nil && header == `module "` {
					t.Errorf("%s: module %v was parsed whole to read one-line attributes", path, b.Labels)
				}
			}
			parsed := Blocks(append([]byte("off_layout = 1\n"), src...), "main.tf", header)
			s, p := summary(scanned, "http_method", "resource_path", "hash_key"), summary(parsed, "http_method", "resource_path", "hash_key")
			if !reflect.DeepEqual(s, p) || len(scanned) == 0 {
				t.Errorf("%s, %s:\nscanned %q\nparsed  %q", path, header, s, p)
			}
		}
	}
}

func TestNotTheGeneratedLayout(t *testing.T) {
	for name, src := range map[string]string{
		"one-line block":    "module \"route_x\" { name = \"a\" }\n",
		"unclosed block":    "module \"route_x\" {\n  name = \"a\"\n",
		"top-level in body": "module \"route_x\" {\nname = \"a\"\n}\n",
		"escaped label":     "module \"route_\\x\" {\n}\n",
	} {
		if _, ok := scan([]byte(src), "main.tf", `module "`); ok {
			t.Errorf("%s: taken for the generated layout", name)
		}
	}
	// A one-line block still reads, through the whole parse.
	bs := Blocks([]byte("module \"route_x\" { name = \"a\" }\n"), "main.tf", `module "route_`)
	if len(bs) != 1 {
		t.Fatalf("blocks = %d, want 1", len(bs))
	}
	if v, ok := bs[0].String("name"); !ok || v != "a" {
		t.Errorf("name = %q, %v", v, ok)
	}
	if Blocks([]byte("not hcl {{"), "moved.tf", "moved {") != nil || Blocks(nil, "main.tf", "") != nil {
		t.Error("what does not parse must read as nothing")
	}
}

func TestMultiLineValueParsesTheBlock(t *testing.T) {
	src := "module \"route_x\" {\n  tags = {\n    a = \"b\"\n  }\n  name = \"n\"\n}\n"
	bs := Blocks([]byte(src), "main.tf", `module "`)
	if len(bs) != 1 {
		t.Fatalf("blocks = %d", len(bs))
	}
	if _, ok := bs[0].Expr("tags"); !ok {
		t.Error("a multi-line value is not read")
	}
	if v, _ := bs[0].String("name"); v != "n" {
		t.Errorf("name = %q", v)
	}
}

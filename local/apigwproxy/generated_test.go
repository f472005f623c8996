package apigwproxy_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// TestImportGeneratedDocuments imports every document the generator's
// goldens hold (the example, every feature of routes.yaml, the schema
// shapes), as modules/api_gateway sends them (pseudo parameters and the
// name prefix substituted), with failonwarnings: the proxy must take all
// of it without a warning, and the API must then have every operation of
// the document. This is the contract between package openapi and the
// local stack; the data plane's tests and test/ prove what is served.
func TestImportGeneratedDocuments(t *testing.T) {
	if testing.Short() {
		t.Skip("imports on the local stack; skipped with -short")
	}
	c := importClient(t)
	docs, err := filepath.Glob(filepath.Join("..", "..", "generator", "internal", "openapi", "testdata", "golden", "*", "*.json"))
	if err != nil || len(docs) < 3 {
		t.Fatalf("the generator's golden documents: %v %v", docs, err)
	}
	sub := strings.NewReplacer("${AWS::Partition}", "aws", "${AWS::Region}", "us-east-1", "${AWS::AccountId}", "123456789012", "${NamePrefix}", "gen-dev")
	for _, path := range docs {
		name := filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			api := newAPI(t, c)
			out, err := c.PutRestApi(context.Background(), &apigateway.PutRestApiInput{
				RestApiId: api, Mode: types.PutModeOverwrite, FailOnWarnings: true, Body: []byte(sub.Replace(string(raw))),
			})
			if err != nil {
				t.Fatalf("PutRestApi of the generated %s: %v", name, err)
			}
			if len(out.Warnings) > 0 {
				t.Errorf("warnings: %v", out.Warnings)
			}
			doc := map[string]any{}
			mustUnmarshal(t, []byte(sub.Replace(string(raw))), &doc)
			want := 0
			for _, item := range obj(doc, "paths") {
				for m := range item.(map[string]any) {
					if m != "parameters" && !strings.HasPrefix(m, "x-") || m == "x-amazon-apigateway-any-method" {
						want++
					}
				}
			}
			res, err := c.GetResources(context.Background(), &apigateway.GetResourcesInput{RestApiId: api, Embed: []string{"methods"}, Limit: aws.Int32(500)})
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			for _, r := range res.Items {
				got += len(r.ResourceMethods)
			}
			if got != want {
				t.Errorf("%d methods after the import, the document has %d operations", got, want)
			}
		})
	}
}

func mustUnmarshal(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

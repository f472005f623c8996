package kumoproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestLifecycleReadsAsS3Answers: kumo answers a read of a lifecycle rule
// with an empty filter as <Filter></Filter> and no default transition size;
// the proxy answers as S3, so the AWS provider's wait after a write ends.
func TestLifecycleReadsAsS3Answers(t *testing.T) {
	kumo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `<LifecycleConfiguration><Rule><ID>abort</ID><Status>Enabled</Status><Filter></Filter></Rule></LifecycleConfiguration>`)
	}))
	defer kumo.Close()
	p, err := Start(kumo.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	resp, err := http.Get(p.URL + "/bucket?lifecycle")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if want := `<LifecycleConfiguration><Rule><ID>abort</ID><Status>Enabled</Status><Filter><Prefix></Prefix></Filter></Rule></LifecycleConfiguration>`; string(body) != want {
		t.Errorf("body = %s, want %s", body, want)
	}
	if got := resp.Header.Get("X-Amz-Transition-Default-Minimum-Object-Size"); got != "all_storage_classes_128K" {
		t.Errorf("default minimum object size = %q", got)
	}
	// Other reads pass unchanged.
	resp, err = http.Get(p.URL + "/bucket?policy")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.Header.Get("X-Amz-Transition-Default-Minimum-Object-Size") != "" {
		t.Error("a policy read got the lifecycle header")
	}
}

// TestIndexesStateTheirThroughput: a table description from kumo lacks the
// throughput of its global secondary indexes; the proxy adds DynamoDB's
// zeros, beside which the AWS provider reads each index's name.
func TestIndexesStateTheirThroughput(t *testing.T) {
	kumo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"Table":{"TableName":"t","GlobalSecondaryIndexes":[{"IndexName":"by_author"},{"IndexName":"p","ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}}]}}`)
	}))
	defer kumo.Close()
	p, err := Start(kumo.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	req, _ := http.NewRequest(http.MethodPost, p.URL+"/", nil)
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.DescribeTable")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	want := `{"Table":{"GlobalSecondaryIndexes":[{"IndexName":"by_author","ProvisionedThroughput":{"NumberOfDecreasesToday":0,"ReadCapacityUnits":0,"WriteCapacityUnits":0}},{"IndexName":"p","ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}}],"TableName":"t"}}`
	if string(body) != want {
		t.Errorf("body:\n%s\nwant:\n%s", body, want)
	}
}

package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestHandleGreetsWithTheConfiguredGreeting(t *testing.T) {
	t.Setenv("GREETING", "hi")
	req := events.APIGatewayProxyRequest{Path: "/hello"}
	req.RequestContext.RequestID = "r-1"
	resp, err := handle(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Headers["Content-Type"] != "application/json" {
		t.Fatalf("response = %+v", resp)
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatal(err)
	}
	if body["message"] != "hi" || body["path"] != "/hello" || body["request"] != "r-1" {
		t.Errorf("body = %v", body)
	}
}

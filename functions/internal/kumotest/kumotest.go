// Package kumotest gives the example handlers' tests a real DynamoDB: kumo
// (github.com/sivchari/kumo), the same emulator the local stack runs,
// served in process, one per test binary, with a fresh table per test. It
// needs nothing installed and nothing of the apibuilder tool, so the
// example app and its tests stand alone.
package kumotest

import (
	"context"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/sivchari/kumo"

	"github.com/apibuilder/apibuilder/functions/internal/items"
)

var (
	once   sync.Once
	server *kumo.Server
	client *dynamodb.Client
	tables atomic.Int64
)

// Main runs the tests and stops kumo afterwards; call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if server != nil {
		server.Close()
	}
	os.Exit(code)
}

// start serves kumo once per test binary.
func start() {
	once.Do(func() {
		server = kumo.NewServer()
		client = dynamodb.NewFromConfig(config(server.URL))
	})
}

func config(url string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(url),
	}
}

// Config is an AWS SDK configuration for the in-process kumo: its URL as
// the endpoint of every service, static test credentials, us-east-1.
func Config() aws.Config {
	start()
	return config(server.URL)
}

// URL is the in-process kumo's base URL, for code that reads its AWS
// configuration from the environment (AWS_ENDPOINT_URL).
func URL() string {
	start()
	return server.URL
}

// Store returns a repository on a new, empty items table.
func Store(t *testing.T) *items.Store {
	t.Helper()
	start()
	name := "items-" + strconv.FormatInt(tables.Add(1), 10)
	_, err := client.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            &name,
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatalf("create table on the in-process kumo: %v", err)
	}
	return &items.Store{DB: client, Table: name}
}

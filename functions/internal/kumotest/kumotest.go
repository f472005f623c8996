// Package kumotest gives handler tests a real DynamoDB: one kumo emulator
// per test binary, and a fresh table per test.
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

	"github.com/apibuilder/apibuilder/functions/internal/items"
	"github.com/apibuilder/apibuilder/local/emulator"
	"github.com/apibuilder/apibuilder/local/tools"
)

var (
	once   sync.Once
	server *emulator.Server
	client *dynamodb.Client
	err    error
	tables atomic.Int64
)

// Main runs the tests and stops kumo afterwards; call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if server != nil {
		server.Stop()
	}
	os.Exit(code)
}

// Store returns a repository on a new, empty items table.
func Store(t *testing.T) *items.Store {
	t.Helper()
	once.Do(func() {
		ctx := context.Background()
		var bin string
		if bin, err = tools.EnsureKumo(ctx, tools.Options{Log: os.Stderr}); err != nil {
			return
		}
		if server, err = emulator.StartKumo(ctx, bin, nil); err != nil {
			return
		}
		client = dynamodb.NewFromConfig(aws.Config{
			Region:       emulator.Region,
			Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
			BaseEndpoint: aws.String(server.URL),
		})
	})
	if err != nil {
		t.Fatalf("kumo: %v", err)
	}
	name := "items-" + strconv.FormatInt(tables.Add(1), 10)
	_, cerr := client.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            &name,
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if cerr != nil {
		t.Fatalf("create table: %v", cerr)
	}
	return &items.Store{DB: client, Table: name}
}

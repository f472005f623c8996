// Package items is the DynamoDB repository of the example API's items.
package items

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Item is one stored item.
type Item struct {
	ID          string   `json:"id" dynamodbav:"id"`
	Name        string   `json:"name" dynamodbav:"name"`
	Description string   `json:"description,omitempty" dynamodbav:"description,omitempty"`
	Price       *float64 `json:"price,omitempty" dynamodbav:"price,omitempty"`
	CreatedAt   string   `json:"created_at,omitempty" dynamodbav:"created_at,omitempty"`
}

var idRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// ValidID reports whether id is a well-formed item id.
func ValidID(id string) bool { return idRe.MatchString(id) }

// Errors the handlers map to status codes.
var (
	ErrNotFound  = errors.New("item not found")
	ErrExists    = errors.New("item already exists")
	ErrBadCursor = errors.New("invalid next_token")
)

// Store reads and writes items in one table.
type Store struct {
	DB    *dynamodb.Client
	Table string
}

// FromEnv builds a Store from the standard AWS configuration chain and
// TABLE_NAME; call it once per cold start.
func FromEnv(ctx context.Context) (*Store, error) {
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("TABLE_NAME is not set")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	return &Store{DB: dynamodb.NewFromConfig(cfg), Table: table}, nil
}

func key(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}}
}

// Create stores a new item; ErrExists if the id is taken.
func (s *Store) Create(ctx context.Context, it Item) error {
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.Table, Item: av, ConditionExpression: aws.String("attribute_not_exists(id)"),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrExists
	}
	return err
}

// Get returns one item; ErrNotFound if it does not exist.
func (s *Store) Get(ctx context.Context, id string) (Item, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.Table, Key: key(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Item{}, err
	}
	if out.Item == nil {
		return Item{}, ErrNotFound
	}
	var it Item
	return it, attributevalue.UnmarshalMap(out.Item, &it)
}

// Delete removes one item; ErrNotFound if it does not exist.
func (s *Store) Delete(ctx context.Context, id string) error {
	_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.Table, Key: key(id), ConditionExpression: aws.String("attribute_exists(id)"),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrNotFound
	}
	return err
}

// List returns up to limit items after the cursor, and the next cursor
// ("" at the end). Cursors are opaque: base64url of the last evaluated key.
func (s *Store) List(ctx context.Context, limit int32, cursor string) ([]Item, string, error) {
	in := &dynamodb.ScanInput{TableName: &s.Table, Limit: &limit}
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil {
			return nil, "", ErrBadCursor
		}
		var id string
		if err := json.Unmarshal(raw, &id); err != nil || !ValidID(id) {
			return nil, "", ErrBadCursor
		}
		in.ExclusiveStartKey = key(id)
	}
	out, err := s.DB.Scan(ctx, in)
	if err != nil {
		return nil, "", err
	}
	items := make([]Item, 0, len(out.Items))
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return nil, "", err
	}
	next := ""
	if id, ok := out.LastEvaluatedKey["id"].(*types.AttributeValueMemberS); ok {
		raw, _ := json.Marshal(id.Value)
		next = base64.RawURLEncoding.EncodeToString(raw)
	}
	return items, next, nil
}

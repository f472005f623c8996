// Command books serves the book routes: POST /books, GET /books/{isbn},
// GET /authors/{author}/books (through the by_author index) and
// DELETE /books/{isbn}. Each route deploys it as a function of its own.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"example.com/bookstore/handlers/internal/web"
)

// Book is what schemas/book.json describes.
type Book struct {
	ISBN   string   `json:"isbn"`
	Title  string   `json:"title"`
	Author string   `json:"author"`
	Price  *float64 `json:"price,omitempty"`
	Format string   `json:"format,omitempty"`
}

func (b Book) item() map[string]types.AttributeValue {
	it := map[string]types.AttributeValue{
		"isbn": &types.AttributeValueMemberS{Value: b.ISBN}, "title": &types.AttributeValueMemberS{Value: b.Title},
		"author": &types.AttributeValueMemberS{Value: b.Author},
	}
	if b.Price != nil {
		it["price"] = &types.AttributeValueMemberN{Value: strconv.FormatFloat(*b.Price, 'f', -1, 64)}
	}
	if b.Format != "" {
		it["format"] = &types.AttributeValueMemberS{Value: b.Format}
	}
	return it
}

func book(it map[string]types.AttributeValue) Book {
	s := func(k string) string {
		if v, ok := it[k].(*types.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	b := Book{ISBN: s("isbn"), Title: s("title"), Author: s("author"), Format: s("format")}
	if v, ok := it["price"].(*types.AttributeValueMemberN); ok {
		if p, err := strconv.ParseFloat(v.Value, 64); err == nil {
			b.Price = &p
		}
	}
	return b
}

type handler struct {
	db    *dynamodb.Client
	table string
}

func (h handler) handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	log := web.Log.With("request_id", req.RequestContext.RequestID, "route", req.HTTPMethod+" "+req.Resource)
	fail := func(err error) (events.APIGatewayProxyResponse, error) {
		log.Error("request failed", "error", err.Error())
		return web.Error(req, http.StatusInternalServerError, "internal error"), nil
	}
	switch req.HTTPMethod + " " + req.Resource {
	case "POST /books":
		var b Book
		if err := json.Unmarshal([]byte(req.Body), &b); err != nil {
			return web.Error(req, http.StatusBadRequest, "body must be a book"), nil
		}
		_, err := h.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &h.table, Item: b.item(), ConditionExpression: aws.String("attribute_not_exists(isbn)")})
		var exists *types.ConditionalCheckFailedException
		if errors.As(err, &exists) {
			return web.Error(req, http.StatusConflict, "book "+b.ISBN+" exists"), nil
		}
		if err != nil {
			return fail(err)
		}
		return web.JSON(req, http.StatusCreated, b), nil
	case "GET /books/{isbn}":
		out, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &h.table, Key: map[string]types.AttributeValue{"isbn": &types.AttributeValueMemberS{Value: req.PathParameters["isbn"]}}})
		if err != nil {
			return fail(err)
		}
		if out.Item == nil {
			return web.Error(req, http.StatusNotFound, "no such book"), nil
		}
		return web.JSON(req, http.StatusOK, book(out.Item)), nil
	case "GET /authors/{author}/books":
		limit, err := strconv.Atoi(req.QueryStringParameters["limit"])
		if err != nil || limit < 1 || limit > 100 {
			return web.Error(req, http.StatusBadRequest, "limit must be 1 to 100"), nil
		}
		out, err := h.db.Query(ctx, &dynamodb.QueryInput{
			TableName: &h.table, IndexName: aws.String("by_author"), Limit: aws.Int32(int32(limit)),
			KeyConditionExpression:    aws.String("author = :a"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":a": &types.AttributeValueMemberS{Value: req.PathParameters["author"]}},
		})
		if err != nil {
			return fail(err)
		}
		books := make([]Book, 0, len(out.Items))
		for _, it := range out.Items {
			books = append(books, book(it))
		}
		return web.JSON(req, http.StatusOK, map[string]any{"books": books}), nil
	case "DELETE /books/{isbn}":
		out, err := h.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: &h.table, ReturnValues: types.ReturnValueAllOld,
			Key: map[string]types.AttributeValue{"isbn": &types.AttributeValueMemberS{Value: req.PathParameters["isbn"]}},
		})
		if err != nil {
			return fail(err)
		}
		if len(out.Attributes) == 0 {
			return web.Error(req, http.StatusNotFound, "no such book"), nil
		}
		resp := web.JSON(req, http.StatusNoContent, nil)
		resp.Body = ""
		return resp, nil
	}
	return web.Error(req, http.StatusNotFound, "no such route"), nil
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		web.Log.Error("aws config", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(handler{db: dynamodb.NewFromConfig(cfg), table: os.Getenv("TABLE")}.handle)
}

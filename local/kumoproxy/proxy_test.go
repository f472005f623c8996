package kumoproxy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	stypes "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
)

// tagging is n tags in x-amz-tagging's form.
func tagging(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("k%d=v%d", i, i)
	}
	return strings.Join(parts, "&")
}

func wantTagLimit(t *testing.T, what string, err error) {
	t.Helper()
	var api interface{ ErrorCode() string }
	if !errors.As(err, &api) || api.ErrorCode() != "BadRequest" || !strings.Contains(err.Error(), "Object tags cannot be greater than 10") {
		t.Errorf("%s: %v; want S3's BadRequest: Object tags cannot be greater than 10", what, err)
	}
}

// TestObjectTagLimit: S3 allows 10 tags per object, in every way of
// setting them; kumo would store any number.
func TestObjectTagLimit(t *testing.T) {
	ctx := context.Background()
	c := stacktest.Start(t, stack.Options{}).S3()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pkg")}); err != nil {
		t.Fatal(err)
	}
	put := func(key string, tags int) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pkg"), Key: aws.String(key), Body: bytes.NewReader([]byte("x")), Tagging: aws.String(tagging(tags))})
		return err
	}
	if err := put("ten", 10); err != nil {
		t.Errorf("PutObject with 10 tags: %v", err)
	}
	wantTagLimit(t, "PutObject with 11 tags", put("eleven", 11))
	_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("pkg"), Key: aws.String("big"), Tagging: aws.String(tagging(11))})
	wantTagLimit(t, "CreateMultipartUpload with 11 tags", err)
	set := make([]stypes.Tag, 11)
	for i := range set {
		set[i] = stypes.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")}
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("pkg"), Key: aws.String("ten"), Tagging: &stypes.Tagging{TagSet: set}})
	wantTagLimit(t, "PutObjectTagging with 11 tags", err)
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("pkg"), Key: aws.String("ten"), Tagging: &stypes.Tagging{TagSet: set[:10]}}); err != nil {
		t.Errorf("PutObjectTagging with 10 tags: %v", err)
	}
}

// TestCreateTableTwice: DynamoDB refuses a table name that exists — what
// a create-before-destroy replacement of a table runs into on AWS. kumo
// enforces it itself; this keeps it so.
func TestCreateTableTwice(t *testing.T) {
	ctx := context.Background()
	c := stacktest.Start(t, stack.Options{}).DynamoDB()
	in := &dynamodb.CreateTableInput{TableName: aws.String("items"), BillingMode: dtypes.BillingModePayPerRequest,
		AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: dtypes.ScalarAttributeTypeS}},
		KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: dtypes.KeyTypeHash}}}
	if _, err := c.CreateTable(ctx, in); err != nil {
		t.Fatal(err)
	}
	in.AttributeDefinitions[0].AttributeName, in.KeySchema[0].AttributeName = aws.String("pk"), aws.String("pk")
	_, err := c.CreateTable(ctx, in)
	var inUse *dtypes.ResourceInUseException
	if !errors.As(err, &inUse) {
		t.Errorf("a second table named items (another key): %v; want ResourceInUseException", err)
	}
}

// TestLifecycleReadsBackAsPut: a lifecycle configuration reads back as put
// (an empty prefix filter, the transition minimum object size), as the AWS
// provider waits for after putting it; kumo drops both.
func TestLifecycleReadsBackAsPut(t *testing.T) {
	ctx := context.Background()
	c := stacktest.Start(t, stack.Options{}).S3()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pkg")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("pkg"),
		TransitionDefaultMinimumObjectSize: stypes.TransitionDefaultMinimumObjectSizeAllStorageClasses128k,
		LifecycleConfiguration: &stypes.BucketLifecycleConfiguration{Rules: []stypes.LifecycleRule{{
			ID: aws.String("abort-incomplete-uploads"), Status: stypes.ExpirationStatusEnabled, Filter: &stypes.LifecycleRuleFilter{Prefix: aws.String("")},
			AbortIncompleteMultipartUpload: &stypes.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}}}}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("pkg")})
	if err != nil {
		t.Fatal(err)
	}
	if out.TransitionDefaultMinimumObjectSize != stypes.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
		t.Errorf("transition default minimum object size %q, want the one put", out.TransitionDefaultMinimumObjectSize)
	}
	if len(out.Rules) != 1 || out.Rules[0].Filter == nil || out.Rules[0].Filter.Prefix == nil || *out.Rules[0].Filter.Prefix != "" {
		t.Errorf("rules read back %+v; want the filter's empty prefix", out.Rules)
	}
}

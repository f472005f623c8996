package kumoproxy

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/sivchari/kumo"
)

// TestOIDCProviderTags: an OpenID Connect provider keeps the tags it was
// created with, reads them back with GetOpenIDConnectProvider and
// ListOpenIDConnectProviderTags, and takes TagOpenIDConnectProvider and
// UntagOpenIDConnectProvider, as IAM does; an unknown provider is
// NoSuchEntity. kumo (in-process here) dropped the tags and refused the
// tag operations as InvalidAction.
func TestOIDCProviderTags(t *testing.T) {
	ctx := context.Background()
	k := kumo.NewServer()
	defer k.Close()
	p, err := Start(k.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c := iam.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(p.URL)})

	made, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"},
		ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"},
		Tags:           []iamtypes.Tag{{Key: aws.String("managed_by"), Value: aws.String("apibuilder")}, {Key: aws.String("team"), Value: aws.String("a&b")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := made.OpenIDConnectProviderArn
	tags := func() map[string]string {
		t.Helper()
		got, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.ClientIDList, []string{"sts.amazonaws.com"}) {
			t.Errorf("client ids %v", got.ClientIDList)
		}
		list, err := c.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		m, l := map[string]string{}, map[string]string{}
		for _, tg := range got.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		for _, tg := range list.Tags {
			l[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		if !reflect.DeepEqual(m, l) {
			t.Errorf("GetOpenIDConnectProvider tags %v, ListOpenIDConnectProviderTags %v", m, l)
		}
		return m
	}
	if got, want := tags(), map[string]string{"managed_by": "apibuilder", "team": "a&b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tags after create = %v, want %v", got, want)
	}
	if _, err := c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn,
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("c")}, {Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, TagKeys: []string{"managed_by"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := tags(), map[string]string{"team": "c", "env": "dev"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tags after tag and untag = %v, want %v", got, want)
	}

	if _, err := c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	var missing *iamtypes.NoSuchEntityException
	if !errors.As(err, &missing) {
		t.Errorf("tagging a deleted provider: %v; want NoSuchEntity", err)
	}
}

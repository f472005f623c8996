package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/apibuilder/apibuilder/generator/generate"
)

// StateBucket is what previews need of the S3 state bucket: finding
// previews by their state keys, and removing a destroyed preview's state.
type StateBucket interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Preview is a deployed preview.
type Preview struct {
	Name string
	// Updated is when its state last changed (its last deploy).
	Updated time.Time
}

// ParseAge reads an age such as 7d, 36h or 90m.
func ParseAge(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("age %q: want a number of days (7d) or a duration (36h)", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("age %q: want a number of days (7d) or a duration (36h)", s)
	}
	return d, nil
}

// ListPreviews finds the previews of opt.Env: by their state keys under
// the backend's preview prefix (opt.S3 reads the bucket), or, without a
// backend, by their state files under build/preview.
func ListPreviews(ctx context.Context, opt Options) ([]Preview, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	// A check writes nothing, and says where the state lives even when
	// envs/ is out of date.
	gen, err := generate.Run(ctx, generate.Options{Config: opt.Config, Envs: []string{opt.Env}, Check: true, Log: opt.Log})
	if err != nil && !errors.Is(err, generate.ErrStale) {
		return nil, err
	}
	var out []Preview
	if b := gen.Backend; b != nil {
		prefix := gen.Stages[0].Previews
		if opt.S3 == nil {
			return nil, errors.New("pipeline: Options.S3 is required to find previews in the state bucket")
		}
		var token *string
		for {
			page, err := opt.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b.Bucket), Prefix: aws.String(prefix), ContinuationToken: token}, inRegion(b.Region))
			if err != nil {
				return nil, fmt.Errorf("list previews in s3://%s/%s: %w", b.Bucket, prefix, err)
			}
			for _, o := range page.Contents {
				// <prefix><preview>/<api>/<env>-<preview>/terraform.tfstate
				rest := strings.TrimPrefix(aws.ToString(o.Key), prefix)
				name, _, _ := strings.Cut(rest, "/")
				if name != "" && strings.HasSuffix(rest, "/"+opt.Env+"-"+name+"/terraform.tfstate") {
					out = append(out, Preview{Name: name, Updated: aws.ToTime(o.LastModified)})
				}
			}
			if !aws.ToBool(page.IsTruncated) {
				break
			}
			token = page.NextContinuationToken
		}
	} else {
		states, err := filepath.Glob(filepath.Join(gen.Root, filepath.FromSlash(generate.PreviewDir("*", "")), opt.Env+"-*", "terraform.tfstate"))
		if err != nil {
			return nil, err
		}
		for _, s := range states {
			fi, err := os.Stat(s)
			if err != nil {
				return nil, err
			}
			// build/preview/<preview>/envs/<env>-<preview>/terraform.tfstate
			rel, _ := filepath.Rel(filepath.Join(gen.Root, filepath.FromSlash(generate.PreviewRoot)), s)
			name, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
			if filepath.Base(filepath.Dir(s)) != opt.Env+"-"+name {
				continue
			}
			out = append(out, Preview{Name: name, Updated: fi.ModTime()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Sweep destroys every preview of opt.Env whose last deploy is older
// than olderThan (at now), one after the other (API Gateway deletes one
// REST API per 30 s), and returns those it destroyed. It goes on past a
// preview that fails and returns every failure.
func Sweep(ctx context.Context, opt Options, olderThan time.Duration, now time.Time) ([]Preview, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	previews, err := ListPreviews(ctx, opt)
	if err != nil {
		return nil, err
	}
	var swept []Preview
	var errs []error
	for _, p := range previews {
		age := now.Sub(p.Updated)
		if age < olderThan {
			continue
		}
		fmt.Fprintf(opt.Log, "==> sweep: preview %s was last deployed %s ago\n", p.Name, age.Round(time.Minute))
		o := opt
		o.Preview, o.Destroy = p.Name, true
		if _, err := Deploy(ctx, o); err != nil {
			errs = append(errs, fmt.Errorf("preview %s: %w", p.Name, err))
			continue
		}
		swept = append(swept, p)
	}
	return swept, errors.Join(errs...)
}

// removeState removes a destroyed preview's state: its directory without
// a backend, its state object (and S3 lock file) with one.
func removeState(ctx context.Context, opt Options, gen *generate.Result, st generate.Stage) error {
	if gen.Preview == "" {
		return nil
	}
	if gen.Backend == nil {
		return os.RemoveAll(filepath.Join(gen.Root, filepath.FromSlash(path.Join(generate.PreviewRoot, gen.Preview))))
	}
	if opt.S3 == nil {
		fmt.Fprintf(opt.Log, "note: the preview's empty state is left at s3://%s/%s\n", gen.Backend.Bucket, st.StateKey)
		return nil
	}
	for _, key := range []string{st.StateKey, st.StateKey + ".tflock"} {
		if _, err := opt.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(gen.Backend.Bucket), Key: aws.String(key)}, inRegion(gen.Backend.Region)); err != nil && key == st.StateKey {
			return fmt.Errorf("remove the preview's state s3://%s/%s: %w", gen.Backend.Bucket, key, err)
		}
	}
	return nil
}

// inRegion calls S3 in the state bucket's region, which may not be the
// one the deployment's credentials default to.
func inRegion(region string) func(*s3.Options) {
	return func(o *s3.Options) {
		if region != "" {
			o.Region = region
		}
	}
}

package kumoproxy

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/apibuilder/apibuilder/local/instrument"
)

// kumo answers a bucket's lifecycle configuration differently from S3 in
// two ways the AWS provider notices: it stores a rule's
// <Filter><Prefix></Prefix></Filter> (what the provider sends for
// `filter {}`: every object) as <Filter></Filter>, and it never answers the
// x-amz-transition-default-minimum-object-size header (S3 answers the value
// put, all_storage_classes_128K by default). After
// PutBucketLifecycleConfiguration the provider waits until the
// configuration reads back as it sent it, so against kumo it waited its
// full 3 minutes and failed. The proxy remembers, per bucket, what the last
// put had and gives both back on reads.
type lifecycles struct {
	mu      sync.Mutex
	buckets map[string]lifecyclePut
}

// lifecyclePut is what kumo forgets of a bucket's last lifecycle put.
type lifecyclePut struct {
	emptyPrefix bool   // its rules had <Filter><Prefix></Prefix></Filter>
	minSize     string // x-amz-transition-default-minimum-object-size
}

const (
	emptyPrefixFilter = "<Filter><Prefix></Prefix></Filter>"
	emptyFilter       = "<Filter></Filter>"
	minSizeHeader     = "X-Amz-Transition-Default-Minimum-Object-Size"
	// defaultMinSize is what S3 applies when a put names no minimum size.
	defaultMinSize = "all_storage_classes_128K"
)

// serve handles a bucket's lifecycle requests (PUT and GET
// /<bucket>?lifecycle) and reports whether it answered r.
func (l *lifecycles) serve(w http.ResponseWriter, r *http.Request, next http.Handler) bool {
	if instrument.ServiceOf(r) != "s3" || !r.URL.Query().Has("lifecycle") {
		return false
	}
	bucket := strings.Trim(r.URL.Path, "/")
	if bucket == "" || strings.Contains(bucket, "/") {
		return false
	}
	var put lifecyclePut
	switch r.Method {
	case http.MethodPut:
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return false
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		put = lifecyclePut{emptyPrefix: bytes.Contains(body, []byte(emptyPrefixFilter)), minSize: r.Header.Get(minSizeHeader)}
		if put.minSize == "" {
			put.minSize = defaultMinSize
		}
	case http.MethodGet:
		l.mu.Lock()
		put = l.buckets[bucket]
		l.mu.Unlock()
	default:
		return false
	}
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	out := rec.Body.Bytes()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	if rec.Code == http.StatusOK {
		if r.Method == http.MethodPut {
			l.mu.Lock()
			if l.buckets == nil {
				l.buckets = map[string]lifecyclePut{}
			}
			l.buckets[bucket] = put
			l.mu.Unlock()
		}
		if put.emptyPrefix {
			out = bytes.ReplaceAll(out, []byte(emptyFilter), []byte(emptyPrefixFilter))
		}
		if put.minSize != "" {
			w.Header().Set(minSizeHeader, put.minSize)
		}
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
	return true
}

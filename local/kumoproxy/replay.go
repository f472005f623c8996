package kumoproxy

import (
	"bytes"
	"net/http"
	"sync"
)

// replies makes the AWS SDK's retries idempotent in front of kumo. The SDK
// sends every attempt of one operation with the same amz-sdk-invocation-id
// and retries an attempt whose answer it did not get in time or in one piece;
// kumo then carries out a create a second time and answers "already exists"
// (seen: CreateRole, CreateFunction, AddPermission, and a conditional
// PutItem of Terraform's state lock). A retried attempt of an operation that
// kumo has already answered with success gets that same answer again.
type replies struct {
	mu    sync.Mutex
	byID  map[string]*capture
	order []string // oldest first, to bound memory
}

const (
	maxReplies    = 4096
	maxReplyBytes = 1 << 20 // larger answers (big Invoke payloads) are not kept
)

func (rs *replies) get(id string) (*capture, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	c, ok := rs.byID[id]
	return c, ok
}

func (rs *replies) put(id string, c *capture) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.byID == nil {
		rs.byID = map[string]*capture{}
	}
	if _, ok := rs.byID[id]; ok {
		return
	}
	rs.byID[id] = c
	rs.order = append(rs.order, id)
	if len(rs.order) > maxReplies {
		delete(rs.byID, rs.order[0])
		rs.order = rs.order[1:]
	}
}

// capture records what the proxy answers while passing it on.
type capture struct {
	http.ResponseWriter
	status int
	header http.Header
	body   bytes.Buffer
}

func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status, c.header = code, c.ResponseWriter.Header().Clone()
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *capture) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	c.body.Write(p)
	return c.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach Flush on the real writer.
func (c *capture) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *capture) replay(w http.ResponseWriter) {
	for k, v := range c.header {
		w.Header()[k] = v
	}
	w.WriteHeader(c.status)
	_, _ = w.Write(c.body.Bytes())
}

package apigwproxy

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// SnapshotHeader asks the proxy to answer the reads of a REST API's
// configuration (GetRestApi, GetResources, GetRequestValidators,
// GetModels, GetAuthorizers, GetGatewayResponses) from the snapshot taken
// when the named deployment was created, as AWS serves a stage: from its
// deployment, not from the API's current resources. The data plane sends
// it with the stage's deploymentId. It is the local stack's own header; a
// deployment the proxy has no snapshot of is answered from moto as is.
const SnapshotHeader = "X-Apibuilder-Deployment"

// snapshotReads are the reads a snapshot answers: the path under
// /restapis/<id> ("" is the API itself).
var snapshotReads = []string{"", "/resources", "/requestvalidators", "/models", "/authorizers", "/gatewayresponses"}

// snapshots keeps, per deployment, moto's answers to snapshotReads at the
// moment the deployment was created.
type snapshots struct {
	mu    sync.Mutex
	byAPI map[string]map[string]map[string][]byte // api id -> deployment id -> read -> body
}

func (s *snapshots) put(api, deployment string, reads map[string][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byAPI == nil {
		s.byAPI = map[string]map[string]map[string][]byte{}
	}
	if s.byAPI[api] == nil {
		s.byAPI[api] = map[string]map[string][]byte{}
	}
	s.byAPI[api][deployment] = reads
}

func (s *snapshots) get(api, deployment, read string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, ok := s.byAPI[api][deployment][read]
	return body, ok
}

func (s *snapshots) drop(api, deployment string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if deployment == "" {
		delete(s.byAPI, api)
		return
	}
	delete(s.byAPI[api], deployment)
}

// serveSnapshot handles the snapshot side of r and reports whether it
// answered r: a read with SnapshotHeader is answered from the snapshot;
// CreateDeployment is forwarded and, when moto created it, the API is
// recorded before the client gets the answer; deleting a deployment or an
// API forgets its snapshots once moto did.
func (g *motoGaps) serveSnapshot(w http.ResponseWriter, r *http.Request, p []string, body []byte, next http.Handler) bool {
	n := len(p)
	if n < 2 || p[0] != "restapis" {
		return false
	}
	api := p[1]
	switch {
	case r.Method == http.MethodGet && r.Header.Get(SnapshotHeader) != "":
		read := "/" + strings.Join(p[2:], "/")
		if n == 2 {
			read = ""
		}
		out, ok := g.snaps.get(api, r.Header.Get(SnapshotHeader), read)
		if !ok {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(out)
		return true
	case r.Method == http.MethodPost && n == 3 && p[2] == "deployments":
		rec := httptest.NewRecorder()
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(rec, r)
		if rec.Code/100 == 2 {
			var d struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &d) == nil && d.ID != "" {
				if err := g.record(&gapCall{g: g, r: r, path: "/restapis/" + api}, api, d.ID); err != nil {
					// The deployment exists, but the stage could not be
					// served as AWS would: fail loudly, as a broken
					// emulator must not pass a test.
					writeAPIGWError(w, http.StatusInternalServerError, "InternalFailure", "apigwproxy: snapshot of deployment "+d.ID+": "+err.Error())
					return true
				}
			}
		}
		copyRecorded(w, rec)
		return true
	case r.Method == http.MethodDelete && (n == 2 || n == 4 && p[2] == "deployments"):
		rec := httptest.NewRecorder()
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(rec, r)
		if rec.Code/100 == 2 {
			if n == 2 {
				g.snaps.drop(api, "")
			} else {
				g.snaps.drop(api, p[3])
			}
		}
		copyRecorded(w, rec)
		return true
	}
	return false
}

// record reads the API's configuration from moto as the snapshot of a
// deployment. Embedded methods get their integrations' cache keys back,
// as GetMethod answers them (cachekeys.go).
func (g *motoGaps) record(c *gapCall, api, deployment string) error {
	reads := map[string][]byte{}
	for _, read := range snapshotReads {
		doc, raw, err := c.moto(http.MethodGet, "/restapis/"+api+read, nil)
		if err != nil {
			return err
		}
		if read == "/resources" {
			items, _ := doc["item"].([]any)
			for _, it := range items {
				res, _ := it.(map[string]any)
				id, _ := res["id"].(string)
				methods, _ := res["resourceMethods"].(map[string]any)
				for verb, m := range methods {
					method, _ := m.(map[string]any)
					integration, _ := method["methodIntegration"].(map[string]any)
					g.withCacheKeys("restapis/"+api+"/resources/"+id+"/methods/"+verb, integration)
				}
			}
			if raw, err = json.Marshal(doc); err != nil {
				return err
			}
		}
		reads[read] = raw
	}
	g.snaps.put(api, deployment, reads)
	return nil
}

func copyRecorded(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

package apigwproxy

import (
	"encoding/json"
	"net/http"
	"strings"
)

// moto's PutIntegration ignores cacheKeyParameters: GetIntegration always
// answers [], so an integration with cache keys would re-plan forever. The
// proxy keeps them per method, from PutIntegration and UpdateIntegration,
// and puts them back into GetIntegration and GetMethod answers.

// methodKey is "restapis/<id>/resources/<id>/methods/<METHOD>" of a path
// under a method.
func methodKey(path string) string {
	p := strings.Split(strings.Trim(path, "/"), "/")
	if len(p) < 6 {
		return ""
	}
	return strings.Join(p[:6], "/")
}

func (g *motoGaps) setCacheKeys(key string, v any) {
	list, _ := v.([]any)
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(list) == 0 {
		delete(g.cacheKeys, key)
		return
	}
	g.cacheKeys[key] = list
}

// withCacheKeys puts the recorded cache keys of key into integration.
func (g *motoGaps) withCacheKeys(key string, integration map[string]any) {
	if integration == nil {
		return
	}
	g.mu.Lock()
	list := g.cacheKeys[key]
	g.mu.Unlock()
	if list != nil {
		integration["cacheKeyParameters"] = list
	}
}

// putIntegrationKeys forwards a PutIntegration and records its cache keys.
func (g *motoGaps) putIntegrationKeys(c *gapCall) (int, []byte, error) {
	var in map[string]any
	if err := json.Unmarshal(c.body, &in); err != nil {
		return 0, nil, err
	}
	doc, _, err := c.moto(http.MethodPut, c.path, in)
	if err != nil {
		return 0, nil, err
	}
	key := methodKey(c.path)
	g.setCacheKeys(key, in["cacheKeyParameters"])
	g.withCacheKeys(key, doc)
	out, err := json.Marshal(doc)
	return http.StatusCreated, out, err
}

// getIntegrationKeys answers GetIntegration with the recorded cache keys.
func (g *motoGaps) getIntegrationKeys(c *gapCall) (int, []byte, error) {
	doc, _, err := c.moto(http.MethodGet, c.path, nil)
	if err != nil {
		return 0, nil, err
	}
	g.withCacheKeys(methodKey(c.path), doc)
	out, err := json.Marshal(doc)
	return http.StatusOK, out, err
}

// getMethodKeys answers GetMethod with its integration's recorded cache keys.
func (g *motoGaps) getMethodKeys(c *gapCall) (int, []byte, error) {
	doc, _, err := c.moto(http.MethodGet, c.path, nil)
	if err != nil {
		return 0, nil, err
	}
	integration, _ := doc["methodIntegration"].(map[string]any)
	g.withCacheKeys(methodKey(c.path), integration)
	out, err := json.Marshal(doc)
	return http.StatusOK, out, err
}

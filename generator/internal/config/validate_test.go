package config

import "testing"

// base is a valid routes file over testdata/base; most error cases in
// testdata/errors are this file with one thing changed.
const base = `api:
  name: items
tables:
  items: { hash_key: id }
authorizers:
  key: { type: api_key }
routes:
  - name: create_item
    method: POST
    path: /items
    handler: functions/ok
    request: { schema: schemas/ok.json }
    permissions: [{ table: items, actions: [PutItem] }]
    auth: key
  - name: get_item
    method: GET
    path: /items/{id}
    handler: functions/ok
`

func TestValidConfigLoads(t *testing.T) {
	t.Parallel()
	if _, err := Load(tempProject(t, base)); err != nil {
		t.Fatalf("valid config rejected:\n%v", err)
	}
}

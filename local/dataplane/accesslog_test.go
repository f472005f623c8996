package dataplane

import (
	"encoding/json"
	"testing"
)

func TestRenderAccessLog(t *testing.T) {
	values := map[string]string{
		"requestId": "r1", "requestTime": "04/Mar/2026:12:00:00 +0000", "requestTimeEpoch": "1772625600000",
		"error.message": `say "hi"` + "\n" + `\ ok`, "status": "200",
	}
	value := func(name string) string {
		if v, ok := values[name]; ok {
			return v
		}
		return "-"
	}
	// Longer names are not cut at a shorter prefix; a sentence's full stop is not part of a name.
	plain := renderAccessLog("$context.requestId $context.requestTime $context.requestTimeEpoch $context.status. $context.nope", value)
	if want := "r1 04/Mar/2026:12:00:00 +0000 1772625600000 200. -"; plain != want {
		t.Errorf("plain = %q, want %q", plain, want)
	}
	// JSON formats stay valid JSON whatever the values hold.
	line := renderAccessLog(`{"id":"$context.requestId","err":"$context.error.message"}`, value)
	var m map[string]string
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	if m["err"] != values["error.message"] {
		t.Errorf("err = %q", m["err"])
	}
	if plain := renderAccessLog("$context.error.message", value); plain != `say "hi" \ ok` {
		t.Errorf("a line break survived: %q", plain)
	}
}

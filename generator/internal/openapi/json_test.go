package openapi

import "testing"

// TestJSONRoundTrip: keys keep their order, numbers their text, and
// strings are escaped as JSON needs (but <, > and & stay readable).
func TestJSONRoundTrip(t *testing.T) {
	in := `{"z":1,"a":[1.50,-0,12345678901234567890123,1e400],"s":"<a href=\"x\">&amp;</a>\t\\ é \u0001","n":null,"t":true,"e":{},"l":[]}`
	v, err := parseJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	got := string(writeJSON(v))
	want := `{
  "z": 1,
  "a": [
    1.50,
    -0,
    12345678901234567890123,
    1e400
  ],
  "s": "<a href=\"x\">&amp;</a>\t\\ é \u0001",
  "n": null,
  "t": true,
  "e": {},
  "l": []
}
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for _, bad := range []string{`{"a":1,"a":2}`, `{"a":1} x`, `[1,`} {
		if _, err := parseJSON([]byte(bad)); err == nil {
			t.Errorf("%s parsed without an error", bad)
		}
	}
}

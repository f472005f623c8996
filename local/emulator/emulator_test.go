package emulator_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/apibuilder/apibuilder/local/emulator"
	"github.com/apibuilder/apibuilder/local/stack"
)

// TestServersAnswerUntilStopped starts each emulator process: it is healthy
// when Start returns, and Stop (twice is fine) leaves nothing listening.
func TestServersAnswerUntilStopped(t *testing.T) {
	ctx := context.Background()
	tc, err := stack.Tools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tc.Moto == "" {
		t.Fatal("moto_server is not on PATH: install moto[server]")
	}
	for _, c := range []struct {
		name, health string
		start        func(context.Context, string, io.Writer) (*emulator.Server, error)
		bin          string
	}{
		{"kumo", "/health", emulator.StartKumo, tc.Kumo},
		{"moto", "/moto-api/data.json", emulator.StartMoto, tc.Moto},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := c.start(ctx, c.bin, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Stop()
			resp, err := http.Get(s.URL + c.health)
			if err != nil {
				t.Fatalf("%s right after Start: %v", c.name, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s%s = %d, want 200", s.URL, c.health, resp.StatusCode)
			}
			s.Stop()
			s.Stop()
			if resp, err := http.Get(s.URL + c.health); err == nil {
				resp.Body.Close()
				t.Errorf("%s still answers after Stop", s.URL)
			}
		})
	}
}

package cli

import (
	"testing"
	"time"

	"github.com/scaffold-cli/scaffold/internal/verify"
)

// The summary counts the checks that ran and names the ones skipped, so
// that a pass without a database does not read as a pass with one.
func TestPassedNamesWhatWasSkipped(t *testing.T) {
	results := []verify.Result{
		{Step: "test", Duration: time.Second},
		{Step: verify.MigrateStep, Skipped: "DATABASE_URL is not set"},
		{Step: "serve", Duration: 2 * time.Second},
	}
	want := "api: all 2 checks passed in 3s (skipped migrate: DATABASE_URL is not set)"
	if got := passed("api", results); got != want {
		t.Errorf("passed = %q, want %q", got, want)
	}
	if got := passed("api", results[:1]); got != "api: all 1 checks passed in 1s" {
		t.Errorf("passed = %q", got)
	}
}

//go:build unix

// These tests run shell scripts as the built tools: Unix only.

package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scaffold-cli/scaffold/internal/template"
)

// tool writes a shell script standing in for a built CLI: it behaves
// as a good one does unless broken names what to break.
func tool(t *testing.T, broken string) string {
	t.Helper()
	script := `#!/bin/sh
case "$1" in
--help) [ "$BROKEN" = help ] && exit 1; echo "Usage: tool [command]"; echo "Commands:"; [ "$BROKEN" = names ] || echo "  count  count lines"; exit 0 ;;
--version) [ "$BROKEN" = version ] && { echo one; echo two; }; echo "tool 0.1.0"; exit 0 ;;
count) shift; if [ -n "$1" ]; then echo "tool: $1: no such file" >&2; exit 1; fi; wc -l | tr -d ' '; exit 0 ;;
*) [ "$BROKEN" = usage ] && { echo "unknown flag $1"; exit 1; }; echo "tool: unknown flag $1" >&2; exit 2 ;;
esac
`
	script = strings.ReplaceAll(script, "$BROKEN", broken)
	p := filepath.Join(t.TempDir(), "tool")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTry(t *testing.T) {
	two := "2\n"
	samples := []template.Sample{
		{Args: []string{"count"}, Stdin: "a\nb\n", Stdout: &two},
		{Args: []string{"count", "nope.txt"}, Exit: 1, Stderr: "nope.txt: no such file"},
	}
	for _, tt := range []struct {
		broken, want string
		samples      []template.Sample
	}{
		{broken: "", want: ""},
		{broken: "help", want: "--help exited 1, want 0"},
		{broken: "names", want: `--help does not name the subcommand "count"`},
		{broken: "version", want: "--version must exit 0 and print one line on stdout"},
		{broken: "usage", want: "an unknown flag must exit 2 with a message on stderr and nothing on stdout"},
		{want: `sample 1: stdout is not the "3\n" expected`, samples: []template.Sample{{Args: []string{"count"}, Stdin: "a\nb\n", Stdout: ptr("3\n")}}},
		{want: "sample 1: exit 1, want 0", samples: []template.Sample{{Args: []string{"count", "x"}}}},
		{want: `sample 1: stderr lacks "other"`, samples: []template.Sample{{Args: []string{"count", "x"}, Exit: 1, Stderr: "other"}}},
	} {
		t.Run(tt.want, func(t *testing.T) {
			s := samples
			if tt.samples != nil {
				s = tt.samples
			}
			p := &Plan{Try: &Try{Args: []string{tool(t, tt.broken)}, Commands: []string{"count"}, Samples: s}, Env: os.Environ()}
			results, err := Run(context.Background(), t.TempDir(), p, quiet{})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(results) != 1 || results[0].Step != "try" {
					t.Errorf("results %+v", results)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }

// TestTryInterrupted: a try run ended by its caller (Ctrl-C) says so,
// not that the tool ran past the try step's timeout.
func TestTryInterrupted(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tool")
	if err := os.WriteFile(p, []byte("#!/bin/sh\nsleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := try(ctx, t.TempDir(), &Try{Args: []string{p}}, os.Environ())
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "did not finish within") {
		t.Fatalf("error %v, want the caller's context's", err)
	}
}

// A tool that cannot start is named escaped: the path is the template's.
func TestTryToolThatCannotStartIsShownEscaped(t *testing.T) {
	p := &Plan{Try: &Try{Args: []string{filepath.Join(t.TempDir(), "no\x1b[2Jtool")}}, Env: os.Environ()}
	_, err := Run(context.Background(), t.TempDir(), p, quiet{})
	// The step's command is escaped where it is printed, as every step's;
	// what the step says went wrong is escaped here.
	_, cause, _ := strings.Cut(fmt.Sprint(err), "failed: ")
	if strings.Contains(cause, "\x1b") || !strings.Contains(cause, `no\x1b[2Jtool`) {
		t.Fatalf("error %q, want the path with its escape shown escaped", err)
	}
}

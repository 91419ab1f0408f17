package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/prompt"
)

// recordingPrompter keeps every question it is asked and answers none.
type recordingPrompter struct{ asked []prompt.Question }

func (r *recordingPrompter) Ask(q prompt.Question) (any, error) {
	r.asked = append(r.asked, q)
	return nil, prompt.ErrInterrupted
}

// A template's question reaches the prompter with its controls escaped,
// and so does everything else shown about it before the first answer.
func TestTemplateTextReachesThePrompterEscaped(t *testing.T) {
	tpl := t.TempDir()
	manifest := "name: asks\nhooks:\n  - \"echo safe\\r\\x1b[2Kgo mod tidy\"\nquestions:\n" +
		"  - name: name\n    prompt: \"Pick a name\\u202e\\x1b[31m\"\n    help: \"\\x1b[2Jcleared\\u200b\"\n"
	if err := os.WriteFile(filepath.Join(tpl, "scaffold.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tpl, "app.txt"), []byte("app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, out := testFactory(map[string]string{"HOME": t.TempDir()})
	rec := &recordingPrompter{}
	f.Prompter = rec
	code := Run(context.Background(), f, []string{"new", filepath.Join(t.TempDir(), "app"), "--template", tpl, "--no-hooks"})
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want %d:\n%s", code, ExitInterrupted, out)
	}
	if len(rec.asked) != 1 {
		t.Fatalf("asked %+v", rec.asked)
	}
	q := rec.asked[0]
	if q.Message != `Pick a name\u202e\x1b[31m` || q.Help != `\x1b[2Jcleared\u200b` {
		t.Errorf("Message %q, Help %q", q.Message, q.Help)
	}

	// Untrusted and in a terminal: the list shown before "Run them?".
	f, out = testFactory(map[string]string{"HOME": t.TempDir()})
	rec = &recordingPrompter{}
	f.Prompter = rec
	Run(context.Background(), f, []string{"new", filepath.Join(t.TempDir(), "app"), "--template", tpl})
	if len(rec.asked) != 1 || rec.asked[0].Message != "Run them?" {
		t.Fatalf("asked %+v", rec.asked)
	}
	if !strings.Contains(out.String(), "\n  echo safe\\r\\x1b[2Kgo mod tidy\n") || strings.ContainsAny(out.String(), "\r\x1b") {
		t.Errorf("before Run them?:\n%q", out)
	}
}

// scaffold list shows the team's aliases and sources escaped: a tab or
// an escape sequence in a config cannot forge the table.
func TestListEscapesWhatItShows(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("templates:\n  \"svc\\x1b[2K\": \"./tpl\\tgo/chi\\r\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, out := testFactory(map[string]string{"HOME": t.TempDir()})
	if code := Run(context.Background(), f, []string{"--config", cfg, "list"}); code != 0 {
		t.Fatalf("list exited %d:\n%s", code, out)
	}
	if !strings.Contains(out.String(), `svc\x1b[2K`) || !strings.Contains(out.String(), `./tpl\tgo/chi\r`) || strings.ContainsAny(out.String(), "\r\x1b") {
		t.Errorf("list:\n%q", out)
	}
}

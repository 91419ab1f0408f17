package project

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scaffold-cli/scaffold/internal/template"
)

// Create writes the files, commits all but the private ones, keeps the
// base without them, runs the hooks and commits what they changed.
func TestCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	rendered := []template.File{
		{Path: "README.md", Data: []byte("# app\n"), Mode: 0o644},
		{Path: ".env", Data: []byte("TOKEN=s3cret\n"), Mode: 0o600},
	}
	files := append(slices.Clone(rendered), template.File{Path: AnswersFile, Data: []byte("project: app\n"), Mode: 0o644})
	when := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var hookOut bytes.Buffer
	c, err := Create(context.Background(), dir, CreateOptions{
		Files: files, Base: rendered, Private: []string{".env"},
		Git:    &GitSettings{Identity: Identity{"T", "t@example.com"}, Branch: "main"},
		Source: "test/tpl", Now: func() time.Time { return when },
		Hooks: []string{"echo hooked > hooked.txt"}, Name: "app",
		Getenv: func(string) string { return "" }, HookOutput: &hookOut,
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Commit == "" || c.HooksCommit == "" || !slices.Equal(c.NotIgnored, []string{".env"}) {
		t.Errorf("created %+v", c)
	}
	if !strings.Contains(hookOut.String(), "running hook 1/1") {
		t.Errorf("hook output %q", hookOut.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "hooked.txt")); err != nil || string(b) != "hooked\n" {
		t.Errorf("hooked.txt: %q, %v", b, err)
	}
	base, _, err := ReadBase(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(base) != 1 || base[0].Path != "README.md" {
		t.Errorf("base holds %v", base)
	}
	if dirty, err := Uncommitted(dir); err != nil || len(dirty) != 0 {
		t.Errorf("uncommitted %v, %v", dirty, err)
	}
}

// Without git there is no commit, and the hooks run all the same.
func TestCreateWithoutGit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	c, err := Create(context.Background(), dir, CreateOptions{
		Files: []template.File{{Path: "a.txt", Data: []byte("a\n"), Mode: 0o644}},
		Hooks: []string{"touch b.txt"}, Getenv: func(string) string { return "" }, HookOutput: &bytes.Buffer{},
	})
	if err != nil || c.Commit != "" || c.HooksCommit != "" {
		t.Fatalf("created %+v, %v", c, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		t.Error("a repository was made")
	}
	if _, err := os.Stat(filepath.Join(dir, "b.txt")); err != nil {
		t.Error(err)
	}
	if c, err := Create(context.Background(), dir, CreateOptions{}); c != nil || err == nil {
		t.Errorf("over an existing project: %+v, %v", c, err)
	}
}

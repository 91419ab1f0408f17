package project

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scaffold-cli/scaffold/internal/template"
)

var sample = []template.File{
	{Path: "README.md", Mode: 0o644, Data: []byte("# x\n")},
	{Path: "bin/run.sh", Mode: 0o755, Data: []byte("#!/bin/sh\n")},
	{Path: ".gitignore", Mode: 0o644, Data: []byte("*.log\n")},
	{Path: "docs/link", Link: "../README.md"},
}

func TestWriteCreatesParentsAndFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "services", "api")
	if err := Write(context.Background(), dir, sample, nil); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "bin/run.sh"))
	if err != nil || info.Mode().Perm() != 0o755 {
		t.Fatalf("run.sh: %v %v", info, err)
	}
	if target, err := os.Readlink(filepath.Join(dir, "docs/link")); err != nil || target != "../README.md" {
		t.Errorf("link = %q, %v", target, err)
	}
	if info, _ := os.Stat(dir); info.Mode().Perm() != 0o755 {
		t.Errorf("project folder mode %v, want 0755", info.Mode().Perm())
	}
	if left := leftovers(t, filepath.Dir(dir)); len(left) > 0 {
		t.Errorf("temporary folders left: %v", left)
	}
}

func TestWriteIntoEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	if err := Write(context.Background(), dir, sample, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Fatal(err)
	}
}

func TestWriteRefusesNonEmptyTarget(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "keep.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(keep)
	err := Write(context.Background(), dir, sample, nil)
	var te *TargetError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("err = %v, want a TargetError", err)
	}
	after, _ := os.Stat(keep)
	data, _ := os.ReadFile(keep)
	if string(data) != "mine" || after.ModTime() != before.ModTime() || after.Mode() != before.Mode() {
		t.Error("existing file changed")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("target holds %d entries, want 1", len(entries))
	}
}

func TestWriteRefusesAFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "x")
	os.WriteFile(f, []byte("x"), 0o644)
	if err := Write(context.Background(), f, sample, nil); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Fatalf("err = %v", err)
	}
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "new", "deep", "x")
	boom := errors.New("boom")
	err := Write(context.Background(), dir, sample, func(string) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("left behind in %s: %v", root, entries)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Write(ctx, dir, sample, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled write: err = %v", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("left behind after cancel: %v", entries)
	}
}

func TestWriteRefusesUnsafePath(t *testing.T) {
	root := t.TempDir()
	err := Write(context.Background(), filepath.Join(root, "x"), []template.File{{Path: "../escape", From: "evil.tmpl"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "evil.tmpl") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "escape")); err == nil {
		t.Error("file written outside the project")
	}
}

func leftovers(t *testing.T, dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), TempPrefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestRecordRoundTrip(t *testing.T) {
	r := &Record{Scaffold: "v1", Template: TemplateRef{Source: "go/chi", Version: "1.0.0"}, Project: "x",
		Goals: []string{"cli"}, Answers: map[string]any{"docker": true, "module": "example.com/x", "n": 3}}
	files, err := WithRecord(nil, r)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), AnswersFile)
	os.WriteFile(p, files[0].Data, 0o644)
	got, err := ReadRecord(p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Template != r.Template || got.Answers["docker"] != true || got.Answers["n"] != 3 || got.Goals[0] != "cli" {
		t.Errorf("round trip: %+v", got)
	}
	if _, err := WithRecord([]template.File{{Path: AnswersFile, From: "x.tmpl"}}, r); err == nil {
		t.Error("a template file may not replace the answers file")
	}
	os.WriteFile(p, []byte("answers: [\n"), 0o644)
	if _, err := ReadRecord(p); err == nil || !strings.Contains(err.Error(), "an answers file is YAML or JSON") {
		t.Errorf("bad file: %v", err)
	}
	os.WriteFile(p, []byte("answer: {}\n"), 0o644)
	if _, err := ReadRecord(p); err == nil || !strings.Contains(err.Error(), "answer") {
		t.Errorf("unknown key: %v", err)
	}
}

func TestLoadGitSettings(t *testing.T) {
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[user]\n\tname = Ada\n\temail = ada@example.com\n[init]\n\tdefaultBranch = trunk\n"), 0o644)
	env := map[string]string{"HOME": home, "GIT_CONFIG_NOSYSTEM": "1"}
	s := LoadGitSettings(func(k string) string { return env[k] })
	if s.Identity != (Identity{"Ada", "ada@example.com"}) || s.Default || s.Branch != "trunk" {
		t.Errorf("settings = %+v", s)
	}
	env["GIT_AUTHOR_NAME"] = "Env Name"
	if s := LoadGitSettings(func(k string) string { return env[k] }); s.Identity.Name != "Env Name" || s.Identity.Email != "ada@example.com" {
		t.Errorf("env override: %+v", s)
	}
	none := LoadGitSettings(func(k string) string {
		if k == "GIT_CONFIG_NOSYSTEM" {
			return "1"
		}
		return ""
	})
	if !none.Default || none.Identity != DefaultIdentity || none.Branch != "main" {
		t.Errorf("no config: %+v", none)
	}
}

func TestInitialCommitWithoutAnyGitConfig(t *testing.T) {
	// No HOME, no system config: go-git must still commit, with the
	// default identity, and the git CLI must see a clean tree.
	t.Setenv("HOME", "/nonexistent")
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	dir := filepath.Join(t.TempDir(), "p")
	files := append(sample, template.File{Path: "app.log", Mode: 0o644, Data: []byte("x")})
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	settings := LoadGitSettings(func(string) string { return "" })
	var hash string
	err := Write(context.Background(), dir, files, func(tmp string) error {
		h, err := InitialCommit(tmp, settings, when, "Initial commit")
		hash = h.String()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git CLI not installed; the commit was made but cannot be cross-checked")
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := git("status", "--porcelain", "--ignored=no"); strings.TrimSpace(out) != "" {
		t.Errorf("git status --porcelain:\n%s", out)
	}
	log := git("log", "--format=%H %an <%ae> %aI %s")
	want := hash + " scaffold <scaffold@localhost> 2026-01-02T03:04:05+00:00 Initial commit\n"
	if log != want {
		t.Errorf("git log = %q, want %q", log, want)
	}
	tracked := git("ls-files")
	if strings.Contains(tracked, "app.log") || !strings.Contains(tracked, "bin/run.sh") || !strings.Contains(tracked, "docs/link") {
		t.Errorf("tracked files:\n%s", tracked)
	}
	if branch := strings.TrimSpace(git("branch", "--show-current")); branch != "main" {
		t.Errorf("branch = %s, want main", branch)
	}
}

package update

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/names"
	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/template"
	ftree "github.com/scaffold-cli/scaffold/internal/tree"
	"github.com/scaffold-cli/scaffold/internal/usererr"
)

// writeRecord makes a project folder holding only rec as its answers
// file.
func writeRecord(t *testing.T, dir string, rec *project.Record) {
	t.Helper()
	data, err := rec.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, project.AnswersFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkError fails the test unless err holds want, and is a user error
// exactly when input is set.
func checkError(t *testing.T, what string, err error, want string, input bool) {
	t.Helper()
	var in *usererr.Error
	if err == nil || !strings.Contains(err.Error(), want) || errors.As(err, &in) != input {
		t.Fatalf("%s = %v, want an error with %q (input error: %v)", what, err, want, input)
	}
}

func noConfig() (*config.Config, error) { return &config.Config{}, nil }

func TestLoad(t *testing.T) {
	prefixed := func() (*config.Config, error) {
		return &config.Config{Defaults: map[string]any{config.GoModulePrefix: "example.com/acme"}}, nil
	}
	configFails := func() (*config.Config, error) { return nil, errors.New("config broken") }
	tests := []struct {
		name      string
		rec       *project.Record // nil: no answers file
		git       bool
		config    func() (*config.Config, error)
		wantErr   string
		wantInput bool
		wantName  string
		wantMod   string
	}{
		{name: "no answers file", config: noConfig, wantErr: "has no .scaffold-answers.yaml: it was not made by scaffold", wantInput: true},
		{name: "no template source", rec: &project.Record{Project: "api"}, config: noConfig, wantErr: "names no template source", wantInput: true},
		{name: "bad project name", rec: &project.Record{Project: "Bad Name", Template: project.TemplateRef{Source: "go/chi"}}, config: noConfig, wantErr: "Bad Name", wantInput: true},
		{name: "config error is not input", rec: &project.Record{Project: "api", Template: project.TemplateRef{Source: "go/chi"}}, config: configFails, wantErr: "config broken"},
		{name: "names from the config", rec: &project.Record{Project: "api", Template: project.TemplateRef{Source: "go/chi"}}, config: prefixed, wantName: "api", wantMod: "example.com/acme/api"},
		{name: "name from the folder", rec: &project.Record{Template: project.TemplateRef{Source: "go/chi"}}, config: noConfig, git: true, wantName: "proj", wantMod: "example.com/proj"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "proj")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.rec != nil {
				writeRecord(t, dir, tt.rec)
			}
			if tt.git {
				if _, err := git.PlainInit(dir, false); err != nil {
					t.Fatal(err)
				}
			}
			g, err := Load(dir, tt.config)
			if tt.wantErr != "" {
				checkError(t, "Load", err, tt.wantErr, tt.wantInput)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.Dir != dir || g.Git != tt.git || g.Names.Name != tt.wantName || g.Names.GoModule != tt.wantMod {
				t.Errorf("Load = dir %s, git %v, names %+v", g.Dir, g.Git, g.Names)
			}
		})
	}
}

// taggedRepo makes a git repository with a commit tagged with each tag.
func taggedRepo(t *testing.T, tags ...string) string {
	t.Helper()
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "scaffold.yaml"), []byte("name: t\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add("scaffold.yaml"); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "T", Email: "t@example.com", When: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	hash, err := wt.Commit("init", &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range tags {
		if _, err := repo.CreateTag(tag, hash, nil); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestNewer(t *testing.T) {
	tagged := "file://" + taggedRepo(t, "v1.0.0", "v1.2.0", "v1.10.0")
	untagged := "file://" + taggedRepo(t)
	tests := []struct {
		name, source, to string
		want             string
		wantErr          string
		wantInput        bool
	}{
		{name: "built-in", source: "go/chi", want: "go/chi"},
		{name: "folder", source: "/srv/templates/svc", want: "/srv/templates/svc"},
		{name: "--to on a built-in", source: "go/chi", to: "v2", wantErr: "--to needs a git template; go/chi is a builtin template, updated to what this scaffold has", wantInput: true},
		{name: "unparsable source", source: "https://host/x.git//../up", wantErr: "folder", wantInput: true},
		{name: "git with --to", source: "https://host/t.git@v1", to: "v3", want: "https://host/t.git@v3"},
		{name: "git: newest tag", source: tagged + "@v1.0.0", want: tagged + "@v1.10.0"},
		{name: "git without tags follows its branch", source: untagged, want: untagged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &Generated{Record: &project.Record{Template: project.TemplateRef{Source: tt.source}}}
			got, err := g.Newer(context.Background(), tt.to, source.Options{})
			if tt.wantErr != "" {
				checkError(t, "Newer", err, tt.wantErr, tt.wantInput)
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Newer = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// opened is a template in memory, as an Opener gives it.
func opened(t *testing.T, digest string, files fstest.MapFS) *source.Opened {
	t.Helper()
	tr, err := ftree.ReadFS(files, ftree.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(tr, "t")
	if err != nil {
		t.Fatal(err)
	}
	return &source.Opened{Template: tmpl, Kind: source.Builtin, Ref: "t", Digest: digest}
}

func TestBase(t *testing.T) {
	tmpl := fstest.MapFS{
		"scaffold.yaml": {Data: []byte("name: t\nversion: 1.0.0\nquestions:\n  - name: db\n    default: none\n  - name: port\n    default: '8080'\n")},
		"app.txt.tmpl":  {Data: []byte("{{ .Project.Name }} {{ .db }} {{ .port }} by {{ .Project.Author }} in {{ .Project.Year }} with {{ .Scaffold.Version }}\n")},
	}
	rec := &project.Record{
		Scaffold: "0.9.0", Template: project.TemplateRef{Source: "t", Version: "1.0.0", Digest: "sha256:one"},
		Project: "api", Author: "Ann", Year: 2025, Answers: map[string]any{"db": "postgres"},
	}
	inRef := []template.File{{Path: "app.txt", Mode: 0o644, Data: []byte("from the ref\n")}}
	failing := func(context.Context, string) (*source.Opened, error) { return nil, errors.New("unreachable") }
	tests := []struct {
		name      string
		git       bool   // the project is a repository
		ref       bool   // with inRef on project.BaseRef
		src       string // instead of the recorded t
		commit    string
		digest    string // of the template the opener opens
		open      Opener
		want      *Base
		wantErr   string
		wantInput bool
	}{
		{name: "from the ref", git: true, ref: true, open: failing, want: &Base{Files: inRef, FromRef: true}},
		{name: "rendered again without git", digest: "sha256:one",
			want: &Base{Files: []template.File{{Path: "app.txt", From: "app.txt.tmpl", Mode: 0o644, Data: []byte("api postgres 8080 by Ann in 2025 with 0.9.0\n")}}}},
		{name: "rendered again without the ref", git: true, digest: "sha256:one",
			want: &Base{Files: []template.File{{Path: "app.txt", From: "app.txt.tmpl", Mode: 0o644, Data: []byte("api postgres 8080 by Ann in 2025 with 0.9.0\n")}}}},
		{name: "the template changed", digest: "sha256:two", wantErr: "cannot update: the project has no refs/scaffold/base (it was made without git, or the ref was deleted) and t has changed since version 1.0.0", wantInput: true},
		{name: "the template cannot be opened", open: failing, wantErr: "its template cannot be opened to render the recorded version again: unreachable"},
		{name: "a source that does not parse", src: "https://host/x.git//../up", commit: "0123abcd", open: failing, wantInput: true, wantErr: "folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.git {
				if _, err := git.PlainInit(dir, false); err != nil {
					t.Fatal(err)
				}
			}
			if tt.ref {
				s := project.GitSettings{Identity: project.Identity{Name: "T", Email: "t@example.com"}}
				if _, err := project.WriteBase(dir, inRef, s, time.Now(), "base"); err != nil {
					t.Fatal(err)
				}
			}
			r := *rec
			r.Template.Commit = tt.commit
			open := tt.open
			if open == nil {
				open = func(_ context.Context, ref string) (*source.Opened, error) {
					if ref != "t" {
						t.Errorf("opened %q, want t", ref)
					}
					return opened(t, tt.digest, tmpl), nil
				}
			}
			if tt.src != "" {
				r.Template.Source = tt.src
			}
			proj, err := names.Derive("api", names.Options{})
			if err != nil {
				t.Fatal(err)
			}
			g := &Generated{Dir: dir, Record: &r, Config: &config.Config{}, Names: proj}
			got, err := g.Base(context.Background(), open)
			if tt.wantErr != "" {
				checkError(t, "Base", err, tt.wantErr, tt.wantInput)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Base =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestAvailable(t *testing.T) {
	tests := []struct {
		name         string
		have, newest project.TemplateRef
		want         bool
	}{
		{"same digest", project.TemplateRef{Version: "1.0.0", Digest: "sha256:a"}, project.TemplateRef{Version: "1.1.0", Digest: "sha256:a"}, false},
		{"new digest, newer version", project.TemplateRef{Version: "1.0.0", Digest: "sha256:a"}, project.TemplateRef{Version: "1.1.0", Digest: "sha256:b"}, true},
		{"new digest, same version", project.TemplateRef{Version: "1.0.0", Digest: "sha256:a"}, project.TemplateRef{Version: "1.0.0", Digest: "sha256:b"}, true},
		{"versions with and without v, in numeric order", project.TemplateRef{Version: "v1.2.0", Digest: "sha256:a"}, project.TemplateRef{Version: "1.10.0", Digest: "sha256:b"}, true},
		{"older version is no update", project.TemplateRef{Version: "1.10.0", Digest: "sha256:a"}, project.TemplateRef{Version: "v1.2.0", Digest: "sha256:b"}, false},
		{"versions that are not semver", project.TemplateRef{Version: "two", Digest: "sha256:a"}, project.TemplateRef{Version: "one", Digest: "sha256:b"}, true},
		{"no digest, same version", project.TemplateRef{Version: "1.0.0"}, project.TemplateRef{Version: "1.0.0", Digest: "sha256:b"}, false},
		{"no digest, other version", project.TemplateRef{Version: "1.0.0"}, project.TemplateRef{Version: "0.9.0"}, true},
		{"no digest, new commit", project.TemplateRef{Version: "1.0.0", Commit: "aaa"}, project.TemplateRef{Version: "1.0.0", Commit: "bbb"}, true},
		{"no digest, same commit", project.TemplateRef{Version: "1.0.0", Commit: "aaa"}, project.TemplateRef{Version: "1.0.0", Commit: "aaa"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Available(tt.have, tt.newest); got != tt.want {
				t.Errorf("Available(%+v, %+v) = %v, want %v", tt.have, tt.newest, got, tt.want)
			}
		})
	}
}

func TestOlder(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"1.0.0", "1.1.0", true},
		{"v1.9.0", "1.10.0", true},
		{"1.10.0", "v1.9.0", false},
		{"1.0.0", "1.0.0", false},
		{"1.0.0-rc.1", "1.0.0", true},
		{"", "1.0.0", false},
		{"1.0.0", "latest", false},
	}
	for _, tt := range tests {
		if got := older(tt.a, tt.b); got != tt.want {
			t.Errorf("older(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestChanged(t *testing.T) {
	p := &Plan{Changes: []Change{
		{Path: "a", Action: Unchanged}, {Path: "b", Action: Updated}, {Path: "c", Action: Unchanged}, {Path: "d", Action: Conflict},
	}}
	var got []string
	for _, c := range p.Changed() {
		got = append(got, c.Path)
	}
	if !reflect.DeepEqual(got, []string{"b", "d"}) {
		t.Errorf("Changed = %v, want [b d]", got)
	}
	if (&Plan{}).Changed() != nil {
		t.Error("Changed of an empty plan is not nil")
	}
}

func TestSecretFiles(t *testing.T) {
	tests := []struct {
		name         string
		recorded     []string // in the old record
		secrets      template.Secrets
		wantPrivate  []string
		wantRecorded []string
	}{
		{name: "none"},
		{name: "rendered from a secret", secrets: template.Secrets{Paths: []string{".env"}},
			wantPrivate: []string{".env"}, wantRecorded: []string{".env"}},
		{name: "once written from a secret", recorded: []string{"config/token"}, secrets: template.Secrets{Paths: []string{".env"}},
			wantPrivate: []string{".env", "config/token"}, wantRecorded: []string{".env", "config/token"}},
		{name: "both", recorded: []string{".env"}, secrets: template.Secrets{Paths: []string{".env"}},
			wantPrivate: []string{".env"}, wantRecorded: []string{".env"}},
		{name: "a name rendered from the secret is kept, not recorded",
			secrets:     template.Secrets{Paths: []string{"keys/s3cret.pem"}, Shown: map[string]string{"keys/s3cret.pem": "keys/***"}},
			wantPrivate: []string{"keys/s3cret.pem"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &Generated{Record: &project.Record{SecretFiles: tt.recorded}}
			private, recorded := g.SecretFiles(tt.secrets)
			if !slices.Equal(private, tt.wantPrivate) || !slices.Equal(recorded, tt.wantRecorded) {
				t.Errorf("SecretFiles = %v, %v; want %v, %v", private, recorded, tt.wantPrivate, tt.wantRecorded)
			}
		})
	}
}

func TestRebase(t *testing.T) {
	s := project.GitSettings{Identity: project.Identity{Name: "T", Email: "t@example.com"}}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	old := []template.File{{Path: "app.txt", Mode: 0o644, Data: []byte("v1\n")}, {Path: ".env", Mode: 0o600, Data: []byte("T=secret\n")}}
	next := []template.File{{Path: "app.txt", Mode: 0o644, Data: []byte("v2\n")}}
	tests := []struct {
		name        string
		fromRef     bool
		private     []string
		wantHeld    []string
		wantHistory bool
	}{
		{name: "keeps the history", fromRef: true, wantHistory: true},
		{name: "private files the old base does not hold", fromRef: true, private: []string{"other"}, wantHistory: true},
		{name: "an old base holding a secret loses its history", fromRef: true, private: []string{".env"}, wantHeld: []string{".env"}},
		{name: "a base not read from the ref is not replaced", private: []string{".env"}, wantHistory: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			repo, err := git.PlainInit(dir, false)
			if err != nil {
				t.Fatal(err)
			}
			first, err := project.WriteBase(dir, old, s, when, "base")
			if err != nil {
				t.Fatal(err)
			}
			g := &Generated{Dir: dir}
			held, err := g.Rebase(&Base{Files: old, FromRef: tt.fromRef}, next, tt.private, s, when, "new base")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(held, tt.wantHeld) {
				t.Errorf("held = %v, want %v", held, tt.wantHeld)
			}
			files, hash, err := project.ReadBase(dir)
			if err != nil || !reflect.DeepEqual(files, next) {
				t.Fatalf("the base is %+v, %v; want %+v", files, err, next)
			}
			c, err := repo.CommitObject(hash)
			if err != nil {
				t.Fatal(err)
			}
			if kept := slices.Contains(c.ParentHashes, first); kept != tt.wantHistory {
				t.Errorf("the new base's parents are %v; the old base among them: %v, want %v", c.ParentHashes, kept, tt.wantHistory)
			}
		})
	}
}

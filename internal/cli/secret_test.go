package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// gitObjects returns the content of every object reachable from every
// ref of the repository at dir (refs/scaffold/base included: commits,
// their trees and blobs, the whole history), and of every object stored
// at all, reachable or not.
func gitObjects(t *testing.T, dir string) (reachable, stored []string) {
	t.Helper()
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := repo.References()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[plumbing.Hash]bool{}
	var walk func(h plumbing.Hash)
	walk = func(h plumbing.Hash) {
		if seen[h] {
			return
		}
		seen[h] = true
		c, err := repo.CommitObject(h)
		if err != nil {
			t.Fatalf("commit %s: %v", h, err)
		}
		reachable = append(reachable, c.Message)
		tree, err := c.Tree()
		if err != nil {
			t.Fatal(err)
		}
		err = tree.Files().ForEach(func(f *object.File) error {
			s, err := f.Contents()
			reachable = append(reachable, f.Name, s)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range c.ParentHashes {
			walk(p)
		}
	}
	n := 0
	err = refs.ForEach(func(r *plumbing.Reference) error {
		if r.Type() != plumbing.HashReference {
			return nil
		}
		n++
		walk(r.Hash())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Fatalf("%d refs, want a branch and %s", n, project.BaseRef)
	}
	iter, err := repo.Storer.IterEncodedObjects(plumbing.AnyObject)
	if err != nil {
		t.Fatal(err)
	}
	err = iter.ForEach(func(o plumbing.EncodedObject) error {
		r, err := o.Reader()
		if err != nil {
			return err
		}
		defer r.Close()
		data, err := io.ReadAll(r)
		stored = append(stored, string(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return reachable, stored
}

// Through the real command: a secret answer rendered into a file, plain
// or encoded, ignored or not, is on disk and in no git object after new
// and after update, and update keeps the file as the user has it.
func TestSecretFilesStayOutOfGit(t *testing.T) {
	const token = "tok_Sup3rS3cret"
	b64 := base64.StdEncoding.EncodeToString([]byte(token))
	// token_b64 is no secret question, but its default is the secret,
	// encoded: it is no more recorded or committed than the secret.
	manifest := "name: t\nversion: %s\nquestions:\n  - name: api_token\n    secret: true\n    default: ''\n" +
		"  - name: token_b64\n    default: '{{ .api_token | b64enc }}'\n"
	for _, tt := range []struct {
		name      string
		file      string // the secret-derived file
		tmpl      string // its template text; v2 adds a line
		want      string // what it holds on disk
		gitignore string
		notice    bool
	}{
		{"plain, ignored", ".env", "API_TOKEN={{ .api_token }}\n", "API_TOKEN=" + token, ".env\n", false},
		{"base64, ignored", ".env", "API_TOKEN_B64={{ .api_token | b64enc }}\n", "API_TOKEN_B64=" + b64, ".env\n", false},
		{"sha256, ignored", "secrets/token.sum", "{{ .api_token | sha256sum }}\n", "", "secrets/\n", false},
		{"plain, not ignored", "config/settings.json", `{"token": "{{ .api_token }}"}` + "\n", `{"token": "` + token + `"}`, "", true},
		{"base64, not ignored", "config/settings.json", `{"token": "{{ .api_token | b64enc }}"}` + "\n", `{"token": "` + b64 + `"}`, "*.log\n", true},
		{"through a derived answer, not ignored", "auth.txt", "Bearer {{ .token_b64 }}\n", "Bearer " + b64, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"HOME": t.TempDir(), "GIT_CONFIG_NOSYSTEM": "1"}
			tpl := t.TempDir()
			write := func(p, s string) {
				t.Helper()
				full := filepath.Join(tpl, filepath.FromSlash(p))
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("scaffold.yaml", fmt.Sprintf(manifest, "1.0.0"))
			write(tt.file+".tmpl", tt.tmpl)
			write("README.md", "readme v1\n")
			if tt.gitignore != "" {
				write(".gitignore", tt.gitignore)
			}
			dir := filepath.Join(t.TempDir(), "app")
			ctx := context.Background()
			f, out := testFactory(env)
			if code := Run(ctx, f, []string{"new", dir, "--template", tpl, "--set", "api_token=" + token, "--yes"}); code != 0 {
				t.Fatalf("new exited %d:\n%s", code, out)
			}
			if strings.Contains(out.String(), token) || strings.Contains(out.String(), b64) {
				t.Errorf("new printed the secret:\n%s", out)
			}
			if got := strings.Contains(out.String(), "note: "+tt.file+" holds a secret answer"); got != tt.notice {
				t.Errorf("notice naming %s printed: %v, want %v:\n%s", tt.file, got, tt.notice, out)
			}
			onDisk, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tt.file)))
			if err != nil || !strings.Contains(string(onDisk), tt.want) {
				t.Fatalf("%s on disk: %q, %v", tt.file, onDisk, err)
			}
			clean := func(when string) {
				t.Helper()
				reachable, stored := gitObjects(t, dir)
				for what, list := range map[string][]string{"reachable": reachable, "stored": stored} {
					for _, s := range list {
						if strings.Contains(s, token) || strings.Contains(s, b64) || strings.Contains(s, string(onDisk)) {
							t.Errorf("%s: a %s git object holds the secret: %q", when, what, s)
						}
					}
				}
				if !slices.Contains(reachable, "README.md") {
					t.Errorf("%s: the walk found no README.md; it walked %d strings", when, len(reachable))
				}
			}
			clean("after new")

			// v2 adds a line to the secret file and changes the README.
			write("scaffold.yaml", fmt.Sprintf(manifest, "2.0.0"))
			write(tt.file+".tmpl", "# v2\n"+tt.tmpl)
			write("README.md", "readme v2\n")
			f, out = testFactory(env)
			if code := Run(ctx, f, []string{"update", dir, "--json"}); code != 0 {
				t.Fatalf("update exited %d:\n%s", code, out)
			}
			var res struct {
				Changes []struct {
					Path, Action, Reason string
					Secret               bool
				}
			}
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatalf("update --json: %v\n%s", err, out)
			}
			actions := map[string]string{}
			for _, c := range res.Changes {
				actions[c.Path] = c.Action
				if c.Path == tt.file && (!c.Secret || !strings.Contains(c.Reason, "secret answer")) {
					t.Errorf("update reported %s as %+v", tt.file, c)
				}
			}
			if actions[tt.file] != "kept" || actions["README.md"] != "updated" {
				t.Errorf("update actions %v", actions)
			}
			after, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tt.file)))
			if string(after) != string(onDisk) {
				t.Errorf("update changed %s: %q, was %q", tt.file, after, onDisk)
			}
			if readme, _ := os.ReadFile(filepath.Join(dir, "README.md")); string(readme) != "readme v2\n" {
				t.Errorf("README.md after update: %q", readme)
			}
			clean("after update")
		})
	}
}

// A project made by an older scaffold has its secret in refs/scaffold/base.
// The next update writes a base without it and without history, so no
// ref reaches the secret any more, and says so.
func TestUpdateDropsAnOldBaseHoldingASecret(t *testing.T) {
	const token = "tok_Sup3rS3cret"
	env := map[string]string{"HOME": t.TempDir(), "GIT_CONFIG_NOSYSTEM": "1"}
	tpl := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(tpl, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	manifest := "name: t\nversion: %s\nquestions:\n  - name: api_token\n    secret: true\n    default: ''\n"
	write("scaffold.yaml", fmt.Sprintf(manifest, "1.0.0"))
	write(".env.tmpl", "API_TOKEN={{ .api_token }}\n")
	write(".gitignore", ".env\n")
	write("README.md", "readme v1\n")
	dir := filepath.Join(t.TempDir(), "app")
	ctx := context.Background()
	f, out := testFactory(env)
	if code := Run(ctx, f, []string{"new", dir, "--template", tpl, "--set", "api_token=" + token, "--yes"}); code != 0 {
		t.Fatalf("new exited %d:\n%s", code, out)
	}
	// What an older scaffold recorded: the render, .env and all.
	old, _, err := project.ReadBase(dir)
	if err != nil {
		t.Fatal(err)
	}
	old = append(old, template.File{Path: ".env", Mode: 0o644, Data: []byte("API_TOKEN=" + token + "\n")})
	gs := project.LoadGitSettings(f.Getenv)
	if _, err := project.WriteBase(dir, old, gs, f.Now(), "old base"); err != nil {
		t.Fatal(err)
	}

	write("scaffold.yaml", fmt.Sprintf(manifest, "2.0.0"))
	write("README.md", "readme v2\n")
	f, out = testFactory(env)
	if code := Run(ctx, f, []string{"update", dir}); code != 0 {
		t.Fatalf("update exited %d:\n%s", code, out)
	}
	if !strings.Contains(out.String(), "note: refs/scaffold/base, written by an older scaffold, holds .env, rendered from a secret answer") || strings.Contains(out.String(), token) {
		t.Errorf("update output:\n%s", out)
	}
	if env, _ := os.ReadFile(filepath.Join(dir, ".env")); string(env) != "API_TOKEN="+token+"\n" {
		t.Errorf(".env after update: %q", env)
	}
	reachable, _ := gitObjects(t, dir)
	for _, s := range reachable {
		if strings.Contains(s, token) {
			t.Errorf("an object reachable from a ref holds the secret: %q", s)
		}
	}
	files, _, err := project.ReadBase(dir)
	if err != nil || slices.ContainsFunc(files, func(f template.File) bool { return f.Path == ".env" }) {
		t.Errorf("the new base: %v, %v", files, err)
	}
}

package cli

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"

	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/serve"
)

// member is a file of a project, as an archive or a folder holds it.
type member struct {
	mode fs.FileMode
	data string
}

// readTgz and readZip read an archive into its members, by path below
// the project's folder, which every member must be in.
func readTgz(t *testing.T, root string, data []byte) map[string]member {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string]member{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		rel := inRoot(t, root, strings.TrimSuffix(h.Name, "/"))
		body, _ := io.ReadAll(tr)
		m := member{mode: fs.FileMode(h.Mode).Perm(), data: string(body)}
		switch h.Typeflag {
		case tar.TypeDir:
			m.mode |= fs.ModeDir
		case tar.TypeSymlink:
			m.mode, m.data = fs.ModeSymlink, h.Linkname
		}
		out[rel] = m
	}
}

func readZip(t *testing.T, root string, data []byte) map[string]member {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]member{}
	for _, f := range zr.File {
		rel := inRoot(t, root, strings.TrimSuffix(f.Name, "/"))
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(rc)
		rc.Close()
		m := member{mode: f.Mode() & (fs.ModeDir | fs.ModePerm), data: string(body)}
		if f.Mode()&fs.ModeSymlink != 0 {
			m.mode = fs.ModeSymlink
		}
		out[rel] = m
	}
	return out
}

func inRoot(t *testing.T, root, name string) string {
	t.Helper()
	if name == root {
		return "."
	}
	rel, ok := strings.CutPrefix(name, root+"/")
	if !ok || path.Clean(rel) != rel || strings.HasPrefix(rel, "../") {
		t.Fatalf("archive member %q is not inside %s/", name, root)
	}
	return rel
}

// readDir reads what scaffold new wrote, .git left out unless withGit.
func readDir(t *testing.T, dir string, withGit bool) map[string]member {
	t.Helper()
	out := map[string]member{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if !withGit && (rel == ".git" || strings.HasPrefix(rel, ".git/")) {
			return fs.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		m := member{mode: info.Mode() & (fs.ModeDir | fs.ModePerm)}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			m = member{mode: fs.ModeSymlink, data: target}
		case info.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			m.data = string(data)
		}
		out[rel] = m
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func compareMembers(t *testing.T, what string, got, want map[string]member) {
	t.Helper()
	var names []string
	for k := range want {
		names = append(names, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		g, gok := got[n]
		w, wok := want[n]
		switch {
		case !gok:
			t.Errorf("%s: %s is missing (scaffold new writes it)", what, n)
		case !wok:
			t.Errorf("%s: %s is extra (scaffold new does not write it)", what, n)
		case g.mode != w.mode:
			t.Errorf("%s: %s has mode %v, scaffold new's has %v", what, n, g.mode, w.mode)
		case g.data != w.data:
			t.Errorf("%s: %s differs from scaffold new's:\n%s\n---\n%s", what, n, g.data, w.data)
		}
	}
}

// The starter archives hold what scaffold new writes for the same
// answers, byte for byte and mode for mode, and with git=true the same
// first commit, down to its hash.
func TestServeStarterIsWhatNewWrites(t *testing.T) {
	cases := []struct {
		template string
		answers  url.Values
	}{
		{"go/chi", url.Values{"module": {"example.com/acme/orders"}, "database": {"postgres"}, "license": {"Apache-2.0"}}},
		{"node/fastify", url.Values{"realtime": {"true"}, "docker": {"false"}}},
		{"rust/clap", nil},
	}
	for _, c := range cases {
		t.Run(c.template, func(t *testing.T) {
			for _, git := range []bool{false, true} {
				f, out := testFactory(map[string]string{})
				dir := filepath.Join(t.TempDir(), "orders")
				args := []string{"new", dir, "--template", c.template, "--yes", "--no-install", "--no-hooks"}
				if !git {
					args = append(args, "--no-git")
				}
				for k, vs := range c.answers {
					args = append(args, "--set", k+"="+vs[0])
				}
				if code := Run(context.Background(), f, args); code != 0 {
					t.Fatalf("scaffold %s: exit %d\n%s", strings.Join(args, " "), code, out)
				}
				srv, err := serve.New(serve.Options{Config: &config.Config{}, Now: f.Now, Version: f.Version})
				if err != nil {
					t.Fatal(err)
				}
				ts := httptest.NewServer(srv.Handler())
				defer ts.Close()
				q := url.Values{"template": {c.template}, "name": {"orders"}}
				for k, vs := range c.answers {
					q[k] = vs
				}
				if git {
					q.Set("git", "true")
				}
				want := readDir(t, dir, false)
				for _, ext := range []string{".tgz", ".zip"} {
					res, err := http.Get(ts.URL + "/starter" + ext + "?" + q.Encode())
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						t.Fatalf("starter%s: %s\n%s", ext, res.Status, body)
					}
					if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename=orders`+ext {
						t.Errorf("starter%s: Content-Disposition %q", ext, cd)
					}
					var got map[string]member
					if ext == ".tgz" {
						got = readTgz(t, "orders", body)
					} else {
						got = readZip(t, "orders", body)
					}
					unpacked := map[string]member{}
					for k, m := range got {
						if k != ".git" && !strings.HasPrefix(k, ".git/") {
							unpacked[k] = m
						}
					}
					compareMembers(t, fmt.Sprintf("starter%s git=%v", ext, git), unpacked, want)
					if git && ext == ".tgz" {
						checkSameCommit(t, dir, got)
					}
				}
			}
		})
	}
}

// checkSameCommit unpacks the archive's members and compares its HEAD
// with the repository scaffold new made.
func checkSameCommit(t *testing.T, newDir string, members map[string]member) {
	t.Helper()
	dir := t.TempDir()
	for name, m := range members {
		p := filepath.Join(dir, filepath.FromSlash(name))
		switch {
		case m.mode.IsDir():
			os.MkdirAll(p, 0o755)
		case m.mode&fs.ModeSymlink != 0:
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.Symlink(m.data, p)
		default:
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(m.data), m.mode); err != nil {
				t.Fatal(err)
			}
		}
	}
	head := func(d string) string {
		repo, err := git.PlainOpen(d)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		ref, err := repo.Head()
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		return ref.Name().String() + " " + ref.Hash().String()
	}
	if got, want := head(dir), head(newDir); got != want {
		t.Errorf("the archive's first commit is %s, scaffold new's %s", got, want)
	}
	repo, _ := git.PlainOpen(dir)
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	st, err := wt.Status()
	if err != nil {
		t.Fatal(err)
	}
	if !st.IsClean() {
		t.Errorf("the archive's work tree differs from its first commit:\n%s", st)
	}
}

// scaffold serve listens, answers, and stops cleanly when its context
// ends, as SIGTERM ends it.
func TestServeCommandStartsAndStops(t *testing.T) {
	f, out := testFactory(map[string]string{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := make(chan string, 1)
	done := make(chan error, 1)
	cmd := newCmdServe(f, func(a string) { addr <- a })
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	cmd.SetArgs([]string{"--listen", "127.0.0.1:0"})
	go func() { done <- cmd.ExecuteContext(ctx) }()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("serve ended before it listened: %v\n%s", err, out)
	}
	res, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Errorf("/healthz: %s %s", res.Status, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve stopped with %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not stop within a minute of its context's end")
	}
	for _, want := range []string{"Serving " + base + "/", "path=/healthz status=200", "scaffold serve: stopped"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out.String(), "?") {
		t.Errorf("the log shows a query:\n%s", out)
	}
}

func TestServeFlags(t *testing.T) {
	f, out := testFactory(map[string]string{})
	if code := Run(context.Background(), f, []string{"serve", "--no-builtins"}); code != ExitUsage {
		t.Errorf("serve --no-builtins without aliases: exit %d, want %d\n%s", code, ExitUsage, out)
	}
	if !strings.Contains(out.String(), "--no-builtins leaves nothing to serve") {
		t.Errorf("output: %s", out)
	}
	out.Reset()
	if code := Run(context.Background(), f, []string{"serve", "--listen", "256.0.0.1:99999"}); code != ExitUsage {
		t.Errorf("serve with a bad --listen: exit %d, want %d\n%s", code, ExitUsage, out)
	}
	if !strings.Contains(out.String(), "--listen 256.0.0.1:99999") {
		t.Errorf("output: %s", out)
	}
}

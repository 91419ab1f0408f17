package source

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/pem"
	"errors"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// fixture is a template repository built with the git program and served
// over smart HTTP by git http-backend, from the test itself.
//
//	main: c1 (tag v1, annotated) -> c2 (tag v2, lightweight)
//	dev:  c2 -> c3
//
// The root holds a template named "root"; svc/ holds one named "svc" whose
// version is the commit's number; docs/ holds no manifest.
type fixture struct {
	work    string // the working repository the commits are made in
	root    string // GIT_PROJECT_ROOT
	bare    string // root/tpl.git
	env     []string
	c1, c2  string
	c3      string
	backend string
}

func requireGit(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("SKIPPING the git source tests: the git program is missing, and they need it to build the fixture repository and serve it with git http-backend")
	}
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	requireGit(t)
	home := t.TempDir()
	// The code under test reads nothing from the environment, but go-git's
	// ssh known_hosts lookup and the git program do: keep both hermetic.
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	fx := &fixture{
		work: filepath.Join(t.TempDir(), "work"),
		root: t.TempDir(),
		env: append(os.Environ(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
			"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com",
			"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z"),
	}
	fx.bare = filepath.Join(fx.root, "tpl.git")
	out := fx.git(t, "", "--exec-path")
	fx.backend = filepath.Join(strings.TrimSpace(out), "git-http-backend")
	if _, err := os.Stat(fx.backend); err != nil {
		t.Skipf("SKIPPING the git source tests: git http-backend is missing (%v)", err)
	}

	if err := os.MkdirAll(fx.work, 0o755); err != nil {
		t.Fatal(err)
	}
	fx.git(t, fx.work, "init", "-q", "-b", "main")
	fx.write(t, "scaffold.yaml", "name: root\nlanguage: go\n", 0o644)
	fx.write(t, "README.md", "the root template\n", 0o644)
	fx.write(t, "svc/scaffold.yaml", "name: svc\nlanguage: go\nversion: \"1\"\n", 0o644)
	fx.write(t, "svc/main.go.tmpl", "package main\n", 0o644)
	fx.write(t, "svc/run.sh", "#!/bin/sh\necho run\n", 0o755)
	fx.write(t, "docs/index.md", "no manifest here\n", 0o644)
	fx.c1 = fx.commit(t, "one")
	fx.git(t, fx.work, "tag", "-a", "v1", "-m", "version 1")

	fx.write(t, "svc/scaffold.yaml", "name: svc\nlanguage: go\nversion: \"2\"\n", 0o644)
	fx.c2 = fx.commit(t, "two")
	fx.git(t, fx.work, "tag", "v2")

	fx.git(t, fx.work, "checkout", "-q", "-b", "dev")
	fx.write(t, "svc/scaffold.yaml", "name: svc\nlanguage: go\nversion: \"3\"\n", 0o644)
	fx.c3 = fx.commit(t, "three")
	fx.git(t, fx.work, "checkout", "-q", "main")

	fx.git(t, "", "clone", "-q", "--bare", fx.work, fx.bare)
	return fx
}

func (fx *fixture) git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = fx.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (fx *fixture) write(t testing.TB, name, body string, mode os.FileMode) {
	t.Helper()
	p := filepath.Join(fx.work, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func (fx *fixture) commit(t testing.TB, msg string) string {
	t.Helper()
	fx.git(t, fx.work, "add", "-A")
	fx.git(t, fx.work, "commit", "-q", "-m", msg)
	return strings.TrimSpace(fx.git(t, fx.work, "rev-parse", "HEAD"))
}

// gitServer serves the fixture's bare repository under /git/.
type gitServer struct {
	*httptest.Server
	url   string // of tpl.git
	hits  atomic.Int64
	token string // when set, required as the basic auth password
	mu    sync.Mutex
	users []string
	// auths are the Authorization headers of every request.
	auths []string
	// slowChunk and slowPause, when set, make every response arrive in
	// chunks of slowChunk bytes with slowPause between them.
	slowChunk, slowPause atomic.Int64
	// stallAfter, when set, stops an upload-pack response after that
	// many bytes, until the client gives up.
	stallAfter atomic.Int64
	// silent makes every request hang, unanswered, until the client
	// gives up.
	silent atomic.Bool
	// blocking makes upload-pack requests hang until block closes.
	blocking atomic.Bool
	block    chan struct{}
}

func (fx *fixture) serve(t testing.TB, token string) *gitServer {
	t.Helper()
	backend := &cgi.Handler{
		Path:   fx.backend,
		Root:   "/git",
		Env:    []string{"GIT_PROJECT_ROOT=" + fx.root, "GIT_HTTP_EXPORT_ALL=1", "HOME=" + fx.root},
		Stderr: io.Discard,
		// A client that gives up on a slow or stalled answer is what
		// some tests want; the handler need not log it.
		Logger: log.New(io.Discard, "", 0),
	}
	s := &gitServer{token: token, block: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if s.silent.Load() {
			<-r.Context().Done()
			return
		}
		s.mu.Lock()
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		s.mu.Unlock()
		if s.token != "" {
			user, pass, ok := r.BasicAuth()
			s.mu.Lock()
			s.users = append(s.users, user)
			s.mu.Unlock()
			// The token may come as the password, or alone as the
			// user name, as GitHub takes it.
			if !ok || (pass != s.token && (pass != "" || user != s.token)) {
				w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
				http.Error(w, "authentication required", http.StatusUnauthorized)
				return
			}
		}
		if s.blocking.Load() && r.Method == http.MethodPost {
			w.Header().Set("Content-Type", "application/x-git-upload-pack-result")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			select {
			case <-s.block:
			case <-r.Context().Done():
			}
			return
		}
		if n := s.slowChunk.Load(); n > 0 || s.stallAfter.Load() > 0 {
			sw := &slowWriter{ResponseWriter: w, chunk: int(n), pause: time.Duration(s.slowPause.Load()), done: r.Context().Done()}
			if r.Method == http.MethodPost {
				sw.stallAfter = int(s.stallAfter.Load())
			}
			w = sw
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	s.url = s.URL + "/git/tpl.git"
	return s
}

// slowWriter writes a response in chunks with pauses, or stops it.
type slowWriter struct {
	http.ResponseWriter
	chunk      int
	pause      time.Duration
	stallAfter int
	written    int
	done       <-chan struct{}
}

func (w *slowWriter) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		if w.stallAfter > 0 && w.written >= w.stallAfter {
			w.ResponseWriter.(http.Flusher).Flush()
			<-w.done
			return n, errors.New("stalled")
		}
		c := len(b)
		if w.chunk > 0 && c > w.chunk {
			c = w.chunk
		}
		if w.stallAfter > 0 && c > w.stallAfter-w.written {
			c = w.stallAfter - w.written
		}
		m, err := w.ResponseWriter.Write(b[:c])
		n += m
		w.written += m
		if err != nil {
			return n, err
		}
		w.ResponseWriter.(http.Flusher).Flush()
		b = b[c:]
		if w.pause > 0 {
			select {
			case <-time.After(w.pause):
			case <-w.done:
				return n, errors.New("client gone")
			}
		}
	}
	return n, nil
}

// opener opens references with one cache and collects the progress.
type opener struct {
	t        testing.TB
	cache    string
	progress bytes.Buffer
	env      map[string]string
}

func newOpener(t testing.TB) *opener {
	return &opener{t: t, cache: filepath.Join(t.TempDir(), "cache", "scaffold", "templates"), env: map[string]string{}}
}

func (o *opener) options() Options {
	return Options{
		CacheDir: o.cache,
		Progress: &o.progress,
		Getenv:   func(k string) string { return o.env[k] },
		Timeout:  5 * time.Second,
		Now:      time.Now,
	}
}

func (o *opener) open(ref string) (*Opened, error) {
	return OpenWith(context.Background(), ref, o.options())
}

func (o *opener) mustOpen(ref string) *Opened {
	o.t.Helper()
	op, err := o.open(ref)
	if err != nil {
		o.t.Fatalf("OpenWith(%q): %v", ref, err)
	}
	return op
}

func checkOpened(t testing.TB, op *Opened, wantRef, wantCommit, wantName, wantVersion string) {
	t.Helper()
	if op.Kind != Git {
		t.Errorf("Kind = %q, want git", op.Kind)
	}
	if op.Ref != wantRef {
		t.Errorf("Ref = %q, want %q", op.Ref, wantRef)
	}
	if op.Commit != wantCommit {
		t.Errorf("Commit = %q, want %q", op.Commit, wantCommit)
	}
	if m := op.Template.Manifest; m.Name != wantName || m.Version != wantVersion {
		t.Errorf("template = %s version %q, want %s version %q", m.Name, m.Version, wantName, wantVersion)
	}
	if !strings.HasPrefix(op.Digest, "sha256:") || len(op.Digest) != len("sha256:")+64 {
		t.Errorf("Digest = %q, want sha256:<64 hex>", op.Digest)
	}
	if _, ok := op.Template.Files.Lookup(".git"); ok {
		t.Errorf("the template's files include .git")
	}
}

func TestGitHTTPCloneCacheAndRefs(t *testing.T) {
	fx := newFixture(t)
	srv := fx.serve(t, "")
	o := newOpener(t)
	u := srv.url

	cases := []struct {
		ref, commit, name, version string
	}{
		{u + "//svc@v1", fx.c1, "svc", "1"},                             // annotated tag
		{u + "//svc@v2", fx.c2, "svc", "2"},                             // lightweight tag
		{u + "//svc@dev", fx.c3, "svc", "3"},                            // branch
		{u + "//svc", fx.c2, "svc", "2"},                                // default branch
		{u, fx.c2, "root", ""},                                          // repository root
		{u + "@" + fx.c1[:7], fx.c1, "root", ""},                        // abbreviated commit
		{u + "//svc@" + fx.c3, fx.c3, "svc", "3"},                       // full commit
		{u + "//svc@" + strings.ToUpper(fx.c1[:10]), fx.c1, "svc", "1"}, // upper-case hex
	}
	for _, c := range cases {
		checkOpened(t, o.mustOpen(c.ref), c.ref, c.commit, c.name, c.version)
	}
	if !strings.Contains(o.progress.String(), "fetching "+u+"@v1") {
		t.Errorf("progress does not say what it fetches:\n%s", o.progress.String())
	}

	// The same references again with the server stopped: tags and commits
	// come from the cache without any network.
	srv.Close()
	for _, c := range cases {
		if strings.HasSuffix(c.ref, "@dev") || !strings.Contains(c.ref, "@") {
			continue
		}
		op := o.mustOpen(c.ref)
		checkOpened(t, op, c.ref, c.commit, c.name, c.version)
		if len(op.Notices) != 0 {
			t.Errorf("%s: notices %q for a cache hit", c.ref, op.Notices)
		}
	}

	// A branch falls back to the cached copy, and says so.
	o.progress.Reset()
	op := o.mustOpen(u + "//svc@dev")
	checkOpened(t, op, u+"//svc@dev", fx.c3, "svc", "3")
	want := "using the cached copy of " + u + "@dev from "
	if len(op.Notices) != 1 || !strings.HasPrefix(op.Notices[0], want) || !strings.Contains(op.Notices[0], "connection refused") {
		t.Errorf("Notices = %q, want one starting %q and saying why", op.Notices, want)
	}
	if !strings.Contains(o.progress.String(), want) {
		t.Errorf("progress lacks the notice:\n%s", o.progress.String())
	}
	// So does the default branch.
	if op := o.mustOpen(u + "//svc"); len(op.Notices) != 1 {
		t.Errorf("default branch with the server stopped: Notices = %q, want one", op.Notices)
	}

	// Refresh must reach the server, for a branch and a tag alike.
	for _, ref := range []string{u + "//svc@dev", u + "//svc@v1"} {
		opts := o.options()
		opts.Refresh = true
		_, err := OpenWith(context.Background(), ref, opts)
		if err == nil || !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("Refresh of %s with the server stopped: err = %v, want connection refused", ref, err)
		}
	}
}

func TestGitBranchMoves(t *testing.T) {
	fx := newFixture(t)
	srv := fx.serve(t, "")
	o := newOpener(t)
	ref := srv.url + "//svc@dev"
	checkOpened(t, o.mustOpen(ref), ref, fx.c3, "svc", "3")

	// Unchanged: one request to list the references, nothing cloned.
	before := srv.hits.Load()
	checkOpened(t, o.mustOpen(ref), ref, fx.c3, "svc", "3")
	if n := srv.hits.Load() - before; n != 1 {
		t.Errorf("an unchanged branch took %d requests, want 1 (the reference list)", n)
	}

	// A tag in the cache takes no request at all.
	o.mustOpen(srv.url + "//svc@v2")
	before = srv.hits.Load()
	o.mustOpen(srv.url + "//svc@v2")
	if n := srv.hits.Load() - before; n != 0 {
		t.Errorf("a cached tag took %d requests, want 0", n)
	}

	// The branch moves: the next open gets the new commit.
	fx.git(t, fx.work, "checkout", "-q", "dev")
	fx.write(t, "svc/scaffold.yaml", "name: svc\nlanguage: go\nversion: \"4\"\n", 0o644)
	c4 := fx.commit(t, "four")
	fx.git(t, fx.work, "push", "-q", fx.bare, "dev")
	checkOpened(t, o.mustOpen(ref), ref, c4, "svc", "4")

	// The replaced copy is gone: it was replaced under the entry's
	// exclusive lock, so no reader had it open.
	if left, _ := filepath.Glob(filepath.Join(o.cache, tmpPrefix+"*")); len(left) != 0 {
		t.Errorf("replacing an entry left %q", left)
	}
}

func TestGitErrors(t *testing.T) {
	fx := newFixture(t)
	srv := fx.serve(t, "")
	o := newOpener(t)
	u := srv.url

	tests := []struct {
		ref  string
		want string
	}{
		{u + "@v9", `no tag, branch or commit "v9" in ` + u + "; it has tags v1, v2 and branches dev, main"},
		{u + "//svc@v9", `no tag, branch or commit "v9" in ` + u},
		{u + "@deadbeef", `no tag, branch or commit "deadbeef" in ` + u + "; it has tags v1, v2 and branches dev, main"},
		{u + "//svc/run.sh/x@v1", `no folder "svc/run.sh/x" in ` + u + "@v1"},
		{u + "@" + strings.Repeat("0", 40), `no tag, branch or commit "` + strings.Repeat("0", 40) + `" in ` + u},
		{u + "//nope@v1", `no folder "nope" in ` + u + "@v1 at commit " + fx.c1[:12] + ": check the path after //"},
		{u + "//svc/run.sh@v1", `no folder "svc/run.sh" in ` + u + "@v1"},
		{u + "//docs@v1", u + "//docs@v1 has no scaffold.yaml at its root"},
		{srv.URL + "/git/missing.git", "no git repository at " + srv.URL + "/git/missing.git"},
	}
	for _, tt := range tests {
		_, err := o.open(tt.ref)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("OpenWith(%q) error = %v, want it to contain %q", tt.ref, err, tt.want)
		}
	}
	// Nothing half-made is left behind by the failures.
	if left, _ := filepath.Glob(filepath.Join(o.cache, tmpPrefix+"*")); len(left) != 0 {
		t.Errorf("failed fetches left %q", left)
	}
}

func TestGitUnreachable(t *testing.T) {
	o := newOpener(t)

	// A closed port on 127.0.0.1: refused at once.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/org/tpl.git"
	l.Close()
	start := time.Now()
	_, err = o.open(closed + "@v1")
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "cannot fetch "+closed+"@v1") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("closed port: err = %v, want cannot fetch ... connection refused", err)
	}
	// Bounds here are generous, for a busy machine: what they catch is a
	// wait for the whole timeout or for ever.
	if took > 10*time.Second {
		t.Errorf("closed port took %v, want it refused at once", took)
	}

	// A server that never answers: the timeout ends it.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	opts := o.options()
	opts.Timeout = 300 * time.Millisecond
	start = time.Now()
	ref := "http://" + silent.Addr().String() + "/org/tpl.git"
	_, err = OpenWith(context.Background(), ref, opts)
	took = time.Since(start)
	if err == nil || !strings.Contains(err.Error(), ref+" did not answer within 300ms") {
		t.Errorf("silent server: err = %v, want did not answer within 300ms", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("silent server: errors.Is(err, context.DeadlineExceeded) = false")
	}
	if took > 10*time.Second {
		t.Errorf("silent server took %v with a 300ms timeout", took)
	}

	// ssh to a closed port fails as quickly, once go-git has a
	// known_hosts file to check the host against.
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SSH_KNOWN_HOSTS", "")
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	line := knownhosts.Line([]string{knownhosts.Normalize(l.Addr().String())}, sshPub)
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".ssh", "known_hosts"), []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"ssh://git@" + l.Addr().String() + "/org/tpl.git", "git@" + l.Addr().String() + ":org/tpl.git"} {
		start = time.Now()
		_, err = o.open(ref)
		took = time.Since(start)
		if err == nil || !strings.Contains(err.Error(), "connection refused") || took > 10*time.Second {
			t.Errorf("ssh to a closed port: err = %v after %v, want connection refused at once", err, took)
		}
	}
}

func TestSSHKeys(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"HOME": home}
	k := &keyring{getenv: func(key string) string { return env[key] }}
	if _, err := k.signers(); err == nil || !strings.Contains(err.Error(), "no SSH key: load one into ssh-agent") {
		t.Errorf("no agent, no key files: err = %v", err)
	}
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".ssh", "id_ed25519"), pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	// A key with a passphrase is left to the agent.
	locked, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("pass"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".ssh", "id_rsa"), pem.EncodeToMemory(locked), 0o600); err != nil {
		t.Fatal(err)
	}
	signers, err := k.signers()
	if err != nil || len(signers) != 1 {
		t.Fatalf("signers = %d, %v; want the one unencrypted key", len(signers), err)
	}
	// An agent socket that is not there is skipped.
	env["SSH_AUTH_SOCK"] = filepath.Join(home, "no-agent.sock")
	if signers, err := k.signers(); err != nil || len(signers) != 1 {
		t.Errorf("with a dead agent socket: signers = %d, %v", len(signers), err)
	}
	k.Close()
}

func TestGitTokenNeverLeaks(t *testing.T) {
	const token = "tok-S3CRET-value-1234"
	fx := newFixture(t)
	srv := fx.serve(t, token)
	withToken := strings.Replace(srv.url, "http://", "http://x-access-token:"+token+"@", 1)
	tokenOnly := strings.Replace(srv.url, "http://", "http://"+token+"@", 1)
	var texts []string // everything the user or a log could see

	// No token: refused, with the remedy.
	o := newOpener(t)
	_, err := o.open(srv.url + "//svc@v1")
	if err == nil || !strings.Contains(err.Error(), "refused access") || !strings.Contains(err.Error(), TokenEnv) {
		t.Errorf("no token: err = %v, want refused access naming %s", err, TokenEnv)
	}

	// The token from the environment, to the host it is allowed for.
	o.env[TokenEnv] = token
	o.env[TokenHostsEnv] = "127.0.0.1"
	op := o.mustOpen(srv.url + "//svc@v1")
	checkOpened(t, op, srv.url+"//svc@v1", fx.c1, "svc", "1")
	srv.mu.Lock()
	if last := srv.users[len(srv.users)-1]; last != "x-access-token" {
		t.Errorf("basic auth user = %q, want x-access-token", last)
	}
	srv.mu.Unlock()
	texts = append(texts, op.Ref, o.progress.String())
	for _, ref := range []string{srv.url + "@v9", srv.url + "//nope@v1"} {
		if _, err := o.open(ref); err == nil {
			t.Errorf("OpenWith(%q) succeeded", ref)
		} else {
			texts = append(texts, err.Error())
		}
	}
	checkCacheClean(t, o.cache, token)

	// The token in the URL, as password or as user name.
	var o2 *opener
	for _, base := range []string{withToken, tokenOnly} {
		o2 = newOpener(t)
		before := srv.hits.Load()
		op := o2.mustOpen(base + "//svc@v2")
		if srv.hits.Load() == before {
			t.Fatalf("%s: no request reached the server", op.Ref)
		}
		checkOpened(t, op, srv.url+"//svc@v2", fx.c2, "svc", "2")
		texts = append(texts, op.Ref)
		for _, ref := range []string{base + "@v9", base + "//nope@v2", base + "@bad..ref"} {
			if _, err := o2.open(ref); err == nil {
				t.Errorf("OpenWith(%q) succeeded", ref)
			} else {
				texts = append(texts, err.Error())
			}
		}
	}
	// A branch, then the server stops: the notice names no token.
	o2.mustOpen(withToken + "//svc@dev")
	srv.Close()
	op = o2.mustOpen(withToken + "//svc@dev")
	texts = append(texts, op.Notices...)
	if _, err := o2.open(withToken + "//svc@main"); err == nil {
		t.Errorf("a new ref with the server stopped succeeded")
	} else {
		texts = append(texts, err.Error())
	}
	texts = append(texts, o2.progress.String())
	checkCacheClean(t, o2.cache, token)

	for _, s := range texts {
		if strings.Contains(s, token) {
			t.Errorf("the token appears in %q", s)
		}
	}
}

// checkCacheClean greps the cache, names and contents, for a secret.
func checkCacheClean(t testing.TB, dir, secret string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.Contains(p, secret) {
			t.Errorf("cache path %s holds the token", p)
		}
		if d.Type().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("cache file %s holds the token", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestGitFileURL(t *testing.T) {
	fx := newFixture(t)
	o := newOpener(t)
	// No program may run: go-git's own file transport would run
	// git-upload-pack.
	t.Setenv("PATH", "")
	bare := "file://" + filepath.ToSlash(fx.bare)
	checkOpened(t, o.mustOpen(bare+"//svc@v1"), bare+"//svc@v1", fx.c1, "svc", "1")
	checkOpened(t, o.mustOpen(bare+"//svc@"+fx.c3[:8]), bare+"//svc@"+fx.c3[:8], fx.c3, "svc", "3")
	checkOpened(t, o.mustOpen(bare), bare, fx.c2, "root", "")
	// A working copy, not bare.
	work := "file://" + filepath.ToSlash(fx.work)
	checkOpened(t, o.mustOpen(work+"//svc@dev"), work+"//svc@dev", fx.c3, "svc", "3")

	missing := "file://" + filepath.ToSlash(t.TempDir())
	if _, err := o.open(missing); err == nil || !strings.Contains(err.Error(), "no git repository at "+missing) {
		t.Errorf("OpenWith(%q) error = %v, want no git repository", missing, err)
	}
}

// TestGitKilledClone kills a scaffold process in the middle of a clone
// and checks that its leftover breaks nothing and is cleaned up later.
func TestGitKilledClone(t *testing.T) {
	if ref := os.Getenv("SOURCE_TEST_CLONE_REF"); ref != "" {
		// The child: clone until killed.
		_, err := OpenWith(context.Background(), ref, Options{CacheDir: os.Getenv("SOURCE_TEST_CLONE_CACHE"), Timeout: time.Minute})
		t.Fatalf("the clone ended (%v); it should hang until killed", err)
	}
	fx := newFixture(t)
	srv := fx.serve(t, "")
	srv.blocking.Store(true)
	defer close(srv.block)
	o := newOpener(t)
	ref := srv.url + "//svc@v1"

	cmd := exec.Command(os.Args[0], "-test.run=^TestGitKilledClone$")
	cmd.Env = append(os.Environ(), "SOURCE_TEST_CLONE_REF="+ref, "SOURCE_TEST_CLONE_CACHE="+o.cache)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var leftover []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		leftover, _ = filepath.Glob(filepath.Join(o.cache, tmpPrefix+"*", "git", "HEAD"))
		if len(leftover) > 0 {
			break
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if len(leftover) == 0 {
		t.Fatal("the child never started its clone")
	}
	tmp := filepath.Dir(filepath.Dir(leftover[0]))

	// The child's lock died with it, so the next fetch knows the
	// leftover is abandoned, however recent, and removes it.
	srv.blocking.Store(false)
	checkOpened(t, o.mustOpen(ref), ref, fx.c1, "svc", "1")
	if _, err := os.Stat(tmp); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the leftover of a killed clone was kept: %v", err)
	}
	entries, _ := os.ReadDir(o.cache)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 || !strings.HasSuffix(names[1], lockSuffix) || names[0]+lockSuffix != names[1] {
		t.Errorf("cache holds %q, want one entry and its lock file", names)
	}
}

func TestGitCacheLayout(t *testing.T) {
	fx := newFixture(t)
	srv := fx.serve(t, "")
	o := newOpener(t)
	// An entry of an older scaffold, a checkout in tree/, is fetched
	// again and replaced, never read.
	r, _ := ParseRef(srv.url + "//svc@v1")
	old := filepath.Join(o.cache, cacheKey(r))
	if err := os.MkdirAll(filepath.Join(old, "tree", "svc"), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(old, "tree", "svc", "scaffold.yaml"), []byte("name: stale\n"), 0o600)
	writeMeta(old, cacheMeta{URL: r.URL, Rev: r.Rev, Kind: targetTag, Commit: fx.c1})
	checkOpened(t, o.mustOpen(srv.url+"//svc@v1"), srv.url+"//svc@v1", fx.c1, "svc", "1")
	o.open(srv.url + "//docs@v1") // fails to load the template, but shares the clone
	entries, err := os.ReadDir(o.cache)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("cache entries = %d, want one per URL and ref, and its lock", len(entries))
	}
	name := entries[0].Name()
	if !strings.HasPrefix(name, "127.0.0.1-") || !strings.Contains(name, "git-tpl.git_v1-") {
		t.Errorf("entry %q has no readable slug", name)
	}
	for _, p := range []string{metaFile, "git/HEAD", "git/objects"} {
		if _, err := os.Stat(filepath.Join(o.cache, name, p)); err != nil {
			t.Errorf("entry lacks %s: %v", p, err)
		}
	}
	// The clone is bare: nothing is checked out.
	if _, err := os.Stat(filepath.Join(o.cache, name, "tree")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("entry holds a checkout: %v", err)
	}
	// The executable bit comes from the git mode.
	op := o.mustOpen(srv.url + "//svc@v1")
	if e, ok := op.Template.Files.Lookup("run.sh"); !ok || e.Mode != 0o755 {
		t.Errorf("run.sh: %+v, want mode 0755", e)
	}
	if e, ok := op.Template.Files.Lookup("scaffold.yaml"); !ok || e.Mode != 0o644 {
		t.Errorf("scaffold.yaml: %+v, want mode 0644", e)
	}
}

// BenchmarkOpenGit times a small template repository served over HTTP on
// 127.0.0.1 by git http-backend: a cold clone into an empty cache, a
// cached tag (no network), and a cached branch (one reference listing).
//
//	go test -run '^$' -bench OpenGit -benchtime 20x ./internal/source
func BenchmarkOpenGit(b *testing.B) {
	fx := newFixture(b)
	srv := fx.serve(b, "")
	b.Run("cold-tag", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			o := newOpener(b)
			b.StartTimer()
			o.mustOpen(srv.url + "//svc@v1")
		}
	})
	b.Run("cold-commit", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			o := newOpener(b)
			b.StartTimer()
			o.mustOpen(srv.url + "//svc@" + fx.c1[:8])
		}
	})
	for _, rev := range []string{"v1", "dev"} {
		b.Run("cached-"+rev, func(b *testing.B) {
			o := newOpener(b)
			o.mustOpen(srv.url + "//svc@" + rev)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				o.mustOpen(srv.url + "//svc@" + rev)
			}
		})
	}
	b.Run("builtin", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := Open("go/chi"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestHTTPAuth(t *testing.T) {
	const token = "env-token-1234"
	hosts := []string{"host", "127.0.0.1", "[::1]:8080", "LocalHost"}
	tests := []struct {
		ref, envToken  string
		hosts          []string
		fromProject    bool
		user, password string // "" user and password: no auth
		withheld       string
	}{
		{ref: "https://host/o/t.git", hosts: hosts},
		{ref: "https://host/o/t.git", envToken: token, hosts: hosts, user: "x-access-token", password: token},
		{ref: "https://HOST:8443/o/t.git", envToken: token, hosts: hosts, user: "x-access-token", password: token},
		{ref: "https://alice@host/o/t.git", envToken: token, hosts: hosts, user: "alice", password: token},
		{ref: "https://alice:pw-1234@host/o/t.git", envToken: token, hosts: hosts, user: "alice", password: "pw-1234"},
		{ref: "https://tok-as-user@host/o/t.git", hosts: hosts, user: "tok-as-user"},
		{ref: "http://example.com/o/t.git", envToken: token, hosts: []string{"example.com"}, withheld: withheldHTTP},
		{ref: "http://127.0.0.1:8080/o/t.git", envToken: token, hosts: hosts, user: "x-access-token", password: token},
		{ref: "http://[::1]:8080/o/t.git", envToken: token, hosts: hosts, user: "x-access-token", password: token},
		{ref: "http://localhost/o/t.git", envToken: token, hosts: hosts, user: "x-access-token", password: token},
		// Not an allowed host: no token, whatever the URL says.
		{ref: "https://host/o/t.git", envToken: token, withheld: withheldHost},
		{ref: "https://evil.example/o/t.git", envToken: token, hosts: hosts, withheld: withheldHost},
		{ref: "https://host.evil.example/o/t.git", envToken: token, hosts: hosts, withheld: withheldHost},
		{ref: "https://evil.example/host/t.git", envToken: token, hosts: hosts, withheld: withheldHost},
		{ref: "http://[::1]:9090/o/t.git", envToken: token, hosts: hosts, withheld: withheldHost},
		{ref: "https://alice@evil.example/o/t.git", envToken: token, hosts: hosts, user: "alice", withheld: withheldHost},
		// The URL's own credentials are the user's choice, unless the
		// ref comes from a project file.
		{ref: "https://alice:pw-1234@evil.example/o/t.git", user: "alice", password: "pw-1234"},
		{ref: "https://alice:pw-1234@evil.example/o/t.git", fromProject: true},
		{ref: "https://tok-as-user@host/o/t.git", fromProject: true},
		{ref: "https://tok-as-user@host/o/t.git", envToken: token, hosts: hosts, fromProject: true, user: "x-access-token", password: token},
	}
	for _, tt := range tests {
		r, err := ParseRef(tt.ref)
		if err != nil {
			t.Fatal(err)
		}
		rm, err := newRemote(r, func(k string) string {
			if k == TokenEnv {
				return tt.envToken
			}
			return ""
		}, time.Second, nil, authPolicy{tokenHosts: tt.hosts, fromProject: tt.fromProject})
		if err != nil {
			t.Fatal(err)
		}
		var user, password string
		if rm.auth != nil {
			basic := rm.auth.(*githttp.BasicAuth)
			user, password = basic.Username, basic.Password
		}
		if user != tt.user || password != tt.password || rm.withheld != tt.withheld {
			t.Errorf("%s (hosts %q, project %v): auth %q:%q withheld %q, want %q:%q %q", tt.ref, tt.hosts, tt.fromProject, user, password, rm.withheld, tt.user, tt.password, tt.withheld)
		}
		if strings.Contains(rm.url, "@") {
			t.Errorf("%s: go-git is given %q, with userinfo", tt.ref, rm.url)
		}
	}
}

func TestTokenHostsFromEnv(t *testing.T) {
	env := map[string]string{TokenHostsEnv: "a.example, b.example:8443\tc.example"}
	p := policyOf(Options{TokenHosts: []string{"cfg.example"}}, func(k string) string { return env[k] })
	for host, want := range map[string]bool{"a.example": true, "a.example:1": true, "b.example:8443": true, "b.example": false, "c.example": true, "cfg.example": true, "d.example": false, "": false} {
		if got := hostAllowed(host, p.tokenHosts); got != want {
			t.Errorf("hostAllowed(%q) = %v, want %v", host, got, want)
		}
	}
}

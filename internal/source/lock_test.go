package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLockEntry(t *testing.T) {
	if !locksWork {
		t.Skip("no file locks on this platform")
	}
	entry := filepath.Join(t.TempDir(), "entry")
	ctx := context.Background()
	ex, err := lockEntry(ctx, entry, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Shared and exclusive both wait for an exclusive holder, and are
	// told so, until their context ends.
	for _, exclusive := range []bool{false, true} {
		waited := 0
		ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		start := time.Now()
		_, err := lockEntry(ctx, entry, exclusive, func() { waited++ })
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || waited != 1 || time.Since(start) > time.Second {
			t.Errorf("exclusive=%v against a held lock: err = %v, told %d times, after %v", exclusive, err, waited, time.Since(start))
		}
	}
	if _, ok := tryLockEntry(entry); ok {
		t.Errorf("tryLockEntry took a held lock")
	}
	// Released, it is granted to a waiter.
	got := make(chan error, 1)
	go func() {
		l, err := lockEntry(ctx, entry, false, nil)
		l.unlock()
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	ex.unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Errorf("waiter: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter never got the released lock")
	}
	// Shared locks share; an exclusive one waits for them.
	a, _ := lockEntry(ctx, entry, false, nil)
	b, err := lockEntry(ctx, entry, false, nil)
	if err != nil {
		t.Fatalf("a second shared lock: %v", err)
	}
	if _, ok := tryLockEntry(entry); ok {
		t.Errorf("tryLockEntry took a lock held shared")
	}
	a.unlock()
	b.unlock()
	if l, ok := tryLockEntry(entry); !ok {
		t.Errorf("tryLockEntry failed on a free lock")
	} else {
		l.unlock()
	}
}

// openAtOnce opens ref from n goroutines with one cache at the same time.
func openAtOnce(t *testing.T, cache, ref string, n int) []*Opened {
	t.Helper()
	var wg sync.WaitGroup
	out := make([]*Opened, n)
	errs := make([]error, n)
	progress := make([]strings.Builder, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i], errs[i] = OpenWith(context.Background(), ref, Options{CacheDir: cache, Timeout: 20 * time.Second, Progress: &progress[i], Now: time.Now})
		}()
	}
	close(start)
	wg.Wait()
	fetches := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("open %d of %s: %v", i, ref, errs[i])
		}
		fetches += strings.Count(progress[i].String(), "fetching ")
	}
	if fetches > 1 {
		t.Errorf("%d of the %d opens of %s fetched, want one: the others wait for it", fetches, n, ref)
	}
	return out
}

func sameResult(t *testing.T, ops []*Opened, commit string) {
	t.Helper()
	digest := ""
	for i, op := range ops {
		if op == nil {
			continue
		}
		if digest == "" {
			digest = op.Digest
		}
		if op.Commit != commit || op.Digest != digest {
			t.Errorf("open %d: commit %s digest %s, want %s and %s", i, op.Commit, op.Digest, commit, digest)
		}
	}
}

// TestGitConcurrentOpens: eight opens of one uncached ref at once, over
// http and file://, all succeed with the same commit and digest, and
// only one of them fetches; so do eight opens of a branch that moved,
// which all replace the same entry.
func TestGitConcurrentOpens(t *testing.T) {
	fx := newFixture(t)
	srv := fx.serve(t, "")
	bare := "file://" + filepath.ToSlash(fx.bare)
	for _, tt := range []struct{ ref, commit string }{
		{srv.url + "//svc@v1", fx.c1},
		{srv.url + "//svc@" + fx.c3[:10], fx.c3},
		{bare + "//svc@v2", fx.c2},
		{srv.url + "//svc@dev", fx.c3},
	} {
		cache := filepath.Join(t.TempDir(), "cache")
		sameResult(t, openAtOnce(t, cache, tt.ref, 8), tt.commit)
		if left, _ := filepath.Glob(filepath.Join(cache, tmpPrefix+"*")); len(left) != 0 {
			t.Errorf("%s: left %q", tt.ref, left)
		}
	}

	// The branch moves under a cache that has it.
	cache := filepath.Join(t.TempDir(), "cache")
	ref := srv.url + "//svc@dev"
	sameResult(t, openAtOnce(t, cache, ref, 1), fx.c3)
	fx.git(t, fx.work, "checkout", "-q", "dev")
	fx.write(t, "svc/scaffold.yaml", "name: svc\nlanguage: go\nversion: \"4\"\n", 0o644)
	c4 := fx.commit(t, "four")
	fx.git(t, fx.work, "push", "-q", fx.bare, "dev")
	sameResult(t, openAtOnce(t, cache, ref, 8), c4)
}

// TestGitConcurrentProcesses runs eight processes (this test binary)
// opening the same uncached tag with one cache at once, as eight
// scaffold new runs in CI would: the locks hold across processes.
func TestGitConcurrentProcesses(t *testing.T) {
	if ref := os.Getenv("SOURCE_TEST_OPEN_REF"); ref != "" {
		op, err := OpenWith(context.Background(), ref, Options{CacheDir: os.Getenv("SOURCE_TEST_OPEN_CACHE"), Timeout: 30 * time.Second})
		if err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
		json.NewEncoder(os.Stdout).Encode(map[string]string{"commit": op.Commit, "digest": op.Digest})
		os.Exit(0)
	}
	fx := newFixture(t)
	srv := fx.serve(t, "")
	cache := filepath.Join(t.TempDir(), "cache")
	ref := srv.url + "//svc@v2"
	cmds := make([]*exec.Cmd, 8)
	outs := make([]strings.Builder, 8)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestGitConcurrentProcesses$")
		cmds[i].Env = append(os.Environ(), "SOURCE_TEST_OPEN_REF="+ref, "SOURCE_TEST_OPEN_CACHE="+cache)
		cmds[i].Stdout = &outs[i]
		cmds[i].Stderr = &outs[i]
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	var first map[string]string
	for i, c := range cmds {
		err := c.Wait()
		var got map[string]string
		if jerr := json.Unmarshal([]byte(strings.TrimSpace(outs[i].String())), &got); err != nil || jerr != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i].String())
			continue
		}
		if got["commit"] != fx.c2 {
			t.Errorf("process %d: commit %s, want %s", i, got["commit"], fx.c2)
		}
		if first == nil {
			first = got
		} else if got["digest"] != first["digest"] {
			t.Errorf("process %d: digest %s, want %s", i, got["digest"], first["digest"])
		}
	}
}

// TestGitBranchOpensDoNotQueue: runs on a cached branch ask the remote
// holding no lock, so when it does not answer they all fall back to the
// cached copy after one Timeout, not one after another.
func TestGitBranchOpensDoNotQueue(t *testing.T) {
	fx := newFixture(t)
	srv := fx.serve(t, "")
	cache := filepath.Join(t.TempDir(), "cache")
	ref := srv.url + "//svc@dev"
	if _, err := OpenWith(context.Background(), ref, Options{CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	srv.silent.Store(true)
	// Queued, the 8 would take 8 Timeouts; together, about one. The
	// bound between is wide, for a busy machine.
	const idle = 2 * time.Second
	var wg sync.WaitGroup
	start := time.Now()
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			op, err := OpenWith(context.Background(), ref, Options{CacheDir: cache, Timeout: idle})
			if err != nil || op.Commit != fx.c3 || len(op.Notices) != 1 || !strings.Contains(op.Notices[0], "did not answer within 2s") {
				t.Errorf("open %d with the remote silent: %v, %+v", i, err, op)
			}
		}()
	}
	wg.Wait()
	if took := time.Since(start); took > 4*idle {
		t.Errorf("8 opens took %v with a %v Timeout: they waited for each other", took, idle)
	}
}

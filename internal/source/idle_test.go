package source

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// TestGitSlowButSteady: a remote that sends in small chunks, with pauses
// well under Timeout, is waited for however long the whole clone takes;
// MaxTime still bounds it.
func TestGitSlowButSteady(t *testing.T) {
	fx := newFixture(t)
	srv := fx.serve(t, "")
	// Each pause is far below the idle timeout, so a busy machine that
	// stalls the test for a while still passes; the whole transfer takes
	// well over it.
	srv.slowChunk.Store(96)
	srv.slowPause.Store(int64(60 * time.Millisecond))
	const idle = 1500 * time.Millisecond

	for _, ref := range []string{srv.url + "//svc@v1", srv.url + "//svc@" + fx.c3[:8]} {
		o := newOpener(t)
		opts := o.options()
		opts.Timeout = idle
		start := time.Now()
		op, err := OpenWith(context.Background(), ref, opts)
		took := time.Since(start)
		if err != nil {
			t.Fatalf("%s, slow but steady: %v", ref, err)
		}
		if took < idle {
			t.Errorf("%s took %v: the server is not slow enough to show that Timeout is not a total", ref, took)
		}
		if op.Commit != fx.c1 && op.Commit != fx.c3 {
			t.Errorf("%s: commit %s", ref, op.Commit)
		}
	}

	// The same, with a total shorter than the transfer.
	o := newOpener(t)
	opts := o.options()
	opts.Timeout = idle
	opts.MaxTime = 400 * time.Millisecond
	_, err := OpenWith(context.Background(), srv.url+"//svc@v2", opts)
	if err == nil || !strings.Contains(err.Error(), "took longer than 400ms in all") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("over MaxTime: err = %v", err)
	}
}

// TestGitStall: a remote that stops sending in the middle of the pack,
// or of the reference list, is given up on after Timeout of silence,
// and the error says it stopped rather than did not answer.
func TestGitStall(t *testing.T) {
	fx := newFixture(t)
	srv := fx.serve(t, "")
	srv.stallAfter.Store(200) // a few pkt-lines into the upload-pack answer
	o := newOpener(t)
	opts := o.options()
	opts.Timeout = time.Second
	start := time.Now()
	_, err := OpenWith(context.Background(), srv.url+"//svc@v1", opts)
	took := time.Since(start)
	want := srv.url + "@v1 stopped sending: nothing for 1s, after "
	if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stalled pack: err = %v, want %q", err, want)
	}
	if took > 20*time.Second {
		t.Errorf("stalled pack: gave up after %v, with a 1s Timeout", took)
	}
	// The stall after the slow start of the steady case still counts
	// from the last byte.
	srv.stallAfter.Store(0)
	srv.slowChunk.Store(1 << 20)
	srv.slowPause.Store(int64(4 * time.Second))
	_, err = OpenWith(context.Background(), srv.url+"//svc@v2", opts)
	if err == nil || !strings.Contains(err.Error(), "stopped sending: nothing for 1s") {
		t.Errorf("a pause longer than Timeout: err = %v", err)
	}
}

// TestGitLockWaitIsNotIdle: waiting for another scaffold's fetch of the
// same entry is bounded by MaxTime, not by Timeout.
func TestGitLockWaitIsNotIdle(t *testing.T) {
	if !locksWork {
		t.Skip("no file locks on this platform")
	}
	fx := newFixture(t)
	srv := fx.serve(t, "")
	o := newOpener(t)
	ref := srv.url + "//svc@v1"
	r, _ := ParseRef(ref)
	opts := o.options()
	// The wait for the lock is longer than Timeout, which the remote
	// has in full to answer once the lock is free.
	opts.Timeout = time.Second
	if err := mkdirAll(o.cache); err != nil {
		t.Fatal(err)
	}
	l, err := lockEntry(context.Background(), o.cache+"/"+cacheKey(r), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(2500*time.Millisecond, l.unlock)
	if _, err := OpenWith(context.Background(), ref, opts); err != nil {
		t.Errorf("after waiting for the lock: %v", err)
	}
	if !strings.Contains(o.progress.String(), "waiting for another scaffold to finish with "+srv.url+"@v1") {
		t.Errorf("progress does not say why it waits:\n%s", o.progress.String())
	}
	// MaxTime ends the wait.
	l, _ = lockEntry(context.Background(), o.cache+"/"+cacheKey(r), true, nil)
	defer l.unlock()
	opts.MaxTime = 200 * time.Millisecond
	opts.Refresh = true
	if _, err := OpenWith(context.Background(), ref, opts); err == nil || !strings.Contains(err.Error(), "another scaffold held the template cache's lock") {
		t.Errorf("lock held past MaxTime: err = %v", err)
	}
}

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o700) }

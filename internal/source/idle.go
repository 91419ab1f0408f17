package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// A fetch is bounded two ways: by inactivity, Options.Timeout (default
// 15 s) without a byte from the remote, and by a total, Options.MaxTime
// (default 10 minutes). A slow but steady clone goes on; a remote that
// stalls is given up on after Timeout, however far the clone has got.
//
// Activity is any byte of an http(s) response body (through the
// transport go-git is given, see useActivityTransport), any byte of the
// pack as it arrives (packCheck, every transport) and any progress
// message of the remote (every transport).

// watchdog cancels a context when touch was not called for idle.
type watchdog struct {
	idle   time.Duration
	start  time.Time
	last   atomic.Int64 // unix nanoseconds of the last activity
	bytes  atomic.Int64
	cancel context.CancelCauseFunc
	stop   chan struct{}
	once   sync.Once
}

// idleError is the cause of a context that a watchdog cancelled; it is a
// context.DeadlineExceeded, as a timeout is.
type idleError struct {
	idle  time.Duration
	bytes int64
	after time.Duration
}

func (e *idleError) Error() string {
	return fmt.Sprintf("nothing received for %s", e.idle)
}
func (e *idleError) Unwrap() error { return context.DeadlineExceeded }

type watchdogKey struct{}

// watch gives a context that ends after idle without activity, and
// stop, which must be called when the work is done.
func watch(ctx context.Context, idle time.Duration) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	w := &watchdog{idle: idle, start: time.Now(), cancel: cancel, stop: make(chan struct{})}
	w.last.Store(w.start.UnixNano())
	ctx = context.WithValue(ctx, watchdogKey{}, w)
	tick := max(idle/8, 5*time.Millisecond)
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-ctx.Done():
				return
			case now := <-t.C:
				if last := time.Unix(0, w.last.Load()); now.Sub(last) > idle {
					cancel(&idleError{idle: idle, bytes: w.bytes.Load(), after: last.Sub(w.start)})
					return
				}
			}
		}
	}()
	return ctx, func() {
		w.once.Do(func() { close(w.stop) })
		cancel(context.Canceled)
	}
}

// touchOf gives the activity function of ctx's watchdog; a no-op when
// there is none.
func touchOf(ctx context.Context) func(n int) {
	w, _ := ctx.Value(watchdogKey{}).(*watchdog)
	if w == nil {
		return func(int) {}
	}
	return func(n int) {
		if n > 0 {
			w.bytes.Add(int64(n))
			w.last.Store(time.Now().UnixNano())
		}
	}
}

// idleCause reports the watchdog's cause when it ended ctx.
func idleCause(ctx context.Context) (*idleError, bool) {
	var e *idleError
	ok := errors.As(context.Cause(ctx), &e)
	return e, ok
}

// activityWriter counts the remote's progress messages as activity.
type activityWriter struct {
	w     io.Writer
	touch func(int)
}

func (a activityWriter) Write(b []byte) (int, error) {
	a.touch(len(b))
	if a.w == nil {
		return len(b), nil
	}
	// a.w is OpenWith's display.Writer: the remote's escape sequences
	// never reach the terminal.
	if _, err := a.w.Write(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// activityTransport counts every byte of a response body as activity of
// the watchdog of the request's context.
type activityTransport struct{ base http.RoundTripper }

func (t activityTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	touch := touchOf(req.Context())
	resp, err := t.base.RoundTrip(req)
	if resp != nil && resp.Body != nil {
		touch(1) // the headers
		resp.Body = &activityBody{ReadCloser: resp.Body, touch: touch}
	}
	return resp, err
}

type activityBody struct {
	io.ReadCloser
	touch func(int)
}

func (b *activityBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.touch(n)
	return n, err
}

var activityHTTP sync.Once

// useActivityTransport gives go-git, for http and https, a client whose
// transport reports activity (go-git keeps its transports in a global
// table; this changes those two schemes, once, to the same client with
// net/http's default transport underneath).
func useActivityTransport() {
	activityHTTP.Do(func() {
		c := githttp.NewClient(&http.Client{Transport: activityTransport{base: http.DefaultTransport}})
		client.InstallProtocol("http", c)
		client.InstallProtocol("https", c)
	})
}

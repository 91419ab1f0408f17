package source

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// An ssh server that accepts the connection and never sends its banner
// holds go-git's handshake, which has no deadline: the fetch must still
// end when its context does (Ctrl-C), and after the idle timeout.
func TestSSHHandshakeStallEndsWithContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // silent until the test ends
		}
	}()
	home := t.TempDir()
	kh := filepath.Join(home, "known_hosts")
	// Any entry: go-git wants a known_hosts file before it dials.
	if err := os.WriteFile(kh, []byte("[127.0.0.1]:1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSH_KNOWN_HOSTS", kh)
	key := filepath.Join(home, ".ssh")
	if err := os.MkdirAll(key, 0o700); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": home}
	ref := "ssh://git@" + ln.Addr().String() + "/tpl.git@v1"

	for _, tc := range []struct {
		name    string
		cancel  time.Duration // 0: never cancelled
		timeout time.Duration
		want    error
	}{
		{"interrupted", 200 * time.Millisecond, time.Minute, context.Canceled},
		{"idle", 0, 300 * time.Millisecond, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel > 0 {
				time.AfterFunc(tc.cancel, cancel)
			}
			done := make(chan error, 1)
			start := time.Now()
			go func() {
				_, err := OpenWith(ctx, ref, Options{
					CacheDir: t.TempDir(), Timeout: tc.timeout,
					Getenv: func(k string) string { return env[k] },
				})
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, tc.want) {
					t.Errorf("after %v: %v, want %v", time.Since(start).Round(time.Millisecond), err, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the fetch from a silent ssh server did not end")
			}
		})
	}
}

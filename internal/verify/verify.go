// Package verify proves that a generated project works: it runs a plan
// of steps (install the dependencies, lint, test, build) and, for a
// project with a server, starts it on a free port, expects GET /healthz
// to answer 200 with {"status":"ok"}, and stops it with SIGTERM,
// expecting a clean exit. The plan comes from the project's template, or
// from its language's default (package stack).
package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/scaffold-cli/scaffold/internal/proc"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// Step is one command of a check.
type Step struct {
	Name string
	Args []string
	// Empty means the step must print nothing (gofmt -l).
	Empty bool
}

// Plan is the whole check for one project.
type Plan struct {
	Language string
	Steps    []Step
	// Serve starts the built server; empty for a project with none.
	Serve []string
	// WebSocket is the path of the server's WebSocket endpoint, which
	// the serve step talks to (see checkSocket); empty when it has none.
	WebSocket string
	// Try runs the built command-line tool; nil for a project that is
	// not one.
	Try *Try
	// Env is the environment of every command.
	Env []string
}

// Timeouts of the serve step.
const (
	StartTimeout = 60 * time.Second
	StopTimeout  = 5 * time.Second
)

// Environ is the environment every command of a plan runs in: the
// caller's, told that it runs in CI and without colour, without
// scaffold's own git token. The steps come from the project's template
// and run the project's code, and the token goes only to the hosts the
// user allowed (see source.TokenEnv); the project's tools need their
// own credentials (npm's, cargo's), which stay.
func Environ(env []string) []string {
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != source.TokenEnv {
			out = append(out, kv)
		}
	}
	return append(out, "CI=true", "NO_COLOR=1")
}

// Result is the outcome of one step.
type Result struct {
	Step    string `json:"step"`
	Command string `json:"command"`
	// Checks says what the step checks beyond the command's exit:
	// "GET /healthz, WebSocket /v1/ws, SIGTERM".
	Checks   string        `json:"checks,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	Err      string        `json:"error,omitempty"`
	// Output is the tail of what a failed step printed.
	Output string `json:"output,omitempty"`
}

// StepError is a failed step, with what it printed.
type StepError struct {
	Result Result
	// Cause is the context's error when the step failed because verify
	// was interrupted, so that errors.Is(err, context.Canceled) holds.
	Cause error
}

func (e *StepError) Unwrap() error { return e.Cause }

func (e *StepError) Error() string {
	msg := fmt.Sprintf("step %s (%s) failed: %s", e.Result.Step, e.Result.Command, e.Result.Err)
	if e.Result.Output != "" {
		msg += "\n" + e.Result.Output
	}
	return msg
}

// Progress hears about each step as it starts and ends.
type Progress interface {
	Start(i, n int, step, command string)
	Done(r Result)
}

// Run executes the plan in dir. It stops at the first failure and
// returns the results so far with a *StepError.
func Run(ctx context.Context, dir string, p *Plan, progress Progress) ([]Result, error) {
	n := len(p.Steps)
	if len(p.Serve) > 0 || p.Try != nil {
		n++
	}
	var results []Result
	for i, s := range p.Steps {
		cmd := strings.Join(s.Args, " ")
		progress.Start(i+1, n, s.Name, cmd)
		r := runStep(ctx, dir, s, p.Env)
		progress.Done(r)
		results = append(results, r)
		if r.Err != "" {
			return results, &StepError{Result: r, Cause: ctx.Err()}
		}
	}
	if p.Try != nil {
		cmd := strings.Join(p.Try.Args, " ")
		checks := "--help, --version, a bad flag, " + samples(len(p.Try.Samples))
		progress.Start(n, n, template.TryStep, cmd+" ("+checks+")")
		start := time.Now()
		r := Result{Step: template.TryStep, Command: cmd, Checks: checks}
		if err := try(ctx, dir, p.Try, p.Env); err != nil {
			r.Err = err.Error()
		}
		r.Duration = time.Since(start)
		progress.Done(r)
		results = append(results, r)
		if r.Err != "" {
			return results, &StepError{Result: r, Cause: ctx.Err()}
		}
	}
	if len(p.Serve) == 0 {
		return results, nil
	}
	cmd := strings.Join(p.Serve, " ")
	checks := "GET /healthz, SIGTERM"
	if p.WebSocket != "" {
		checks = "GET /healthz, WebSocket " + p.WebSocket + ", SIGTERM"
	}
	progress.Start(n, n, "serve", cmd+" ("+checks+")")
	start := time.Now()
	r := Result{Step: "serve", Command: cmd, Checks: checks}
	if out, dropped, err := serve(ctx, dir, p.Serve, p.Env, p.WebSocket); err != nil {
		r.Err, r.Output = err.Error(), tail(out, dropped)
	}
	r.Duration = time.Since(start)
	progress.Done(r)
	results = append(results, r)
	if r.Err != "" {
		return results, &StepError{Result: r, Cause: ctx.Err()}
	}
	return results, nil
}

func runStep(ctx context.Context, dir string, s Step, env []string) Result {
	start := time.Now()
	cmd := proc.Command(ctx, s.Args[0], s.Args[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	out := &proc.Tail{}
	err := cmd.Run(out)
	r := Result{Step: s.Name, Command: strings.Join(s.Args, " "), Duration: time.Since(start)}
	b, dropped := out.Bytes()
	switch {
	case err != nil:
		r.Err, r.Output = err.Error(), tail(b, dropped)
	case s.Empty && (len(bytes.TrimSpace(b)) > 0 || dropped > 0):
		r.Err, r.Output = "it printed files that need changes", tail(b, dropped)
	}
	return r
}

// serve starts the server on a free port, checks /healthz and stops it
// with SIGTERM, expecting exit code 0 within StopTimeout. With a
// WebSocket endpoint (wsPath), two clients exchange a message through it
// before the stop, and each must get a close frame (1001) before the
// server exits. The server runs in a process group of its own: whatever
// it started is killed with it, and a child holding its output does not
// keep serve waiting.
func serve(ctx context.Context, dir string, args, env []string, wsPath string) ([]byte, int64, error) {
	port, err := FreePort()
	if err != nil {
		return nil, 0, err
	}
	out := &proc.Tail{}
	cmd := proc.Command(ctx, args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(slices.Clone(env), fmt.Sprintf("PORT=%d", port))
	if err := cmd.Start(out); err != nil {
		return nil, 0, err
	}
	// exited is closed when the server and its group are gone; waitErr
	// is then how the server ended.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	fail := func(err error) ([]byte, int64, error) {
		cmd.Kill()
		<-exited
		b, dropped := out.Bytes()
		return b, dropped, err
	}

	url := fmt.Sprintf("http://127.0.0.1:%d/healthz", port)
	if err := waitHealthy(ctx, url, exited, &waitErr); err != nil {
		return fail(err)
	}
	var socks *sockets
	if wsPath != "" {
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if socks, err = openSockets(sctx, port, wsPath); err != nil {
			return fail(err)
		}
		defer socks.abort()
	}
	// The server alone gets SIGTERM: shutting down cleanly is its job.
	if err := cmd.Signal(syscall.SIGTERM); err != nil {
		return fail(err)
	}
	timer := time.NewTimer(StopTimeout)
	defer timer.Stop()
	select {
	case <-exited:
		b, dropped := out.Bytes()
		if waitErr != nil {
			return b, dropped, fmt.Errorf("after SIGTERM the server exited with %v, want exit code 0", waitErr)
		}
		if socks != nil {
			// The server is gone, and its connections with it: each
			// client has ended by now, or does within moments.
			wctx, cancel := context.WithTimeout(ctx, SocketTimeout)
			defer cancel()
			if err := socks.wait(wctx); err != nil {
				return b, dropped, err
			}
		}
		return b, dropped, nil
	case <-ctx.Done():
		return fail(ctx.Err())
	case <-timer.C:
		return fail(fmt.Errorf("the server did not exit within %v of SIGTERM", StopTimeout))
	}
}

// waitHealthy polls url until the server answers, exits (exited is
// closed, *waitErr says how) or ctx ends.
func waitHealthy(ctx context.Context, url string, exited <-chan struct{}, waitErr *error) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(StartTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("the server exited before answering: %v", *waitErr)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := client.Get(url)
		if err != nil {
			last = err
			time.Sleep(100 * time.Millisecond)
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET /healthz answered %d, want 200: %s", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			return fmt.Errorf("GET /healthz answered Content-Type %q, want application/json", ct)
		}
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil || len(got) != 1 || got["status"] != "ok" {
			return fmt.Errorf(`GET /healthz answered %s, want {"status":"ok"}`, body)
		}
		return nil
	}
	return fmt.Errorf("GET %s did not answer within %v: %v", url, StartTimeout, last)
}

// FreePort is a TCP port of 127.0.0.1 free when asked.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail keeps the last lines of a command's output, where errors are;
// dropped is how much output before out was not kept.
func tail(out []byte, dropped int64) string {
	const max = 40
	s := strings.TrimRight(string(out), "\n")
	if dropped > 0 {
		// The first line kept was cut in two.
		if _, rest, ok := strings.Cut(s, "\n"); ok {
			s = rest
		}
	}
	lines := strings.Split(s, "\n")
	before := ""
	if len(lines) > max {
		before = fmt.Sprintf("... (%d lines before)", len(lines)-max)
		lines = lines[len(lines)-max:]
	}
	if dropped > 0 {
		before = "... (more lines before)"
	}
	if before != "" {
		lines = append([]string{before}, lines...)
	}
	return strings.Join(lines, "\n")
}

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
	// Timeout, when not 0, bounds the step.
	Timeout time.Duration
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
	// OpenAPI is the path of the server's OpenAPI document, which the
	// serve step fetches (see checkOpenAPI); empty when it has none.
	OpenAPI string
	// Items is the path of the sample resource of the project's
	// database, empty when it has none. With DATABASE_URL in Env, a
	// migrate step (the serve command with the argument migrate) runs
	// before serve, and the serve step creates and reads an item there
	// (see checkItems); without, both are reported skipped, and the
	// server is served with a database no server answers at, where
	// /readyz must answer 503.
	Items string
	// Try runs the built command-line tool; nil for a project that is
	// not one.
	Try *Try
	// Env is the environment of every command.
	Env []string
}

// ServeEnv is env, the environment to serve the project in, with a
// DATABASE_URL no server answers at when the project has a database
// and env names none: the server needs one to start, and must start
// without the database being there.
func (p *Plan) ServeEnv(env []string) []string {
	if p.Items == "" || hasDatabase(env) {
		return env
	}
	return append(slices.Clone(env), DatabaseEnv+"="+unreachableDatabase)
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
	// Skipped says why the step did not run; empty when it ran.
	Skipped string `json:"skipped,omitempty"`
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
	steps := p.Steps
	env := p.Env
	var skipped *Result
	if p.Items != "" && len(p.Serve) > 0 {
		// A server that knows no migrate command serves instead, and
		// would keep verify waiting: the step has a deadline.
		migrate := Step{Name: MigrateStep, Args: append(slices.Clone(p.Serve), "migrate"), Timeout: migrateTimeout}
		if hasDatabase(env) {
			steps = append(slices.Clone(steps), migrate)
		} else {
			skipped = &Result{Step: MigrateStep, Command: strings.Join(migrate.Args, " "),
				Skipped: fmt.Sprintf("%s is not set, so the migrations and the items at %s were not checked: set it to a PostgreSQL database verify may write to", DatabaseEnv, p.Items)}
		}
	}
	// What the project printed or answered may hold the database's
	// password.
	redact := redactorOf(p.Env)
	n := len(steps)
	if skipped != nil {
		n++
	}
	if len(p.Serve) > 0 || p.Try != nil {
		n++
	}
	var results []Result
	for i, s := range steps {
		cmd := strings.Join(s.Args, " ")
		progress.Start(i+1, n, s.Name, cmd)
		r := redact.Result(runStep(ctx, dir, s, env))
		progress.Done(r)
		results = append(results, r)
		if r.Err != "" {
			return results, &StepError{Result: r, Cause: ctx.Err()}
		}
	}
	if skipped != nil {
		progress.Start(len(steps)+1, n, skipped.Step, skipped.Command)
		progress.Done(*skipped)
		results = append(results, *skipped)
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
		r = redact.Result(r)
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
	sc := served{ws: p.WebSocket, openapi: p.OpenAPI, items: p.Items, redact: redact}
	if p.Items != "" {
		sc.database = http.StatusServiceUnavailable
		if skipped == nil {
			sc.database = http.StatusOK
		}
	}
	checks := sc.String()
	progress.Start(n, n, "serve", cmd+" ("+checks+")")
	start := time.Now()
	r := Result{Step: "serve", Command: cmd, Checks: checks}
	// Only the server gets the unreachable database: the tests, given
	// none, skip their integration tests as they must.
	if out, dropped, err := serve(ctx, dir, p.Serve, p.ServeEnv(env), sc); err != nil {
		r.Err, r.Output = err.Error(), tail(out, dropped)
	}
	r.Duration = time.Since(start)
	r = redact.Result(r)
	progress.Done(r)
	results = append(results, r)
	if r.Err != "" {
		return results, &StepError{Result: r, Cause: ctx.Err()}
	}
	return results, nil
}

func runStep(ctx context.Context, dir string, s Step, env []string) Result {
	start := time.Now()
	sctx := ctx
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	cmd := proc.Command(sctx, s.Args[0], s.Args[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	out := &proc.Tail{}
	err := cmd.Run(out)
	r := Result{Step: s.Name, Command: strings.Join(s.Args, " "), Duration: time.Since(start)}
	b, dropped := out.Bytes()
	switch {
	case err != nil && ctx.Err() == nil && sctx.Err() != nil:
		r.Err, r.Output = fmt.Sprintf("it did not finish within %v", s.Timeout), tail(b, dropped)
	case err != nil:
		r.Err, r.Output = err.Error(), tail(b, dropped)
	case s.Empty && (len(bytes.TrimSpace(b)) > 0 || dropped > 0):
		r.Err, r.Output = "it printed files that need changes", tail(b, dropped)
	}
	return r
}

// MigrateStep is the step that applies a project's migrations.
const MigrateStep = "migrate"

// MigrateTimeout bounds the migrate step: a new project's migrations on
// an empty database take seconds.
const MigrateTimeout = 5 * time.Minute

// migrateTimeout is MigrateTimeout; a test shortens it.
var migrateTimeout = MigrateTimeout

// served is what the serve step checks on the running server besides
// /healthz and the stop.
type served struct {
	ws, openapi, items string
	// database is what /readyz must answer: 200 with the database up,
	// 503 with none; 0 when the project has no database.
	database int
	// redact hides the database's password in what of the server's
	// answers an error quotes.
	redact redactor
}

// String says what the serve step checks: "GET /healthz, WebSocket
// /v1/ws, SIGTERM".
func (s served) String() string {
	checks := []string{"GET /healthz"}
	if s.openapi != "" {
		checks = append(checks, "GET "+s.openapi)
	}
	switch s.database {
	case http.StatusOK:
		checks = append(checks, "GET /readyz", "POST, GET and list "+s.items)
	case http.StatusServiceUnavailable:
		checks = append(checks, "GET /readyz 503 with no database")
	}
	if s.ws != "" {
		checks = append(checks, "WebSocket "+s.ws)
	}
	return strings.Join(append(checks, proc.StopName), ", ")
}

// serve starts the server on a free port, checks /healthz and what sc
// names, and stops it with SIGTERM, expecting exit code 0 within
// StopTimeout. With a WebSocket endpoint, two clients exchange a message
// through it before the stop, and each must get a close frame (1001)
// before the server exits. The server runs in a process group of its
// own: whatever it started is killed with it, and a child holding its
// output does not keep serve waiting.
func serve(ctx context.Context, dir string, args, env []string, sc served) ([]byte, int64, error) {
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

	if err := waitHealthy(ctx, fmt.Sprintf("http://127.0.0.1:%d/healthz", port), exited, &waitErr); err != nil {
		return fail(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if sc.openapi != "" {
		if err := checkOpenAPI(ctx, sc.redact, base, sc.openapi); err != nil {
			return fail(err)
		}
	}
	if sc.database != 0 {
		if err := waitReady(ctx, sc.redact, base, sc.database); err != nil {
			return fail(err)
		}
	}
	if sc.database == http.StatusOK {
		if err := checkItems(ctx, sc.redact, base, sc.items); err != nil {
			return fail(err)
		}
	}
	var socks *sockets
	if sc.ws != "" {
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if socks, err = openSockets(sctx, port, sc.ws); err != nil {
			return fail(err)
		}
		defer socks.abort()
	}
	// The server alone gets SIGTERM (Ctrl-Break to its group on
	// Windows, see proc.Cmd.Stop): shutting down cleanly is its job.
	if err := cmd.Stop(); err != nil {
		return fail(err)
	}
	timer := time.NewTimer(StopTimeout)
	defer timer.Stop()
	select {
	case <-exited:
		b, dropped := out.Bytes()
		if waitErr != nil {
			return b, dropped, fmt.Errorf("after %s the server exited with %v, want exit code 0", proc.StopName, waitErr)
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
		return fail(fmt.Errorf("the server did not exit within %v of %s", StopTimeout, proc.StopName))
	}
}

// waitHealthy polls url until the server answers, exits (exited is
// closed, *waitErr says how) or ctx ends.
func waitHealthy(ctx context.Context, url string, exited <-chan struct{}, waitErr *error) error {
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
		resp, err := get(ctx, url, healthTimeout)
		if err != nil {
			last = err
			time.Sleep(100 * time.Millisecond)
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		resp.cancel()
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

// healthTimeout bounds one try of GET /healthz while the server starts.
const healthTimeout = 2 * time.Second

// toServer is the client of every request to the project's server. The
// server is the template's code and its routes answer for themselves: a
// redirect is its answer, never followed, so that verify neither takes
// another server's answer for the project's nor sends a request where
// the project says.
//
// Its transport is its own: no proxy (the server is on 127.0.0.1), and
// an answer's headers bounded far below net/http's 10 MiB, as a body is.
var toServer = &http.Client{
	Transport: &http.Transport{
		DialContext:            (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxResponseHeaderBytes: headerLimit,
		IdleConnTimeout:        10 * time.Second,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// headerLimit bounds the headers of an answer of the server.
const headerLimit = 64 << 10

// answer is a response whose body may be read until cancel.
type answer struct {
	*http.Response
	cancel context.CancelFunc
}

// get is GET url on the server, given up on at timeout or when ctx
// ends, the body's reading included; the caller closes the body and
// calls cancel.
func get(ctx context.Context, url string, timeout time.Duration) (*answer, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	resp, err := toServer.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	return &answer{resp, cancel}, nil
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

// Package verify proves that a generated project works: it installs its
// dependencies, runs its lint and its tests, builds it, starts the server
// on a free port, expects GET /healthz to answer 200 with
// {"status":"ok"}, and stops it with SIGTERM, expecting a clean exit. The
// steps follow the project's language.
package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/scaffold-cli/scaffold/internal/proc"
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
	// Serve starts the built server.
	Serve []string
	// Env is the environment of every command.
	Env []string
}

// Timeouts of the serve step.
const (
	StartTimeout = 60 * time.Second
	StopTimeout  = 5 * time.Second
)

// PlanFor reads dir and picks the steps for its language. Built
// binaries go to buildDir; env is the environment the commands run in.
func PlanFor(dir, buildDir string, env []string) (*Plan, error) {
	p, err := planFor(dir, buildDir, env)
	if err != nil {
		return nil, err
	}
	p.Env = append(slices.Clone(env), "CI=true", "NO_COLOR=1")
	return p, nil
}

func planFor(dir, buildDir string, env []string) (*Plan, error) {
	switch {
	case exists(filepath.Join(dir, "go.mod")):
		name, err := goMain(dir)
		if err != nil {
			return nil, err
		}
		bin := filepath.Join(buildDir, name)
		return &Plan{Language: "go", Steps: []Step{
			{Name: "install", Args: []string{"go", "mod", "download"}},
			{Name: "lint", Args: []string{"go", "vet", "./..."}},
			{Name: "format", Args: []string{"gofmt", "-l", "."}, Empty: true},
			{Name: "test", Args: []string{"go", "test", "./..."}},
			{Name: "build", Args: []string{"go", "build", "-o", bin, "./cmd/" + name}},
		}, Serve: []string{bin}}, nil
	case exists(filepath.Join(dir, "package.json")):
		main, err := nodeMain(dir)
		if err != nil {
			return nil, err
		}
		return &Plan{Language: "node", Steps: []Step{
			{Name: "install", Args: []string{"npm", "install", "--no-audit", "--no-fund"}},
			{Name: "lint", Args: []string{"npm", "run", "lint"}},
			{Name: "test", Args: []string{"npm", "test"}},
			{Name: "build", Args: []string{"npm", "run", "build"}},
		}, Serve: []string{"node", main}}, nil
	case exists(filepath.Join(dir, "Cargo.toml")):
		name, err := crateName(dir)
		if err != nil {
			return nil, err
		}
		target := lookup(env, "CARGO_TARGET_DIR")
		if target == "" {
			target = filepath.Join(dir, "target")
		}
		return &Plan{Language: "rust", Steps: []Step{
			{Name: "install", Args: []string{"cargo", "fetch"}},
			{Name: "format", Args: []string{"cargo", "fmt", "--check"}},
			{Name: "lint", Args: []string{"cargo", "clippy", "--all-targets", "--", "-D", "warnings"}},
			{Name: "test", Args: []string{"cargo", "test"}},
			{Name: "build", Args: []string{"cargo", "build"}},
		}, Serve: []string{filepath.Join(target, "debug", name)}}, nil
	}
	return nil, fmt.Errorf("%s has no go.mod, package.json or Cargo.toml: scaffold verify checks Go, Node.js and Rust projects", dir)
}

func lookup(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// goMain finds the one command under cmd/.
func goMain(dir string) (string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, "cmd"))
	if err != nil {
		return "", fmt.Errorf("a Go project to verify keeps its server in cmd/NAME: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) != 1 {
		return "", fmt.Errorf("a Go project to verify has one server in cmd/NAME; found %d (%s)", len(names), strings.Join(names, ", "))
	}
	return names[0], nil
}

func nodeMain(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", err
	}
	var pkg struct {
		Main string `json:"main"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return "", fmt.Errorf("package.json: %w", err)
	}
	if pkg.Main == "" {
		return "", errors.New(`package.json has no "main": scaffold verify starts the server with node <main> after npm run build`)
	}
	return pkg.Main, nil
}

var cargoName = regexp.MustCompile(`(?m)^\s*name\s*=\s*"([^"]+)"`)

func crateName(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "Cargo.toml"))
	if err != nil {
		return "", err
	}
	// The first name in Cargo.toml is the package's, under [package].
	m := cargoName.FindSubmatch(data)
	if m == nil {
		return "", errors.New("Cargo.toml has no package name")
	}
	return string(m[1]), nil
}

// Result is the outcome of one step.
type Result struct {
	Step     string        `json:"step"`
	Command  string        `json:"command"`
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
	n := len(p.Steps) + 1
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
	cmd := strings.Join(p.Serve, " ")
	progress.Start(n, n, "serve", cmd+" (GET /healthz, SIGTERM)")
	start := time.Now()
	r := Result{Step: "serve", Command: cmd}
	if out, dropped, err := serve(ctx, dir, p.Serve, p.Env); err != nil {
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
// with SIGTERM, expecting exit code 0 within StopTimeout. The server runs
// in a process group of its own: whatever it started is killed with it,
// and a child holding its output does not keep serve waiting.
func serve(ctx context.Context, dir string, args, env []string) ([]byte, int64, error) {
	port, err := freePort()
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

func freePort() (int, error) {
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

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scaffold-cli/scaffold/internal/proc"
	"github.com/scaffold-cli/scaffold/internal/verify"
)

// The service contract every built-in service keeps, checked here from
// outside, on the built server, the same way for every stack: what its
// README promises about config, errors, request IDs, logs, slow clients
// and shutdown. The templates' own tests check the rest from inside
// (a panicking handler, a request cut off by the shutdown budget).

// logLevelVar is the variable that sets each stack's log level.
var logLevelVar = map[string]string{"go": "LOG_LEVEL", "node": "LOG_LEVEL", "rust": "RUST_LOG"}

// Generous bounds for a busy two-core machine: each is many times what
// the contract promises, and only says a wait has failed.
const (
	startWithin = 60 * time.Second
	exitWithin  = 30 * time.Second
	// slowClientWithin bounds how long a client sending half its headers
	// keeps its connection; the stacks close it after 5 s.
	slowClientWithin = 30 * time.Second
)

func checkContract(c *contract) {
	c.badConfig()
	c.endpoints()
	c.secondSignal()
}

// newContract builds the service in dir again, into a folder of the
// check's own (cached: fast), ready to start.
func newContract(t *testing.T, where, dir string, env []string) *contract {
	lang, plan := servicePlan(t, dir, env)
	for _, s := range plan.Steps {
		if s.Name == "build" {
			if _, out, err := run(dir, env, s.Args[0], s.Args[1:]...); err != nil {
				t.Fatalf("%s: contract: build: %v\n%s", where, err, out)
			}
		}
	}
	return &contract{t: t, where: where, dir: dir, env: env, serve: plan.Serve, logVar: logLevelVar[lang.Name]}
}

type contract struct {
	t      *testing.T
	where  string
	dir    string
	env    []string
	serve  []string
	logVar string
}

func (c *contract) fail(format string, args ...any) {
	c.t.Helper()
	c.t.Errorf("%s: contract: %s", c.where, fmt.Sprintf(format, args...))
}

// badConfig: each bad value stops the server before it listens, with
// exit code 2 and one line on stderr that names the variable.
func (c *contract) badConfig() {
	cases := [][2]string{{"PORT", "abc"}, {"PORT", ""}, {"PORT", "70000"}, {"SHUTDOWN_TIMEOUT", "soon"}}
	if c.logVar != "" {
		cases = append(cases, [2]string{c.logVar, "loud=="})
	}
	for _, kv := range cases {
		c.badSetting(kv[0], kv[1])
	}
}

// badSetting expects the server to refuse to start with name=value:
// exit code 2 and one line on stderr that names the variable.
func (c *contract) badSetting(name, value string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), exitWithin)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.serve[0], c.serve[1:]...)
	cmd.Dir = c.dir
	cmd.Env = append(slices.Clone(c.env), name+"="+value)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	setting := fmt.Sprintf("%s=%q", name, value)
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		c.fail("with %s the server ended with %v, want exit code 2\n%s%s", setting, err, stdout.Bytes(), stderr.Bytes())
		return
	}
	lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], name) {
		c.fail("with %s stderr is not one line naming %s:\n%s", setting, name, stderr.Bytes())
	}
}

// output is what a server printed, kept whole up to Max (16 MiB) and
// safe to read while it runs.
type output struct{ proc.Tail }

func (o *output) String() string {
	b, _ := o.Bytes()
	return string(b)
}

// server is a running server and its output.
type server struct {
	cmd    *proc.Cmd
	base   string
	out    *output
	exited chan struct{}
	err    error // how it ended, once exited is closed
}

func (c *contract) start(extra ...string) *server {
	c.t.Helper()
	port, err := verify.FreePort()
	if err != nil {
		c.t.Fatal(err)
	}
	s := &server{out: &output{proc.Tail{Max: 16 << 20}}, exited: make(chan struct{}), base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	s.cmd = proc.Command(context.Background(), c.serve[0], c.serve[1:]...)
	s.cmd.Dir = c.dir
	s.cmd.Env = append(slices.Clone(c.env), append([]string{"HOST=127.0.0.1", fmt.Sprintf("PORT=%d", port)}, extra...)...)
	if err := s.cmd.Start(s.out); err != nil {
		c.t.Fatal(err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.exited) }()
	c.t.Cleanup(func() {
		s.cmd.Kill()
		<-s.exited
	})
	deadline := time.Now().Add(startWithin)
	for {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			return s
		}
		select {
		case <-s.exited:
			c.t.Fatalf("%s: contract: the server exited before answering: %v\n%s", c.where, s.err, s.out)
		default:
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: contract: the server did not answer within %v: %v\n%s", c.where, startWithin, err, s.out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wait waits for the server to exit and returns its exit code.
func (s *server) wait(within time.Duration) (int, error) {
	select {
	case <-s.exited:
	case <-time.After(within):
		return -1, fmt.Errorf("it did not exit within %v", within)
	}
	var exit *exec.ExitError
	if errors.As(s.err, &exit) {
		return exit.ExitCode(), nil
	}
	if s.err != nil {
		return -1, s.err
	}
	return 0, nil
}

// response is what a request got.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (c *contract) do(s *server, method, path, contentType, body string, header ...string) *response {
	c.t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Timeout: exitWithin}
	resp, err := client.Do(req)
	if err != nil {
		c.t.Fatalf("%s: contract: %s %s: %v", c.where, method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		c.t.Fatalf("%s: contract: %s %s: reading the body: %v", c.where, method, path, err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}
}

// problem checks that r is an RFC 9457 problem with the status, whose
// request_id is the X-Request-Id header.
func (c *contract) problem(what string, r *response, status int) {
	c.t.Helper()
	if r.status != status {
		c.fail("%s answered %d, want %d: %s", what, r.status, status, r.body)
		return
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		c.fail("%s answered Content-Type %q, want application/problem+json", what, ct)
	}
	var p struct {
		Type      string  `json:"type"`
		Title     string  `json:"title"`
		Status    float64 `json:"status"`
		RequestID string  `json:"request_id"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		c.fail("%s answered a body that is not JSON (%v): %s", what, err, r.body)
		return
	}
	if p.Type == "" || p.Title == "" || int(p.Status) != status {
		c.fail("%s answered a problem without type, title or status %d: %s", what, status, r.body)
	}
	if id := r.header.Get("X-Request-Id"); id == "" || p.RequestID != id {
		c.fail("%s answered request_id %q and X-Request-Id %q, want the same", what, p.RequestID, id)
	}
}

func (c *contract) endpoints() {
	s := c.start("SHUTDOWN_DRAIN=5s", "SHUTDOWN_TIMEOUT=15s", "REQUEST_TIMEOUT=10s")

	r := c.do(s, "GET", "/healthz", "", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") || !jsonEqual(r.body, `{"status":"ok"}`) {
		c.fail(`GET /healthz answered %d %q %s, want 200 application/json {"status":"ok"}`, r.status, r.header.Get("Content-Type"), r.body)
	}
	if r := c.do(s, "HEAD", "/healthz", "", ""); r.status != 200 || len(r.body) != 0 {
		c.fail("HEAD /healthz answered %d with %d bytes, want 200 and none", r.status, len(r.body))
	}
	if r := c.do(s, "GET", "/readyz", "", ""); r.status != 200 {
		c.fail("GET /readyz answered %d before shutdown, want 200: %s", r.status, r.body)
	}

	// Errors are problems; the query string is no one's business.
	const secret = "e2e-secret-8d3f"
	c.problem("GET /nope", c.do(s, "GET", "/nope?token="+secret, "", ""), 404)
	r = c.do(s, "DELETE", "/healthz", "", "")
	c.problem("DELETE /healthz", r, 405)
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") {
		c.fail("DELETE /healthz answered Allow %q, want GET among them", allow)
	}
	c.problem("POST /v1/echo as text/plain", c.do(s, "POST", "/v1/echo", "text/plain", `{"message":"hi"}`), 415)
	for _, body := range []string{`{"message":123}`, `{"message":"hi","extra":true}`, `{"message":"hi"} {}`, `{"message":"hi"`, `[]`} {
		c.problem("POST /v1/echo "+body, c.do(s, "POST", "/v1/echo", "application/json", body), 400)
	}
	r = c.do(s, "POST", "/v1/echo?token="+secret, "application/json", `{"message":"hi"}`, "X-Request-Id", "e2e-req-1")
	if r.status != 200 || !jsonEqual(r.body, `{"message":"hi"}`) {
		c.fail(`POST /v1/echo {"message":"hi"} answered %d %s, want 200 and the same back`, r.status, r.body)
	}
	if id := r.header.Get("X-Request-Id"); id != "e2e-req-1" {
		c.fail("a valid X-Request-Id came back as %q, want e2e-req-1", id)
	}
	for _, bad := range []string{strings.Repeat("a", 200), "two words"} {
		r := c.do(s, "GET", "/healthz", "", "", "X-Request-Id", bad)
		if id := r.header.Get("X-Request-Id"); id == "" || id == bad || len(id) > 128 {
			c.fail("X-Request-Id %.20q... came back as %.40q, want a new one of at most 128 characters", bad, id)
		}
	}
	c.tooLarge(s)
	c.slowClient(s)

	// The access log: the route pattern, a number for the latency, and
	// never the raw query string.
	logs := s.out.String()
	if strings.Contains(logs, secret) {
		c.fail("the logs hold the query string's secret:\n%s", logs)
	}
	if !loggedRoute(logs, "/v1/echo") {
		c.fail(`no log line has route "/v1/echo" and a numeric duration_ms:\n%s`, logs)
	}

	// SIGTERM: readiness turns 503 at once while liveness stays 200,
	// then the server drains and exits 0.
	if err := s.cmd.Signal(syscall.SIGTERM); err != nil {
		c.t.Fatal(err)
	}
	r = c.waitDraining(s)
	if r != nil && !jsonEqual(r.body, `{"status":"draining"}`) {
		c.fail(`GET /readyz while draining answered %s, want {"status":"draining"}`, r.body)
	}
	if r != nil {
		if r := c.do(s, "GET", "/healthz", "", ""); r.status != 200 {
			c.fail("GET /healthz while draining answered %d, want 200", r.status)
		}
	}
	code, err := s.wait(exitWithin)
	if err != nil || code != 0 {
		c.fail("after SIGTERM the server ended with code %d, %v; want 0\n%s", code, err, s.out)
	}
}

// waitDraining polls /readyz until it answers 503, for the 5 s drain.
func (c *contract) waitDraining(s *server) *response {
	c.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		r := c.do(s, "GET", "/readyz", "", "")
		if r.status == 503 {
			return r
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.fail("GET /readyz did not answer 503 within the 5 s drain after SIGTERM\n%s", s.out)
	return nil
}

// tooLarge: a body declared over the 1 MiB limit is refused with 413
// before the server reads it.
func (c *contract) tooLarge(s *server) {
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(s.base, "http://"), exitWithin)
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(exitWithin))
	fmt.Fprintf(conn, "POST /v1/echo HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"message\":\"", 2<<20)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		c.fail("a 2 MiB body got no answer: %v", err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	c.problem("POST /v1/echo with 2 MiB", &response{status: resp.StatusCode, header: resp.Header, body: body}, 413)
}

// slowClient: a client that sends half its headers and stops is cut
// off, rather than holding a connection for as long as it likes.
func (c *contract) slowClient(s *server) {
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(s.base, "http://"), exitWithin)
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: e2e\r\n")
	conn.SetReadDeadline(time.Now().Add(slowClientWithin))
	// It may answer 408 first; either way the connection must close.
	_, err = io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.fail("a client that sent half its headers was still connected after %v", slowClientWithin)
	}
}

// secondSignal: a second signal during the drain ends the server at
// once, and the exit code says it did not drain.
func (c *contract) secondSignal() {
	s := c.start("SHUTDOWN_DRAIN=10s", "SHUTDOWN_TIMEOUT=15s", "REQUEST_TIMEOUT=10s")
	if err := s.cmd.Signal(syscall.SIGTERM); err != nil {
		c.t.Fatal(err)
	}
	if c.waitDraining(s) == nil {
		return
	}
	if err := s.cmd.Signal(syscall.SIGTERM); err != nil {
		c.t.Fatal(err)
	}
	// Well inside the 10 s drain.
	code, err := s.wait(5 * time.Second)
	if err != nil || code == 0 {
		c.fail("after a second SIGTERM the server ended with code %d, %v; want a quick exit and a code other than 0\n%s", code, err, s.out)
	}
}

// loggedRoute reports whether a JSON log line has route and a numeric
// duration_ms, at any depth (tracing nests its fields).
func loggedRoute(logs, route string) bool {
	for _, line := range strings.Split(logs, "\n") {
		var v any
		if json.Unmarshal([]byte(line), &v) != nil {
			continue
		}
		var gotRoute, gotDuration bool
		walk(v, func(k string, v any) {
			switch k {
			case "route":
				gotRoute = gotRoute || v == route
			case "duration_ms":
				_, gotDuration = v.(float64)
			}
		})
		if gotRoute && gotDuration {
			return true
		}
	}
	return false
}

func walk(v any, f func(string, any)) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			f(k, e)
			walk(e, f)
		}
	case []any:
		for _, e := range v {
			walk(e, f)
		}
	}
}

func jsonEqual(got []byte, want string) bool {
	var a, b any
	if json.Unmarshal(got, &a) != nil || json.Unmarshal([]byte(want), &b) != nil {
		return false
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

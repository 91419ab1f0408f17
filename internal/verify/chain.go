package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/scaffold-cli/scaffold/internal/proc"
)

// ChainPath is the route through which a workspace's wired parts answer
// one another.
const ChainPath = "/v1/chain"

// maxChainBody bounds the chain answer verify reads.
const maxChainBody = 1 << 20

// ChainPart is one part of a workspace, built, ready to start for the
// chain check.
type ChainPart struct {
	// Name is what the part's chain answer calls it.
	Name  string
	Dir   string
	Serve []string
	Env   []string
	// URLVar is the variable the part reads the next part's URL from;
	// empty for the last part.
	URLVar string
}

// Chain starts the parts, the last first, each on a free port and given
// the next one's URL, asks the first for GET /v1/chain, and checks that
// the answer came through every part in order. It then stops them all
// with SIGTERM, each of which must exit 0.
func Chain(ctx context.Context, parts []ChainPart) Result {
	var names []string
	for _, p := range parts {
		names = append(names, p.Name)
	}
	r := Result{Step: "chain", Command: "GET " + ChainPath + " through " + strings.Join(names, ", "), Checks: "every part answered, in order; " + proc.StopName}
	start := time.Now()
	out, err := chain(ctx, parts)
	r.Duration = time.Since(start)
	if err != nil {
		r.Err, r.Output = err.Error(), out
	}
	// Every part is given the database; any may echo it.
	var envs [][]string
	for _, p := range parts {
		envs = append(envs, p.Env)
	}
	return redactorOf(envs...).Result(r)
}

// running is a started part.
type running struct {
	name    string
	cmd     *proc.Cmd
	out     *proc.Tail
	port    int
	exited  chan struct{}
	waitErr error
}

func (s *running) stop() {
	s.cmd.Kill()
	<-s.exited
}

func chain(ctx context.Context, parts []ChainPart) (string, error) {
	if len(parts) == 0 {
		return "", errors.New("no parts to chain")
	}
	started := make([]*running, len(parts))
	defer func() {
		for _, s := range started {
			if s != nil {
				s.stop()
			}
		}
	}()
	logs := func() string {
		var b strings.Builder
		for _, s := range started {
			if s == nil {
				continue
			}
			out, dropped := s.out.Bytes()
			fmt.Fprintf(&b, "--- %s\n%s", s.name, tail(out, dropped))
		}
		return b.String()
	}
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		port, err := FreePort()
		if err != nil {
			return "", err
		}
		env := append(slices.Clone(p.Env), fmt.Sprintf("PORT=%d", port))
		if i+1 < len(parts) && p.URLVar != "" {
			env = append(env, fmt.Sprintf("%s=http://127.0.0.1:%d", p.URLVar, started[i+1].port))
		}
		s := &running{name: p.Name, out: &proc.Tail{}, port: port, exited: make(chan struct{})}
		s.cmd = proc.Command(ctx, p.Serve[0], p.Serve[1:]...)
		s.cmd.Dir, s.cmd.Env = p.Dir, env
		if err := s.cmd.Start(s.out); err != nil {
			return logs(), fmt.Errorf("%s: %w", p.Name, err)
		}
		go func() { s.waitErr = s.cmd.Wait(); close(s.exited) }()
		started[i] = s
		if err := waitHealthy(ctx, fmt.Sprintf("http://127.0.0.1:%d/healthz", port), s.exited, &s.waitErr); err != nil {
			return logs(), fmt.Errorf("%s: %w", p.Name, err)
		}
	}

	// The request ends with the run (Ctrl-C), not only at its timeout.
	resp, err := get(ctx, fmt.Sprintf("http://127.0.0.1:%d%s", started[0].port, ChainPath), requestTimeout)
	if err != nil {
		return logs(), fmt.Errorf("GET %s on %s: %w", ChainPath, parts[0].Name, err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxChainBody))
	resp.Body.Close()
	resp.cancel()
	if err != nil {
		return logs(), fmt.Errorf("GET %s on %s: %w", ChainPath, parts[0].Name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return logs(), fmt.Errorf("GET %s on %s answered %d, want 200: %s", ChainPath, parts[0].Name, resp.StatusCode, shown(string(body)))
	}
	if got, err := chainOf(body); err != nil || !slices.Equal(got, namesOf(parts)) {
		if err == nil {
			err = fmt.Errorf("it came through %s, want %s", strings.Join(got, " > "), strings.Join(namesOf(parts), " > "))
		}
		return logs(), fmt.Errorf("GET %s on %s answered %s: %w", ChainPath, parts[0].Name, shown(string(body)), err)
	}

	// Each part alone gets SIGTERM, the first first, as a request would
	// leave them: shutting down cleanly is each one's job.
	for i, s := range started {
		if err := s.cmd.Stop(); err != nil {
			return logs(), fmt.Errorf("%s: %w", s.name, err)
		}
		select {
		case <-s.exited:
		case <-ctx.Done():
			return logs(), ctx.Err()
		case <-time.After(StopTimeout):
			return logs(), fmt.Errorf("%s did not exit within %v of %s", s.name, StopTimeout, proc.StopName)
		}
		if s.waitErr != nil {
			return logs(), fmt.Errorf("after %s %s exited with %v, want exit code 0", proc.StopName, s.name, s.waitErr)
		}
		started[i] = nil
	}
	return "", nil
}

func namesOf(parts []ChainPart) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.Name
	}
	return out
}

// chainOf reads the services a chain answer came through, outermost
// first: {"service":"api","downstream":{"service":"core",...}}.
func chainOf(body []byte) ([]string, error) {
	var out []string
	var node map[string]json.RawMessage
	if err := json.Unmarshal(body, &node); err != nil {
		return nil, fmt.Errorf("it is not a JSON object: %w", err)
	}
	for node != nil {
		var name string
		if err := json.Unmarshal(node["service"], &name); err != nil || name == "" {
			return out, errors.New(`a part's answer has no "service" string`)
		}
		out = append(out, name)
		next, ok := node["downstream"]
		if !ok {
			break
		}
		node = nil
		if err := json.Unmarshal(next, &node); err != nil || node == nil {
			return out, fmt.Errorf(`%s's "downstream" is not an object`, name)
		}
	}
	return out, nil
}

//go:build unix

package verify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scaffold-cli/scaffold/internal/proc/proctest"
)

// TestMain lets the test binary be the server that verify starts:
// VERIFY_TEST_SERVER=fork serves /healthz after starting a child that
// holds its stdout and stderr, and writes that child's pid to
// VERIFY_TEST_PIDFILE; =sick does the same but answers 500; =room... is
// a server with a WebSocket room (see room).
func TestMain(m *testing.M) {
	if mode := os.Getenv("VERIFY_TEST_SERVER"); strings.HasPrefix(mode, "room") {
		os.Exit(room(mode))
	} else if strings.HasPrefix(mode, "items") {
		os.Exit(itemsServer(mode))
	} else if strings.HasPrefix(mode, "chain") {
		os.Exit(chainPart(mode))
	} else if mode != "" {
		os.Exit(server(mode))
	}
	os.Exit(m.Run())
}

func server(mode string) int {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	child := exec.Command("sleep", "300")
	child.Stdout, child.Stderr = os.Stdout, os.Stderr
	if err := child.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.WriteFile(os.Getenv("VERIFY_TEST_PIDFILE"), []byte(strconv.Itoa(child.Process.Pid)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if mode == "sick" {
			w.WriteHeader(http.StatusInternalServerError)
		}
		w.Write([]byte(`{"status":"ok"}`))
	})
	go http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil)
	fmt.Println("serving")
	<-sig
	return 0 // the child is left behind, still holding stdout
}

// promptly is a generous bound, for a busy machine: far below the sleeps
// verify would otherwise wait out.
const promptly = 30 * time.Second

type quiet struct{}

func (quiet) Start(i, n int, step, command string) {}
func (quiet) Done(r Result)                        {}

// run runs the plan in the background and fails the test if it does not
// return promptly.
func run(t *testing.T, ctx context.Context, dir string, p *Plan) ([]Result, error) {
	t.Helper()
	type outcome struct {
		rs  []Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		rs, err := Run(ctx, dir, p, quiet{})
		done <- outcome{rs, err}
	}()
	select {
	case o := <-done:
		return o.rs, o.err
	case <-time.After(promptly):
		t.Fatal("verify.Run did not return")
		return nil, nil
	}
}

func serverPlan(t *testing.T, mode, pidFile string) *Plan {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return &Plan{Serve: []string{exe}, Env: append(os.Environ(), "VERIFY_TEST_SERVER="+mode, "VERIFY_TEST_PIDFILE="+pidFile)}
}

func TestServeIsNotHeldByAChildOnItsStdout(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	rs, err := run(t, context.Background(), t.TempDir(), serverPlan(t, "fork", pidFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Step != "serve" || rs[0].Err != "" {
		t.Errorf("results %+v", rs)
	}
	if !proctest.Gone(t, pidFile, promptly) {
		t.Error("the server's child outlived verify")
	}
}

func TestServeThatFailsIsKilledWithItsChildren(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	_, err := run(t, context.Background(), t.TempDir(), serverPlan(t, "sick", pidFile))
	var se *StepError
	if !errors.As(err, &se) || !strings.Contains(se.Result.Err, "GET /healthz answered 500") || !strings.Contains(se.Result.Output, "serving") {
		t.Fatalf("err = %v", err)
	}
	if !proctest.Gone(t, pidFile, promptly) {
		t.Error("the failed server's child outlived verify")
	}
}

func TestStepDoesNotWaitForWhatItLeft(t *testing.T) {
	dir := t.TempDir()
	p := serverPlan(t, "fork", filepath.Join(dir, "server-child.pid"))
	p.Steps = []Step{{Name: "install", Args: []string{"/bin/sh", "-c", "sleep 120 & echo $! > step-child.pid"}}}
	if _, err := run(t, context.Background(), dir, p); err != nil {
		t.Fatal(err)
	}
	if !proctest.Gone(t, filepath.Join(dir, "step-child.pid"), promptly) {
		t.Error("the step's background sleep outlived it")
	}
}

func TestCancelEndsAStepAndItsChildren(t *testing.T) {
	dir := t.TempDir()
	p := serverPlan(t, "fork", filepath.Join(dir, "server-child.pid"))
	p.Steps = []Step{{Name: "test", Args: []string{"/bin/sh", "-c", "sleep 300 & echo $! > step.pid.tmp; mv step.pid.tmp step.pid; wait"}}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for !exists(filepath.Join(dir, "step.pid")) {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
	}()
	rs, err := run(t, ctx, dir, p)
	var se *StepError
	if !errors.As(err, &se) || se.Result.Step != "test" || !errors.Is(err, context.Canceled) || len(rs) != 1 {
		t.Fatalf("err = %v, results %+v", err, rs)
	}
	if !proctest.Gone(t, filepath.Join(dir, "step.pid"), promptly) {
		t.Error("the step's sleep outlived the cancel")
	}
}

func TestStepOutputKeptIsBounded(t *testing.T) {
	// About 1 MiB of output, then the line that explains the failure.
	p := &Plan{Steps: []Step{{Name: "lint", Args: []string{"/bin/sh", "-c",
		`i=0; while [ $i -lt 16384 ]; do echo "line $i of noise, noise, noise, noise, noise."; i=$((i+1)); done; echo "the real error"; exit 1`}}}}
	_, err := run(t, context.Background(), t.TempDir(), p)
	var se *StepError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v", err)
	}
	out := se.Result.Output
	if !strings.HasPrefix(out, "... (more lines before)\n") || !strings.HasSuffix(out, "\nthe real error") || strings.Count(out, "\n") != 40 {
		t.Errorf("Output: %d bytes, %d lines:\n%.200s", len(out), strings.Count(out, "\n")+1, out)
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// A project with no server (a CLI tool) has no serve step.
func TestPlanWithoutServerHasNoServeStep(t *testing.T) {
	dir := t.TempDir()
	p := &Plan{Steps: []Step{{Name: "test", Args: []string{"/bin/sh", "-c", "echo ok"}}}}
	var seen []string
	rs, err := Run(context.Background(), dir, p, progressFunc(func(i, n int, step string) {
		seen = append(seen, fmt.Sprintf("%d/%d %s", i, n, step))
	}))
	if err != nil || len(rs) != 1 || rs[0].Step != "test" {
		t.Fatalf("err %v, results %+v", err, rs)
	}
	if len(seen) != 1 || seen[0] != "1/1 test" {
		t.Errorf("progress heard %q, want only 1/1 test", seen)
	}
}

type progressFunc func(i, n int, step string)

func (f progressFunc) Start(i, n int, step, _ string) { f(i, n, step) }
func (progressFunc) Done(Result)                      {}

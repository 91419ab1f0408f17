package proc

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary is its own helper: as a "parent" it starts a "child"
// (itself again), prints the child's pid and waits; as a "child" it
// sleeps. Neither exits on its own within the test.
func TestMain(m *testing.M) {
	switch os.Getenv("PROC_TEST_ROLE") {
	case "parent":
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), "PROC_TEST_ROLE=child")
		if err := child.Start(); err != nil {
			fmt.Println("start:", err)
			os.Exit(1)
		}
		fmt.Println(child.Process.Pid)
		child.Wait()
		os.Exit(0)
	case "graceful":
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt)
		fmt.Println("ready")
		select {
		case <-ch:
			fmt.Println("stopping")
			os.Exit(0)
		case <-time.After(time.Minute):
			os.Exit(3)
		}
	case "child":
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Kill ends the command's whole tree through its job object: the child
// it started is gone too.
func TestKillEndsTheTree(t *testing.T) {
	cmd := Command(context.Background(), os.Args[0])
	cmd.Env = append(os.Environ(), "PROC_TEST_ROLE=parent")
	var out syncBuffer
	if err := cmd.Start(&out); err != nil {
		t.Fatal(err)
	}
	pid := childPid(t, &out)
	if !Alive(pid) {
		t.Fatalf("child %d is not alive before the kill", pid)
	}
	cmd.Kill()
	cmd.Wait()
	for deadline := time.Now().Add(10 * time.Second); Alive(pid); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("child %d outlived the kill of its parent's job", pid)
		}
	}
}

// A cancelled context ends the tree too (Ctrl-Break, then the job).
func TestCancelEndsTheTree(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := Command(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), "PROC_TEST_ROLE=parent")
	var out syncBuffer
	if err := cmd.Start(&out); err != nil {
		t.Fatal(err)
	}
	pid := childPid(t, &out)
	cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Wait = nil after the context ended, want an error")
		}
	case <-time.After(Grace + Drain + 10*time.Second):
		t.Fatal("Wait did not return after the context ended")
	}
	for deadline := time.Now().Add(10 * time.Second); Alive(pid); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("child %d outlived its parent's cancelled context", pid)
		}
	}
}

// Stop sends Ctrl-Break, which a Go program sees as os.Interrupt: a
// server shuts down cleanly and exits 0.
func TestStopIsAnInterrupt(t *testing.T) {
	cmd := Command(context.Background(), os.Args[0])
	cmd.Env = append(os.Environ(), "PROC_TEST_ROLE=graceful")
	var out syncBuffer
	if err := cmd.Start(&out); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "ready"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the helper never got ready: %q", out.String())
		}
	}
	if err := cmd.Stop(); err != nil {
		cmd.Kill()
		cmd.Wait()
		// Wine runs a binary started from a Unix shell with no console,
		// and a Ctrl-Break needs one: GenerateConsoleCtrlEvent fails.
		t.Skipf("Stop: %v: no console to send Ctrl-Break through (as under Wine from a Unix shell)", err)
	}
	if err := cmd.Wait(); err != nil || !strings.Contains(out.String(), "stopping") {
		t.Errorf("after Stop: Wait = %v, output %q; want exit 0 after os.Interrupt", err, out.String())
	}
}

func TestAliveOfThisProcessAndAnExitedOne(t *testing.T) {
	if !Alive(os.Getpid()) {
		t.Error("Alive(own pid) = false")
	}
	c := exec.Command(os.Args[0])
	c.Env = append(os.Environ(), "PROC_TEST_ROLE=none")
	c.Args = append(c.Args, "-test.run=^$")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	if Alive(c.Process.Pid) {
		t.Errorf("Alive(%d) = true for a process that exited", c.Process.Pid)
	}
}

// childPid waits for the helper to print its child's pid.
func childPid(t *testing.T, out *syncBuffer) int {
	t.Helper()
	var pid int
	for deadline := time.Now().Add(20 * time.Second); pid == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the helper printed no child pid: %q", out.String())
		}
		if line, _, ok := strings.Cut(out.String(), "\n"); ok {
			var err error
			if pid, err = strconv.Atoi(strings.TrimSpace(line)); err != nil {
				t.Fatalf("helper: %q", out.String())
			}
		}
	}
	return pid
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

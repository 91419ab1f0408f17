//go:build linux

package cli_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// These tests run the real binary (this test binary, as scaffold: see
// TestMain) against a template big enough that writing and committing
// take a while, and interrupt it at random moments. Whatever happens, the
// target must be absent or complete: never half a project.
//
// Two environment variables steer the random ones (TestKillAtRandom...,
// TestSignalAtRandom...):
//
//	SCAFFOLD_LONG_TESTS=1   100 runs each instead of 12 (about 20 s each
//	                        instead of 3 on two cores)
//	SCAFFOLD_TEST_SEED=N    the seed of the signal moments, as logged by
//	                        an earlier run, to replay them
//
// The seed fixes each run's moment as a fraction of a whole run and its
// signal; how long a whole run takes is measured on the machine, so a
// replay is close, not exact.

const (
	tempPrefix = ".scaffold-tmp-" // project.TempPrefix, as a user sees it
	bigFiles   = 300
	// shortRuns signals each of its runs in another twelfth of the span
	// (see moments), so even the short form reaches every phase of a run.
	shortRuns = 12
	longRuns  = 100
	// hammerTime bounds a hammer loop when the machine is too slow for
	// its runs (the long form takes about 20 s on two idle cores); the
	// loop then says how far it got.
	hammerTime = 2 * time.Minute
)

// hammerRuns is how many runs a hammer loop makes: a few by default,
// many with SCAFFOLD_LONG_TESTS=1.
func hammerRuns(t *testing.T) int {
	t.Helper()
	switch v := os.Getenv("SCAFFOLD_LONG_TESTS"); v {
	case "":
		return shortRuns
	case "1":
		return longRuns
	default:
		t.Fatalf("SCAFFOLD_LONG_TESTS=%q: want 1, or unset for the short form", v)
		return 0
	}
}

// testSeed is the seed of a test's random choices: SCAFFOLD_TEST_SEED
// when set, else a fresh one. Either way it is logged, to replay a
// failure.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	if v := os.Getenv("SCAFFOLD_TEST_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("SCAFFOLD_TEST_SEED=%q: want an unsigned integer: %v", v, err)
		}
		t.Logf("seed %d, from SCAFFOLD_TEST_SEED", seed)
		return seed
	}
	seed := rand.Uint64()
	t.Logf("seed %d: SCAFFOLD_TEST_SEED=%d replays these signal moments", seed, seed)
	return seed
}

// moments are n signal moments as fractions of a whole run, spread from
// 0 to 1.2: one at random in each of n equal slices of that span, the
// slices shuffled. Uniform draws would leave a short loop missing whole
// phases of a run now and then; slices reach all of them, and a sixth of
// the runs finish before their signal.
func moments(seed uint64, n int) []float64 {
	r := rand.New(rand.NewPCG(seed, 0))
	out := make([]float64, n)
	for i, slice := range r.Perm(n) {
		out[i] = 1.2 * (float64(slice) + r.Float64()) / float64(n)
	}
	return out
}

// enoughInterrupted fails the test when too few of its runs were
// interrupted in the middle of their work: then it tested nothing.
func enoughInterrupted(t *testing.T, runs, interrupted int, what string) {
	t.Helper()
	if want := max(1, runs/10); interrupted < want {
		t.Errorf("only %d of %d runs %s (want at least %d): the signals came too late or too early to test anything; "+
			"the log above says the seed and how long a whole run took", interrupted, runs, what, want)
	}
}

// bigTemplate writes a folder template of n rendered files, some of them
// executable, spread over ten folders.
func bigTemplate(t *testing.T, dir string, n int) {
	t.Helper()
	write := func(name, data string, mode fs.FileMode) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("scaffold.yaml", "name: big\n", 0o644)
	for i := range n {
		mode := fs.FileMode(0o644)
		if i%25 == 0 {
			mode = 0o755
		}
		write(fmt.Sprintf("d%d/f%03d.txt.tmpl", i%10, i), fmt.Sprintf("{{ .Project.Name }} file %d\n%s\n", i, strings.Repeat("x", i)), mode)
	}
}

// scaffoldCmd runs scaffold in dir with a fake HOME and no git or
// scaffold configuration from the machine.
func scaffoldCmd(dir, home string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SCAFFOLD_TEST_AS_MAIN=1", "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"SCAFFOLD_CONFIG=", "GIT_CONFIG_GLOBAL=", "GIT_CONFIG_NOSYSTEM=1", "NO_COLOR=1", "TERM=dumb")
	return cmd
}

// tree is every file and link below root but .git: its mode and content.
func tree(root string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		var body []byte
		if d.Type()&fs.ModeSymlink != 0 {
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			body = []byte("-> " + l)
		} else if body, err = os.ReadFile(p); err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = info.Mode().String() + "\n" + string(body)
		return nil
	})
	return out, err
}

// checkComplete says what is wrong with the project at dir, if anything:
// every file of want, nothing else, the answers file, and with git on
// PATH a clean work tree and one commit.
func checkComplete(dir, home string, want map[string]string) error {
	got, err := tree(dir)
	if err != nil {
		return err
	}
	if _, ok := got[".scaffold-answers.yaml"]; !ok {
		return errors.New("no .scaffold-answers.yaml")
	}
	for p, w := range want {
		if g, ok := got[p]; !ok {
			return fmt.Errorf("%s is missing (%d of %d files there)", p, len(got), len(want))
		} else if g != w {
			return fmt.Errorf("%s differs: %q, want %q", p, g, w)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			return fmt.Errorf("unexpected %s", p)
		}
	}
	if _, err := exec.LookPath("git"); err != nil {
		return nil
	}
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out)), nil
	}
	if out, err := git("status", "--porcelain"); err != nil || out != "" {
		return fmt.Errorf("git status: %q %v", out, err)
	}
	if out, err := git("rev-list", "--count", "HEAD"); err != nil || out != "1" {
		return fmt.Errorf("commits on HEAD: %q %v", out, err)
	}
	return nil
}

// scratchDir is a folder for the hammer tests, in memory when the
// machine offers one: a run costs a fifth of the system time there, so
// the loops make their hundred runs instead of meeting their time bound.
// Killing a process works the same on any file system; only power cuts
// care which one it is, and no test here cuts the power.
func scratchDir(t *testing.T) string {
	t.Helper()
	if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "scaffold-test-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

func tempFolders(t *testing.T, parent string) []string {
	t.Helper()
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// outcome is how one interrupted run ended.
type outcome struct {
	worker   int
	code     int            // exit code, -1 when killed by a signal
	signaled syscall.Signal // the signal that killed it
	pid      int
	latency  time.Duration // from the signal to the exit
	stderr   string
}

// hammer runs scaffold new in parent concurrently from a few workers,
// each with its own project name (so a worker's run lives among other
// live runs' temporary folders), and sends run i signal sig(i) at a
// random moment (see moments) from its start to a little more than a
// whole run. check sees every outcome and the target; it returns how
// many runs it made.
func hammer(t *testing.T, parent string, sig func(i int) syscall.Signal, check func(o outcome, target string)) int {
	work := filepath.Dir(parent)
	home := filepath.Join(work, "home")
	tpl := filepath.Join(work, "tpl")
	for _, d := range []string{home, parent} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(tpl); err != nil {
		bigTemplate(t, tpl, bigFiles)
	}
	workers := min(4, 2*runtime.NumCPU())
	limit := hammerRuns(t)
	at := moments(testSeed(t), limit)
	// Whole runs made side by side, as the interrupted ones will be: the
	// expected trees, and how long a run takes under this load.
	// The first round only warms the caches: a cold start would spread
	// the delays too wide and most runs would finish before the signal.
	want := make([]map[string]string, workers)
	took := make([]time.Duration, workers)
	var wg sync.WaitGroup
	for round := range 2 {
		for w := range workers {
			wg.Go(func() {
				ref := filepath.Join(work, fmt.Sprintf("ref%d-%d", round, w))
				os.MkdirAll(ref, 0o755)
				cmd := scaffoldCmd(ref, home, "new", fmt.Sprintf("app%d", w), "--template", tpl, "--yes")
				start := time.Now()
				out, err := cmd.CombinedOutput()
				took[w] = time.Since(start)
				if err != nil {
					t.Errorf("reference run: %v\n%s", err, out)
					return
				}
				want[w], err = tree(filepath.Join(ref, fmt.Sprintf("app%d", w)))
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
	}
	full := slices.Max(took)
	t.Logf("%d workers; a whole run of %d files took up to %v at the start", workers, bigFiles+1, full.Round(time.Millisecond))
	// The load on the machine changes while the loop runs, and with it
	// the length of a run: every whole run corrects the estimate, and so
	// does every run still going later than the estimate said.
	var estMu sync.Mutex
	estimate := func(seen time.Duration, whole bool) time.Duration {
		estMu.Lock()
		defer estMu.Unlock()
		switch {
		case whole:
			full = (3*full + seen) / 4
		case seen > full:
			full = seen
		}
		return full
	}

	deadline := time.Now().Add(hammerTime)
	var next, done atomic.Int64
	for w := range workers {
		wg.Go(func() {
			target := filepath.Join(parent, fmt.Sprintf("app%d", w))
			for {
				i := int(next.Add(1)) - 1
				if i >= limit || time.Now().After(deadline) || t.Failed() {
					return
				}
				var stderr bytes.Buffer
				cmd := scaffoldCmd(parent, home, "new", filepath.Base(target), "--template", tpl, "--yes")
				cmd.Stderr = &stderr
				start := time.Now()
				if err := cmd.Start(); err != nil {
					t.Error(err)
					return
				}
				exited := make(chan struct{})
				go func() { cmd.Wait(); close(exited) }()
				delay := time.Duration(at[i] * float64(estimate(0, false)))
				s := sig(i)
				var sent time.Time
				select {
				case <-exited:
				case <-time.After(delay):
					// Safe even if the run has just ended: os.Process
					// knows, and never signals a pid it has reaped.
					sent = time.Now()
					cmd.Process.Signal(s)
					<-exited
				}
				o := outcome{worker: w, pid: cmd.Process.Pid, code: cmd.ProcessState.ExitCode(), stderr: stderr.String()}
				if !sent.IsZero() {
					o.latency = time.Since(sent)
				}
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					o.signaled = ws.Signal()
				}
				if o.code == 0 {
					estimate(time.Since(start), true)
				} else {
					estimate(delay, false)
				}
				check(o, target)
				done.Add(1)
				if _, err := os.Lstat(target); err == nil {
					if err := checkComplete(target, home, want[w]); err != nil {
						t.Errorf("run %d (%v after %v, %.2f of a run): HALF A PROJECT at %s: %v", i, s, delay, at[i], target, err)
					}
					os.RemoveAll(target)
				}
			}
		})
	}
	wg.Wait()
	n := int(done.Load())
	t.Logf("a whole run took about %v at the end", estimate(0, false).Round(time.Millisecond))
	if n < limit {
		t.Logf("LOUD: the time bound of %v stopped the loop after %d of %d runs", hammerTime, n, limit)
	}
	return n
}

// TestKillAtRandomNeverLeavesHalfAProject SIGKILLs scaffold new at random
// moments. Nothing can catch SIGKILL: only the rename into place keeps
// the target whole, and only the next run can remove the temporary
// folder the killed one left.
func TestKillAtRandomNeverLeavesHalfAProject(t *testing.T) {
	parent := filepath.Join(scratchDir(t), "out")
	var mu sync.Mutex
	var killed, completed, absent, present int
	seen := map[string]bool{} // temporary folders of killed runs
	runs := hammer(t, parent, func(int) syscall.Signal { return syscall.SIGKILL }, func(o outcome, target string) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case o.signaled == syscall.SIGKILL:
			killed++
			for _, name := range tempFolders(t, parent) {
				if strings.Contains(name, fmt.Sprintf("-%d-", o.pid)) {
					seen[name] = true
				}
			}
		case o.code == 0:
			completed++
		default:
			// A run that fails on its own may have lost its temporary
			// folder to another run's cleanup.
			t.Errorf("run of worker %d exited %d: %s", o.worker, o.code, o.stderr)
		}
		if _, err := os.Lstat(target); err == nil {
			present++
		} else {
			absent++
		}
	})
	// Every run checks its target as it goes (hammer fails the test on
	// half a project); what is left is the killed runs' temporary folders.
	before := tempFolders(t, parent)
	cmd := scaffoldCmd(parent, filepath.Join(filepath.Dir(parent), "home"), "new", "final", "--template", filepath.Join(filepath.Dir(parent), "tpl"), "--yes")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clean run after the kills: %v\n%s", err, out)
	}
	after := tempFolders(t, parent)
	partial := 0
	if t.Failed() {
		partial = -1 // see the errors above
	}
	t.Logf("%d runs: %d killed, %d finished first; target present (and complete) %d times, absent %d; "+
		"partial projects %d; %d killed runs left a temporary folder, %d of them removed by later runs in the loop, %d by the final clean run; left after it: %d",
		runs, killed, completed, present, absent, partial, len(seen), len(seen)-len(before), len(before), len(after))
	if len(after) > 0 {
		t.Errorf("temporary folders left after a clean run: %v", after)
	}
	enoughInterrupted(t, runs, len(seen), "were killed while writing (leaving a temporary folder)")
}

// TestSignalAtRandomExits130OrFinishes sends SIGTERM or SIGINT at random
// moments: before the rename the run stops, removes its temporary folder
// and exits 130; after it the project is complete and the exit is 0.
func TestSignalAtRandomExits130OrFinishes(t *testing.T) {
	parent := filepath.Join(scratchDir(t), "out")
	var mu sync.Mutex
	counts := map[string]int{}
	var latencies []time.Duration
	runs := hammer(t, parent, func(i int) syscall.Signal {
		if i%2 == 0 {
			return syscall.SIGTERM
		}
		return syscall.SIGINT
	}, func(o outcome, target string) {
		_, err := os.Lstat(target)
		present := err == nil
		// Its own temporary folder, by the pid in the name; the other
		// workers' are theirs and may be there.
		for _, name := range tempFolders(t, parent) {
			if strings.Contains(name, fmt.Sprintf("-%d-", o.pid)) {
				t.Errorf("exit %d: its temporary folder %s is left", o.code, name)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		switch {
		case o.code == 130:
			counts["130"]++
			latencies = append(latencies, o.latency)
			if present {
				t.Errorf("exit 130 but the project is at %s", target)
			}
			if !strings.Contains(o.stderr, "interrupted") {
				t.Errorf("exit 130 without saying so: %q", o.stderr)
			}
		case o.code == 0:
			counts["0"]++
			if !present {
				t.Errorf("exit 0 but no project at %s", target)
			}
		case o.signaled != 0:
			// The signal came before scaffold listened for it (the
			// runtime starting) or after it stopped (exiting): nothing
			// or everything is there, which hammer checks.
			counts["killed by "+o.signaled.String()]++
		default:
			t.Errorf("exit %d: %s", o.code, o.stderr)
		}
	})
	if left := tempFolders(t, parent); len(left) > 0 {
		t.Errorf("temporary folders left: %v", left)
	}
	slices.Sort(latencies)
	var median, most time.Duration
	if len(latencies) > 0 {
		median, most = latencies[len(latencies)/2], latencies[len(latencies)-1]
	}
	t.Logf("%d runs (SIGTERM and SIGINT alternately): outcomes %v; from the signal to exit 130: median %v, longest %v",
		runs, counts, median.Round(time.Millisecond), most.Round(time.Millisecond))
	enoughInterrupted(t, runs, counts["130"], "were interrupted before the rename (exit 130)")
}

// publicCopy puts this test binary and a small template where any user
// can read them, for a run under another uid.
func publicCopy(t *testing.T) (bin, tpl, work string) {
	t.Helper()
	work, err := os.MkdirTemp("", "scaffold-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	if err := os.Chmod(work, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(work, "scaffold.test")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	tpl = filepath.Join(work, "tpl")
	bigTemplate(t, tpl, 20)
	return bin, tpl, work
}

// TestReadOnlyParentWritesNothing: scaffold new ro/app with ro not
// writable fails, says why and where, and leaves ro as it was. Root
// writes anywhere, so as root the run drops to nobody's uid.
func TestReadOnlyParentWritesNothing(t *testing.T) {
	bin, tpl, work := publicCopy(t)
	home := filepath.Join(work, "home")
	rw := filepath.Join(work, "rw")
	ro := filepath.Join(work, "ro")
	for _, d := range []string{home, rw, ro} {
		os.Mkdir(d, 0o755)
	}
	os.Chmod(home, 0o777)
	os.Chmod(rw, 0o777)
	if err := os.Chmod(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	uid := os.Geteuid()
	if uid == 0 {
		uid = 65534
	}
	run := func(target string) (int, string) {
		cmd := scaffoldCmd(work, home, "new", target, "--template", tpl, "--yes")
		cmd.Path, cmd.Args[0] = bin, bin
		if uid != os.Geteuid() {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
		}
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Skipf("SKIP: cannot run scaffold as an ordinary user here: %v", err)
		}
		return cmd.ProcessState.ExitCode(), string(out)
	}
	// The control: the same user may write where it is allowed to, so a
	// failure below is the read-only folder's doing.
	if code, out := run(filepath.Join(rw, "app")); code != 0 {
		t.Skipf("SKIP: the unprivileged control run failed (exit %d), so this test would prove nothing:\n%s", code, out)
	}
	for _, target := range []string{filepath.Join(ro, "app"), filepath.Join(ro, "deeper", "app")} {
		code, out := run(target)
		t.Logf("as uid %d: scaffold new %s: exit %d: %s", uid, target, code, strings.TrimSpace(out))
		if code != 1 {
			t.Errorf("scaffold new %s: exit %d, want 1\n%s", target, code, out)
		}
		for _, want := range []string{ro, "permission denied", "choose a folder you can write to"} {
			if !strings.Contains(out, want) {
				t.Errorf("scaffold new %s: the error does not say %q:\n%s", target, want, out)
			}
		}
		if strings.Contains(out, tempPrefix) {
			t.Errorf("the error names the temporary folder:\n%s", out)
		}
		if entries, _ := os.ReadDir(ro); len(entries) != 0 {
			t.Errorf("written into the read-only folder: %v", entries)
		}
	}

	// A parent that is a file.
	afile := filepath.Join(work, "afile")
	os.WriteFile(afile, []byte("mine"), 0o644)
	code, out := run(filepath.Join(afile, "app"))
	if code != 2 || !strings.Contains(out, afile+" is not a folder") {
		t.Errorf("under a file: exit %d, want 2 and %q\n%s", code, afile+" is not a folder", out)
	}
	if data, _ := os.ReadFile(afile); string(data) != "mine" {
		t.Errorf("the file in the way changed: %q", data)
	}
}

// mountTmpfs mounts a small file system at dir, or skips: it needs the
// right to mount (root, and a container that allows it).
func mountTmpfs(t *testing.T, dir, opts string) {
	t.Helper()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("SKIP: cannot mount a tmpfs here (%v: %s); internal/project's TestWriteDiskFullLeavesNothing fakes the disk instead", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
}

// TestReadOnlyFileSystemWritesNothing: no permission bit stops root, a
// read-only mount does.
func TestReadOnlyFileSystemWritesNothing(t *testing.T) {
	work := t.TempDir()
	tpl := filepath.Join(work, "tpl")
	bigTemplate(t, tpl, 20)
	mnt := filepath.Join(work, "mnt")
	os.Mkdir(mnt, 0o755)
	mountTmpfs(t, mnt, "ro,size=64k")
	out, err := scaffoldCmd(work, work, "new", "mnt/app", "--template", tpl, "--yes").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "read-only file system") ||
		!strings.Contains(string(out), "choose a folder you can write to") {
		t.Errorf("err %v, want exit 1 naming the read-only file system:\n%s", err, out)
	}
}

// TestFullDiskWritesNothing fills a small real file system while the
// files are written: the error names the file and the cause, and the
// disk holds nothing afterwards.
func TestFullDiskWritesNothing(t *testing.T) {
	work := t.TempDir()
	tpl := filepath.Join(work, "tpl")
	bigTemplate(t, tpl, 200)
	mnt := filepath.Join(work, "mnt")
	os.Mkdir(mnt, 0o755)
	// tmpfs counts whole pages: 64k holds sixteen small files.
	mountTmpfs(t, mnt, "size=64k")
	out, err := scaffoldCmd(work, work, "new", "mnt/app", "--template", tpl, "--yes").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("err %v, want exit 1:\n%s", err, out)
	}
	for _, want := range []string{"writing d", ".txt: no space left on device", filepath.Join(mnt, "app") + " was not created", "free some space"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the error does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), tempPrefix) {
		t.Errorf("the error names the temporary folder:\n%s", out)
	}
	if entries, _ := os.ReadDir(mnt); len(entries) != 0 {
		t.Errorf("left on the full disk: %v", entries)
	}
}

// TestFullDiskDuringCommit fills the disk after the files, while git
// writes its objects. The files are worth keeping (new.go keeps a project
// whose commit failed), but not a half-written .git.
func TestFullDiskDuringCommit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("SKIP: no git to inspect the repository")
	}
	work := t.TempDir()
	tpl := filepath.Join(work, "tpl")
	bigTemplate(t, tpl, 200)
	mnt := filepath.Join(work, "mnt")
	os.Mkdir(mnt, 0o755)
	// Room for the 201 files, a page each, and a little: not for git's
	// 200-odd objects.
	mountTmpfs(t, mnt, fmt.Sprintf("size=%dk", 201*4+100))
	out, err := scaffoldCmd(work, work, "new", "mnt/app", "--template", tpl, "--yes").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "no space left on device") {
		t.Fatalf("err %v, want exit 1 and no space left on device:\n%s", err, out)
	}
	if left := tempFolders(t, mnt); len(left) > 0 {
		t.Errorf("temporary folders left: %v", left)
	}
	target := filepath.Join(mnt, "app")
	if _, err := os.Lstat(target); err != nil {
		return // nothing kept: fine too
	}
	if _, err := os.Lstat(filepath.Join(target, ".git")); err == nil {
		cmd := exec.Command("git", "-C", target, "rev-parse", "--verify", "HEAD")
		if rerr := cmd.Run(); rerr != nil {
			t.Fatalf("%s kept a half-written .git with no commit (finish must remove it when the commit fails); scaffold said:\n%s", target, out)
		}
	}
	if strings.Contains(string(out), tempPrefix) {
		t.Errorf("the error names the temporary folder, which is gone:\n%s", out)
	}
}

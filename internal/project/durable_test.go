package project

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scaffold-cli/scaffold/internal/proc/proctest"
	"github.com/scaffold-cli/scaffold/internal/template"
)

func TestWriteRemovesOnlyStaleTempFolders(t *testing.T) {
	parent := t.TempDir()
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Skipf("cannot start sleep: %v", err)
	}
	t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })

	mk := func(name string, age time.Duration) string {
		p := filepath.Join(parent, name)
		if err := os.MkdirAll(filepath.Join(p, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(p, "sub", "f"), []byte("x"), 0o644)
		if age > 0 {
			old := time.Now().Add(-age)
			os.Chtimes(p, old, old)
		}
		return p
	}
	dead := proctest.DeadPid(t)
	gone := []string{
		mk(fmt.Sprintf("%sapp-%d-123", TempPrefix, dead), 0),
		mk(fmt.Sprintf("%sother-name-%d-9", TempPrefix, dead), 0),
		mk(TempPrefix+"old-style-no-pid", 25*time.Hour),
	}
	kept := []string{
		// Live owners, however old their folders: never touched.
		mk(fmt.Sprintf("%sapp-%d-1", TempPrefix, os.Getpid()), 48*time.Hour),
		mk(fmt.Sprintf("%sapp-%d-2", TempPrefix, sleeper.Process.Pid), 48*time.Hour),
		// No pid to ask, and too young to call abandoned.
		mk(TempPrefix+"fresh-no-pid", time.Hour),
		// Not ours at all.
		mk("scaffold-tmp-app-"+strconv.Itoa(dead)+"-1", 0),
	}
	// A file or a link with our prefix is not a folder we made.
	file := filepath.Join(parent, fmt.Sprintf("%sfile-%d-1", TempPrefix, dead))
	os.WriteFile(file, []byte("x"), 0o644)
	victim := mk("victim", 0)
	link := filepath.Join(parent, fmt.Sprintf("%slink-%d-1", TempPrefix, dead))
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	kept = append(kept, file, link, filepath.Join(victim, "sub", "f"))

	if err := Write(context.Background(), filepath.Join(parent, "app"), sample, nil); err != nil {
		t.Fatal(err)
	}
	for _, p := range gone {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("stale %s was not removed (%v)", filepath.Base(p), err)
		}
	}
	for _, p := range kept {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}
}

func TestTempFolderNameCarriesPid(t *testing.T) {
	parent := t.TempDir()
	var seen string
	err := Write(context.Background(), filepath.Join(parent, "my-app-2"), sample, func(tmp string) error {
		seen = filepath.Base(tmp)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pid, ok := tempOwner(seen); !ok || pid != os.Getpid() || !strings.HasPrefix(seen, TempPrefix+"my-app-2-") {
		t.Errorf("temporary folder %q: pid %d %v, want %d", seen, pid, ok, os.Getpid())
	}
	for _, name := range []string{TempPrefix + "x", TempPrefix + "x-1", TempPrefix + "x-y-1", TempPrefix + "x-0-1"} {
		if pid, ok := tempOwner(name); ok {
			t.Errorf("tempOwner(%q) = %d, want none", name, pid)
		}
	}
}

// enospcWriter fails like a full disk once it has taken room bytes.
type enospcWriter struct {
	f    *os.File
	room *int
}

func (w enospcWriter) Write(p []byte) (int, error) {
	n := min(len(p), *w.room)
	n, err := w.f.Write(p[:n])
	*w.room -= n
	if err == nil && n < len(p) {
		err = &fs.PathError{Op: "write", Path: w.f.Name(), Err: syscall.ENOSPC}
	}
	return n, err
}

func (w enospcWriter) Close() error { return w.f.Close() }

func bigFiles(n, size int) []template.File {
	var files []template.File
	for i := range n {
		files = append(files, template.File{Path: fmt.Sprintf("dir%d/f%03d.txt", i%7, i), Mode: 0o644,
			Data: bytes.Repeat([]byte{'a' + byte(i%26)}, size)})
	}
	return files
}

func TestWriteDiskFullLeavesNothing(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "new", "app")
	room := 10*1000 + 500 // ten files and half of the eleventh
	orig := createFile
	t.Cleanup(func() { createFile = orig })
	createFile = func(root *os.Root, name string, perm fs.FileMode) (io.WriteCloser, error) {
		f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if err != nil {
			return nil, err
		}
		return enospcWriter{f, &room}, nil
	}
	files := bigFiles(40, 1000)
	err := Write(context.Background(), dir, files, func(string) error {
		t.Error("finish ran after a failed write")
		return nil
	})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v, want ENOSPC", err)
	}
	msg := err.Error()
	for _, want := range []string{"writing " + files[10].Path + ": no space left on device", dir + " was not created", "free some space"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, TempPrefix) {
		t.Errorf("error %q names the temporary folder", msg)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("left behind in %s: %v", root, entries)
	}
}

// TestWriteDiskFullOnTmpfs fills a real, small file system. It needs
// the right to mount (root, outside most containers).
func TestWriteDiskFullOnTmpfs(t *testing.T) {
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("SKIP: cannot mount a small tmpfs here (%v: %s); TestWriteDiskFullLeavesNothing covers it with a fake disk", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	dir := filepath.Join(mnt, "app")
	err := Write(context.Background(), dir, bigFiles(40, 4000), nil)
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("err = %v, want no space left on device", err)
	}
	if !strings.Contains(err.Error(), "writing dir") {
		t.Errorf("error %q does not name the file", err)
	}
	if entries, _ := os.ReadDir(mnt); len(entries) != 0 {
		t.Errorf("left behind on the full disk: %v", entries)
	}
	// The space is back: a project that fits is written whole.
	if err := Write(context.Background(), dir, bigFiles(5, 4000), nil); err != nil {
		t.Fatalf("after freeing: %v", err)
	}
}

// snapshot records everything a user could notice about a tree.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		s := fmt.Sprintf("mode=%v mtime=%d %s size=%d", info.Mode(), info.ModTime().UnixNano(),
			changeStamp(info), info.Size())
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			s += " link=" + l
		case info.Mode().IsRegular():
			data, _ := os.ReadFile(p)
			s += " data=" + string(data)
		}
		rel, _ := filepath.Rel(root, p)
		out[rel] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteLeavesNonEmptyFolderExactlyAsItWas(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
	}{
		{"nested", map[string]string{"a/b/c.txt": "deep", "a/d.txt": "mid", "top.txt": "top"}},
		{"only a hidden file", map[string]string{".keep": ""}},
		{"only an empty folder", map[string]string{"empty/": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "taken")
			os.Mkdir(dir, 0o750)
			for p, data := range tc.files {
				full := filepath.Join(dir, p)
				if strings.HasSuffix(p, "/") {
					os.MkdirAll(full, 0o711)
					continue
				}
				os.MkdirAll(filepath.Dir(full), 0o700)
				os.WriteFile(full, []byte(data), 0o640)
			}
			os.Symlink("top.txt", filepath.Join(dir, "link"))
			// Distinct times in the past, deepest first, so a change
			// anywhere shows; folder times last, as files stamp them.
			when := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
			filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if !d.IsDir() && d.Type()&fs.ModeSymlink == 0 {
					os.Chtimes(p, when, when)
					when = when.Add(time.Hour)
				}
				return nil
			})
			var dirs []string
			filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if d.IsDir() {
					dirs = append(dirs, p)
				}
				return nil
			})
			for i := len(dirs) - 1; i >= 0; i-- {
				os.Chtimes(dirs[i], when, when)
				when = when.Add(time.Hour)
			}
			before := snapshot(t, dir)
			parentBefore, _ := os.Stat(parent)

			err := Write(context.Background(), dir, sample, func(string) error {
				t.Error("finish ran for a refused target")
				return nil
			})
			var te *TargetError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a TargetError", err)
			}
			after := snapshot(t, dir)
			for p, b := range before {
				if a := after[p]; a != b {
					t.Errorf("%s changed:\n before %s\n after  %s", p, b, a)
				}
			}
			for p := range after {
				if _, ok := before[p]; !ok {
					t.Errorf("%s appeared", p)
				}
			}
			// Not even a temporary folder came and went beside it.
			if parentAfter, _ := os.Stat(parent); !parentAfter.ModTime().Equal(parentBefore.ModTime()) {
				t.Errorf("the parent folder was modified")
			}
		})
	}
}

// An interrupt between two files stops the writing there: no file is
// opened after it, and nothing stays.
func TestWriteStopsAtTheNextFileWhenCancelled(t *testing.T) {
	root := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opened := 0
	orig := createFile
	t.Cleanup(func() { createFile = orig })
	createFile = func(root *os.Root, name string, perm fs.FileMode) (io.WriteCloser, error) {
		opened++
		if opened == 5 {
			cancel() // the signal lands while the fifth file is written
		}
		return orig(root, name, perm)
	}
	err := Write(ctx, filepath.Join(root, "app"), bigFiles(40, 10), func(string) error {
		t.Error("finish ran after the interrupt")
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if opened != 5 {
		t.Errorf("%d files opened, want 5: the interrupt was not seen before the next file", opened)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// An interrupt during finish (the first commit, which does not listen
// for it) still keeps the project from being moved into place.
func TestWriteCancelledDuringFinishLeavesNothing(t *testing.T) {
	root := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := Write(ctx, filepath.Join(root, "app"), sample, func(string) error {
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// BenchmarkWrite is the cost of writing a project of 300 small files
// through the temporary folder and the rename.
func BenchmarkWrite(b *testing.B) {
	files := bigFiles(300, 200)
	root := b.TempDir()
	for i := 0; b.Loop(); i++ {
		if err := Write(context.Background(), filepath.Join(root, strconv.Itoa(i)), files, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCleanStale is the cost a run pays for the leftovers of 50
// killed runs beside its target.
func BenchmarkCleanStale(b *testing.B) {
	root := b.TempDir()
	mine := filepath.Join(root, TempPrefix+"mine-1-1")
	os.Mkdir(mine, 0o700)
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		b.Skip(err)
	}
	dead := cmd.Process.Pid
	for b.Loop() {
		b.StopTimer()
		for j := range 50 {
			p := filepath.Join(root, fmt.Sprintf("%sapp-%d-%d", TempPrefix, dead, j))
			os.MkdirAll(filepath.Join(p, "d"), 0o700)
			os.WriteFile(filepath.Join(p, "d", "f"), []byte("x"), 0o644)
		}
		b.StartTimer()
		cleanStale(root, mine)
	}
}

package project

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/template"
)

// Two scaffold runs write base refs in one repository at once (two
// `scaffold new` into folders of a monorepo, two updates), while git or
// another scaffold reads them. A ref must never be seen empty or half
// written: git then calls the ref broken, and ReadBase fails with "ref
// file is empty"; a run killed at that moment would leave it so.
func TestWriteBaseRefNeverSeenHalfWritten(t *testing.T) {
	dir, settings, when := committed(t)
	if _, err := WriteBase(dir, sample, settings, when, "v0"); err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(dir, ".git", "refs", "scaffold", "base")
	done := make(chan struct{})
	var bad []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			b, err := os.ReadFile(ref)
			if err != nil || len(bytes.TrimSpace(b)) != 40 {
				bad = append(bad, fmt.Sprintf("%q %v", b, err))
				if len(bad) > 5 {
					return
				}
			}
		}
	}()
	for i := 0; i < 300; i++ {
		files := []template.File{{Path: "n.txt", Mode: 0o644, Data: []byte(fmt.Sprint(i))}}
		if _, err := WriteBase(dir, files, settings, when, fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	if len(bad) > 0 {
		t.Errorf("a reader saw the base ref half written: %v", bad)
	}
}

// git keeps <ref>.lock while it changes a ref (update-ref, pack-refs,
// gc): scaffold must not write the ref under git's lock, or one of the
// two updates is lost.
func TestWriteBaseHonorsGitRefLock(t *testing.T) {
	dir, settings, when := committed(t)
	first, err := WriteBase(dir, sample, settings, when, "v0")
	if err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(dir, ".git", "refs", "scaffold", "base.lock")
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = WriteBase(dir, []template.File{{Path: "x", Mode: 0o644, Data: []byte("x")}}, settings, when, "v1")
	if err == nil || !strings.Contains(err.Error(), "base.lock") {
		t.Errorf("WriteBase under git's lock: %v, want a refusal naming the lock", err)
	}
	if _, h, err := ReadBase(dir); err != nil || h != first {
		t.Errorf("the base changed under git's lock: %v %v", h, err)
	}
	if _, err := os.Stat(lock); err != nil {
		t.Errorf("git's lock was removed: %v", err)
	}
}

// Parts of one repository written at once, as by concurrent `scaffold
// new` runs: every part keeps its own ref and the repository stays sound.
func TestWriteBaseConcurrentParts(t *testing.T) {
	dir, settings, when := committed(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			part := filepath.Join(dir, "services", fmt.Sprint("p", i))
			for j := 0; j < 20 && errs[i] == nil; j++ {
				files := []template.File{{Path: "f.txt", Mode: 0o644, Data: []byte(fmt.Sprint(i, j))}}
				_, errs[i] = WriteBase(part, files, settings, when, "v")
			}
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		files, _, err := ReadBase(filepath.Join(dir, "services", fmt.Sprint("p", i)))
		if err != nil || len(files) != 1 || string(files[0].Data) != fmt.Sprint(i, 19) {
			t.Errorf("part %d: %+v %v", i, files, err)
		}
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git CLI not installed; cannot fsck")
	}
	if out, err := exec.Command("git", "-C", dir, "fsck", "--strict", "--no-dangling").CombinedOutput(); err != nil {
		t.Errorf("git fsck: %v\n%s", err, out)
	}
	out, _ := exec.Command("git", "-C", dir, "for-each-ref", "refs/scaffold/parts/").CombinedOutput()
	if got := strings.Count(string(out), "\n"); got != n {
		t.Errorf("%d part refs, want %d:\n%s", got, n, out)
	}
}

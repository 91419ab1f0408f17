package update

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/proc/proctest"
	"github.com/scaffold-cli/scaffold/internal/tree/treetest"
)

// workspace is a folder holding the project folder and a folder beside
// it that nothing may change.
func workspace(t *testing.T) (outer, dir, beside string) {
	outer = t.TempDir()
	dir, beside = filepath.Join(outer, "project"), filepath.Join(outer, "beside")
	for _, d := range []string{dir, beside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(beside, "keep.txt"), []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return outer, dir, beside
}

// A new template version (made by hand: package tree refuses it when
// reading a template) that adds links and files beneath them: Compute
// refuses the plan naming the path, and Apply of the same plan made by
// hand refuses it too. Nothing is written, inside or outside.
func TestHostileLinksInThePlanAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		theirs tree
		want   string
	}{
		{"dot link and escape beneath", tree{"l1": link("."), "esc": link("l1/.."), "esc/x.txt": file("x\n")},
			"esc/x.txt is beneath esc, which is a link"},
		{"escape through a chain", tree{"l1": link("."), "esc": link("l1/.."), "a.txt": file("a\n")},
			`esc is a link to "l1/..": `},
		{"link straight out", tree{"up": link("../beside")}, `up is a link to "../beside": `},
		{"absolute link", tree{"abs": link("/etc")}, "not a relative path"},
		{"file beneath a file", tree{"f": file("f\n"), "f/g": file("g\n")}, "f/g is beneath f, which is a file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outer, dir, _ := workspace(t)
			writeTree(t, dir, tree{"a.txt": file("a\n")})
			before := treetest.Listing(t, outer)
			_, err := Compute(dir, render(tree{"a.txt": file("a\n")}), render(tc.theirs), labels)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "nothing was written") {
				t.Errorf("Compute = %v, want a refusal saying %q", err, tc.want)
			}
			var plan Plan
			for _, p := range slices.Sorted(mapsKeys(tc.theirs)) {
				n := tc.theirs[p]
				c := Change{Path: p, Action: Added, Result: []byte(n.data), Mode: n.mode}
				if n.link != "" {
					c.Result, c.Mode = []byte(n.link), fs.ModeSymlink|0o777
				}
				plan.Changes = append(plan.Changes, c)
			}
			if err := plan.Apply(dir); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Apply = %v, want a refusal saying %q", err, tc.want)
			}
			if after := treetest.Listing(t, outer); after != before {
				t.Errorf("the disk changed:\nbefore\n%s\nafter\n%s", before, after)
			}
		})
	}
}

func mapsKeys(tr tree) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range tr {
			if !yield(k) {
				return
			}
		}
	}
}

// The root holds on its own: whatever the checks before it, a write or a
// removal whose path leads out of the project through a link on disk is
// refused by the kernel, naming the path.
func TestRootRefusesWritesThroughLinksOnDisk(t *testing.T) {
	for _, tc := range []struct {
		name, link string
	}{
		{"relative out", "../beside"},
		{"absolute", "BESIDE"},
		{"chain", "l1/../../beside"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outer, dir, beside := workspace(t)
			target := tc.link
			if target == "BESIDE" {
				target = beside
			}
			writeTree(t, dir, tree{"l1": link("."), "sub": link(target)})
			before := treetest.Listing(t, outer)
			r, err := newReader(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer r.close()
			err = write(r.root, "sub/keep.txt", []byte("overwritten\n"), 0o644)
			if err == nil {
				t.Fatal("write through a link out of the project succeeded")
			}
			err = r.root.Remove("sub/keep.txt")
			if err == nil {
				t.Fatal("remove through a link out of the project succeeded")
			}
			if err := WriteFile(dir, "sub/new.txt", []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), "writing sub/new.txt") ||
				!strings.Contains(err.Error(), "leads out of the project") {
				t.Errorf("WriteFile = %v, want a refusal naming sub/new.txt", err)
			}
			if after := treetest.Listing(t, outer); after != before {
				t.Errorf("the disk changed:\nbefore\n%s\nafter\n%s", before, after)
			}
		})
	}
}

// A project folder the user replaced by a link pointing outside is left
// alone: its files are kept with a reason, nothing beside the project
// changes, and a folder swapped for a link after planning is caught.
func TestFolderReplacedByLinkOutside(t *testing.T) {
	outer, dir, beside := workspace(t)
	base := tree{"sub/keep.txt": file("keep\n"), "sub/gone.txt": file("gone\n")}
	theirs := tree{"sub/keep.txt": file("changed by the template\n"), "sub/new.txt": file("new\n")}
	if err := os.WriteFile(filepath.Join(beside, "gone.txt"), []byte("gone\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, tree{"sub": link(beside)})
	before := treetest.Listing(t, outer)
	plan, err := Compute(dir, render(base), render(theirs), labels)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range plan.Changes {
		if c.Writes() {
			t.Errorf("%s: %s, want it left alone", c.Path, c.Action)
		}
	}
	if err := plan.Apply(dir); err != nil {
		t.Fatal(err)
	}
	if after := treetest.Listing(t, outer); after != before {
		t.Errorf("the disk changed:\nbefore\n%s\nafter\n%s", before, after)
	}

	// Planned while sub was a folder, swapped for the link before Apply.
	if err := os.Remove(filepath.Join(dir, "sub")); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, tree{"sub/keep.txt": file("keep\n"), "sub/gone.txt": file("gone\n")})
	plan, err = Compute(dir, render(base), render(theirs), labels)
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, "sub"))
	writeTree(t, dir, tree{"sub": link(beside)})
	before = treetest.Listing(t, outer)
	if err := plan.Apply(dir); err == nil || !strings.Contains(err.Error(), "changed on disk since the update was planned") {
		t.Errorf("Apply = %v, want the stale plan refused", err)
	}
	if after := treetest.Listing(t, outer); after != before {
		t.Errorf("the disk changed:\nbefore\n%s\nafter\n%s", before, after)
	}
}

// Files scaffold must not read: a FIFO, a link to /dev/zero (and one to
// a FIFO), a sparse 4 GiB file. Compute, Apply and Drift finish quickly,
// leave them alone, and Drift counts them as drift.
func TestSpecialAndHugeProjectFilesAreLeftAlone(t *testing.T) {
	outer, dir, _ := workspace(t)
	paths := []string{"fifo.txt", "zero.txt", "tofifo.txt", "huge.bin"}
	base, theirs := tree{}, tree{}
	for _, p := range paths {
		base[p] = file("v1\n")
		theirs[p] = file("v2\n")
	}
	if err := treetest.Mkfifo(filepath.Join(dir, "fifo.txt")); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	writeTree(t, dir, tree{"zero.txt": link("/dev/zero"), "tofifo.txt": link("fifo.txt")})
	f, err := os.Create(filepath.Join(dir, "huge.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(4 << 30); err != nil {
		t.Skipf("no sparse 4 GiB file here: %v", err)
	}
	f.Close()
	before := treetest.Listing(t, outer)

	var plan *Plan
	treetest.Quickly(t, "Compute", func() { plan, err = Compute(dir, render(base), render(theirs), labels) })
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range plan.Changes {
		if c.Action != Kept || c.Reason == "" {
			t.Errorf("%s: %s (%s), want kept with a reason", c.Path, c.Action, c.Reason)
		}
		if c.Path == "huge.bin" && !strings.Contains(c.Reason, "larger than 16 MiB") {
			t.Errorf("huge.bin: reason %q", c.Reason)
		}
	}
	treetest.Quickly(t, "Apply", func() { err = plan.Apply(dir) })
	if err != nil {
		t.Fatal(err)
	}
	var drift []string
	treetest.Quickly(t, "Drift", func() { drift, err = Drift(dir, render(base)) })
	slices.Sort(drift)
	if err != nil || !slices.Equal(drift, slices.Sorted(slices.Values(paths))) {
		t.Errorf("Drift = %v, %v; want all of %v", drift, err, paths)
	}
	if after := treetest.Listing(t, outer); after != before {
		t.Errorf("the disk changed:\nbefore\n%s\nafter\n%s", before, after)
	}
}

// An update killed with SIGKILL leaves its temporary files (named with
// its pid) in the project; the next update removes them, keeps those of
// a live run and anything else, and check's drift never reports them.
func TestNextUpdateRemovesAKilledUpdatesTempFiles(t *testing.T) {
	_, dir, _ := workspace(t)
	dead := proctest.DeadPid(t)
	deadName := fmt.Sprintf(".scaffold-tmp-update-%d-0a1b2c3d4e5f", dead)
	liveName := fmt.Sprintf(".scaffold-tmp-update-%d-0a1b2c3d4e5f", os.Getpid())
	base := tree{"a.txt": file("a\n"), "sub/b.txt": file("b\n")}
	theirs := tree{"a.txt": file("a2\n"), "sub/b.txt": file("b\n")}
	writeTree(t, dir, base)
	writeTree(t, dir, tree{
		deadName:          file("half a file"),
		"sub/" + deadName: file("half"),
		"sub/" + fmt.Sprintf(".scaffold-tmp-update-%d-ffeeddccbbaa", dead): link("b.txt"),
		liveName:              file("a live run's"),
		".scaffold-tmp-notes": file("no pid: not provably ours"),
		fmt.Sprintf(".scaffold-tmp-update-%d-notes", dead): file("not quite our name"),
		fmt.Sprintf(".scaffold-tmp-app-%d-9/f", dead):      file("a folder: project.Write's"),
	})
	if got, err := Drift(dir, render(base)); err != nil || len(got) != 0 {
		t.Errorf("Drift = %v, %v; want none", got, err)
	}
	plan, err := Compute(dir, render(base), render(theirs), labels)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range plan.Changes {
		if strings.Contains(c.Path, ".scaffold-tmp-") {
			t.Errorf("the plan names %s", c.Path)
		}
	}
	if err := plan.Apply(dir); err != nil {
		t.Fatal(err)
	}
	want := tree{
		"a.txt": file("a2\n"), "sub/b.txt": file("b\n"),
		liveName:              file("a live run's"),
		".scaffold-tmp-notes": file("no pid: not provably ours"),
		fmt.Sprintf(".scaffold-tmp-update-%d-notes", dead): file("not quite our name"),
		fmt.Sprintf(".scaffold-tmp-app-%d-9/f", dead):      file("a folder: project.Write's"),
	}
	if d := diffTrees(readTree(t, dir), want); d != "" {
		t.Errorf("after the next update:\n%s", d)
	}
}

// Apply's own temporary files carry its pid, and none is left.
func TestApplyTempFilesCarryThePid(t *testing.T) {
	if !strings.HasPrefix(tempPrefix(), fmt.Sprintf(".scaffold-tmp-update-%d-", os.Getpid())) {
		t.Errorf("tempPrefix() = %q", tempPrefix())
	}
	_, dir, _ := workspace(t)
	plan, err := Compute(dir, nil, render(tree{"a/b.txt": file("b\n"), "l": link("a/b.txt")}), labels)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Apply(dir); err != nil {
		t.Fatal(err)
	}
	if d := diffTrees(readTree(t, dir), tree{"a/b.txt": file("b\n"), "l": link("a/b.txt")}); d != "" {
		t.Error(d)
	}
}

// A link the template adds must stay inside through the links the user
// already has on disk, which the render knows nothing of: data -> a
// folder outside makes data/.. the outside's parent.
func TestNewLinksStayInsideThroughTheUsersLinks(t *testing.T) {
	outer, dir, _ := workspace(t)
	writeTree(t, dir, tree{"a.txt": file("a\n")})
	if err := os.Symlink(t.TempDir(), filepath.Join(dir, "data")); err != nil {
		t.Fatal(err)
	}
	before := treetest.Listing(t, outer)
	for _, target := range []string{"data/..", "data/x", "data/../../etc", "a.txt/../data"} {
		_, err := Compute(dir, render(tree{"a.txt": file("a\n")}), render(tree{"a.txt": file("a\n"), "cfg": link(target)}), labels)
		if err == nil || !strings.Contains(err.Error(), "leads out") || !strings.Contains(err.Error(), "nothing was written") {
			t.Errorf("cfg -> %s: Compute = %v, want a refusal", target, err)
		}
	}
	if _, err := Compute(dir, render(tree{"a.txt": file("a\n")}), render(tree{"a.txt": file("a\n"), "cfg": link("a.txt")}), labels); err != nil {
		t.Errorf("a link to a project file: %v", err)
	}
	if after := treetest.Listing(t, outer); after != before {
		t.Errorf("the disk changed:\nbefore\n%s\nafter\n%s", before, after)
	}
}

// Package update decides, file by file, how a generated project takes a
// newer version of its template, and applies that decision.
//
// Three versions of every file meet: base, the pristine render the project
// was last made or updated from; ours, what is on disk now; and theirs,
// the new render. The rule is the one a three-way merge follows: what only
// the user changed stays, what only the template changed arrives, and what
// both changed is merged line by line, or left to the user with conflict
// markers. Files the template never rendered belong to the user and are
// never read or written.
//
// Compute only reads; Apply writes, and only what Compute planned, so the
// CLI can show the plan (Diff, or a summary of Changes) and ask before
// anything on disk changes.
//
// What scaffold update and scaffold check share comes before the merge:
// Load reads a generated project, Generated.Newer finds the version to
// update to, Generated.Base the pristine render to merge against, and
// Available says whether a version is an update at all.
package update

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/merge"
	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// Action says what an update does with one file.
type Action string

const (
	// Added: the template added the file and the project did not have it.
	Added Action = "added"
	// Updated: the project now holds the template's new version, because
	// the user had not changed the file (or had made the same change).
	Updated Action = "updated"
	// Merged: both sides changed the file and their changes combine cleanly.
	Merged Action = "merged"
	// Conflict: both sides changed the same lines; the file is written
	// with conflict markers for the user to resolve.
	Conflict Action = "conflict"
	// Removed: the template dropped the file and the user had not changed
	// it, so it is deleted.
	Removed Action = "removed"
	// Kept: the template changed the file but what is on disk stays as it
	// is; Reason says why.
	Kept Action = "kept"
	// Unchanged: nothing to do.
	Unchanged Action = "unchanged"
	// Deleted: the user deleted the file and it stays deleted; Reason is
	// set when the template changed it meanwhile.
	Deleted Action = "deleted"
)

// Change is the decision for one path.
type Change struct {
	Path   string `json:"path"`
	Action Action `json:"action"`
	// Reason is one line: always set for kept, conflict and merged, and
	// for deleted when the template changed the file the user deleted.
	Reason string `json:"reason,omitempty"`
	// Ours is the content on disk now, or the target of a link; nil when
	// nothing readable is there. An empty file is empty, not nil.
	Ours []byte `json:"-"`
	// OursMode is the mode of Ours: permission bits for a file,
	// fs.ModeSymlink for a link.
	OursMode fs.FileMode `json:"-"`
	// Result is what the path holds after Apply (content, or link
	// target); nil when it is removed or stays absent.
	Result []byte `json:"-"`
	// Mode is the mode of Result, as OursMode.
	Mode fs.FileMode `json:"-"`
	// Binary is set when any of the three versions is a binary file.
	Binary bool `json:"binary,omitempty"`
	// Secret is set for a path kept because it holds a secret answer
	// (see ComputeWithSecrets).
	Secret bool `json:"secret,omitempty"`
}

// Writes reports whether Apply changes the disk at this path.
func (c *Change) Writes() bool {
	switch c.Action {
	case Added, Updated, Merged, Conflict, Removed:
		return true
	}
	return false
}

// Plan is the decision for every path of base and theirs, sorted by path.
// Unchanged paths are included so a summary can count them; a path that
// is gone from the template and from the disk has no entry.
type Plan struct {
	Changes []Change `json:"changes"`
}

// Conflicts returns the paths that Apply writes with conflict markers.
func (p *Plan) Conflicts() []string {
	var paths []string
	for _, c := range p.Changes {
		if c.Action == Conflict {
			paths = append(paths, c.Path)
		}
	}
	return paths
}

// Changed returns the changes worth listing: all but those of unchanged
// files.
func (p *Plan) Changed() []Change {
	var out []Change
	for _, c := range p.Changes {
		if c.Action != Unchanged {
			out = append(out, c)
		}
	}
	return out
}

// Compute decides what happens to every file of base and theirs in the
// project at dir. It reads the project but never writes to it. labels
// name the sides in conflict markers.
//
// A path is refused (with an error) when template.CheckPath refuses it or
// when it appears twice in base or in theirs, and the plan is refused
// when what it writes breaks package tree's rules (a path beneath a link
// or a file it writes, a link leading out). The project is read through
// an os.Root (see reader). The answers file is left out: the caller
// writes it.
func Compute(dir string, base, theirs []template.File, labels merge.Labels) (*Plan, error) {
	bv, err := versions("base", base)
	if err != nil {
		return nil, err
	}
	tv, err := versions("the new render", theirs)
	if err != nil {
		return nil, err
	}
	paths := make([]string, 0, len(tv)+len(bv))
	for p := range tv {
		paths = append(paths, p)
	}
	for p := range bv {
		if _, ok := tv[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)

	r, err := newReader(dir)
	if err != nil {
		return nil, err
	}
	defer r.close()
	ours := make([]version, len(paths))
	for i, p := range paths {
		if ours[i], err = r.read(p); err != nil {
			return nil, err
		}
	}

	changes := make([]Change, len(paths))
	keep := make([]bool, len(paths))
	removed := map[string]bool{}
	for i, p := range paths {
		changes[i], keep[i] = decide(p, bv[p], ours[i], tv[p], labels)
		if changes[i].Action == Removed {
			removed[p] = true
		}
	}
	// A template that turns a file into a folder (or the reverse) removes
	// the old path and adds the new one. On disk the old one is in the way
	// of the new one, but if this plan removes it, it is not in the way
	// once Apply has done the removals, which it does first.
	for i, p := range paths {
		if ours[i].kind != blocked || !r.clearedBy(ours[i], removed) {
			continue
		}
		changes[i], keep[i] = decide(p, bv[p], version{}, tv[p], labels)
	}

	plan := &Plan{Changes: make([]Change, 0, len(paths))}
	for i := range changes {
		if keep[i] {
			plan.Changes = append(plan.Changes, changes[i])
		}
	}
	if err := checkWrites(plan, r.root); err != nil {
		return nil, err
	}
	return plan, nil
}

// kind is what a version of a path is.
type kind uint8

const (
	absent kind = iota
	regular
	symlink
	// blocked: something on disk keeps scaffold from reading or writing
	// the path, such as a folder where a file belongs.
	blocked
)

// version is one of the three versions of a path.
type version struct {
	kind kind
	data []byte      // content, or link target
	perm fs.FileMode // regular only
	// For blocked: why, and what is in the way.
	why   string
	cause cause
	at    string // the slash path in the way (the path itself or a parent)
}

type cause uint8

const (
	causeNone       cause = iota
	causeDir              // a folder where the file belongs
	causeFileParent       // a file where a parent folder belongs
	causeOther            // a link parent, a pipe or device, a huge file
)

// sameContent compares what the path holds, ignoring permissions.
func (v version) sameContent(w version) bool {
	return v.kind == w.kind && bytes.Equal(v.data, w.data)
}

func (v version) equal(w version) bool {
	return v.sameContent(w) && v.perm == w.perm
}

func (v version) mode() fs.FileMode {
	if v.kind == symlink {
		return fs.ModeSymlink | 0o777
	}
	return v.perm
}

func (v version) binary() bool {
	return v.kind == regular && merge.IsBinary(v.data)
}

func versions(what string, files []template.File) (map[string]version, error) {
	m := make(map[string]version, len(files))
	for _, f := range files {
		if strings.EqualFold(f.Path, project.AnswersFile) {
			continue // the caller's to write; never merged as a template file
		}
		if err := template.CheckPath(f.Path); err != nil {
			return nil, fmt.Errorf("refusing to update %s from %s: %w", f.Path, what, err)
		}
		if _, dup := m[f.Path]; dup {
			return nil, fmt.Errorf("%s lists %s twice; render it again", what, f.Path)
		}
		m[f.Path] = fileVersion(f)
	}
	return m, nil
}

func fileVersion(f template.File) version {
	if f.Link != "" {
		return version{kind: symlink, data: []byte(f.Link)}
	}
	perm := f.Mode.Perm()
	if perm == 0 {
		// A File built by hand may leave Mode zero; writing it as 0000
		// would lock the user out of their own file.
		perm = 0o644
	}
	data := f.Data
	if data == nil {
		data = []byte{} // present and empty, which nil would not say
	}
	return version{kind: regular, data: data, perm: perm}
}

// decide makes the Change for path p; keep is false when the path needs
// no entry at all.
func decide(p string, b, o, t version, labels merge.Labels) (c Change, keep bool) {
	c = Change{Path: p, Action: Unchanged, Binary: b.binary() || o.binary() || t.binary()}
	if o.kind == regular || o.kind == symlink {
		c.Ours, c.OursMode = o.data, o.mode()
	}
	keepOurs := func(reason string) (Change, bool) {
		c.Action, c.Reason, c.Result, c.Mode = Kept, reason, c.Ours, c.OursMode
		return c, true
	}

	switch {
	case o.kind == blocked:
		if b.equal(t) {
			return c, true
		}
		if t.kind == absent && (o.cause == causeDir || o.cause == causeFileParent) {
			// The removed file cannot be there: nothing to remove or report.
			return c, false
		}
		c.Action, c.Reason = Kept, o.why
		return c, true

	case t.kind == absent: // the template removed it
		switch {
		case o.kind == absent:
			return c, false
		case o.sameContent(b) && isExec(o.perm) == isExec(b.perm):
			c.Action = Removed
			return c, true
		}
		return keepOurs("removed by the template, but you changed it")

	case o.kind == absent:
		if b.kind == absent {
			c.Action, c.Result, c.Mode = Added, t.data, t.mode()
			return c, true
		}
		c.Action = Deleted
		if !b.equal(t) {
			c.Reason = "you deleted it, and the template has changed it since"
		}
		return c, true
	}

	// Both ours and theirs are there; base may be absent when the
	// template adds a file the user already has.
	var r version
	conflicts := 0
	fromTheirs := false
	switch {
	case o.sameContent(t):
		r = o
	case b.kind != absent && o.sameContent(b):
		r, fromTheirs = t, true
	case b.kind != absent && b.sameContent(t):
		r = o
	case o.kind != regular || t.kind != regular || b.kind == symlink:
		// A link target is a single value: there are no lines to merge.
		if b.kind == absent {
			return keepOurs("added by the template, but you already have something different here")
		}
		return keepOurs("changed by both you and the template, and one of them is a link")
	case c.Binary:
		// Conflict markers would corrupt a binary file, so ours stays.
		if b.kind == absent {
			return keepOurs("added by the template as a binary file, but you already have a different one")
		}
		return keepOurs("binary file changed by both you and the template")
	default:
		var merged []byte
		merged, conflicts = merge.Merge(b.data, o.data, t.data, labels)
		if merged == nil {
			merged = []byte{}
		}
		r = version{kind: regular, data: merged}
	}

	if r.kind == regular {
		switch {
		case b.kind == regular && o.kind == regular && t.kind == regular:
			r.perm = mergePerm(b.perm, o.perm, t.perm)
		case fromTheirs:
			r.perm = t.perm
		default:
			r.perm = o.perm
		}
	}
	c.Result, c.Mode = r.data, r.mode()

	switch {
	case conflicts > 0:
		c.Action = Conflict
		if b.kind == absent {
			c.Reason = "added by the template, but you already have a different file here; resolve the conflict markers"
		} else {
			c.Reason = "you and the template changed the same lines; resolve the conflict markers"
		}
	case r.equal(o):
		c.Action = Unchanged
	case r.equal(t):
		c.Action = Updated
	default:
		c.Action = Merged
		c.Reason = "changed by both you and the template; the changes merged cleanly"
	}
	return c, true
}

func isExec(perm fs.FileMode) bool { return perm&0o111 != 0 }

// mergePerm merges permissions as git does: by the executable bit, the
// only one templates carry. Other bits are the user's, often set by a
// umask, and comparing them too would mistake a 0600 file for a user's
// change and never let a new executable bit arrive.
func mergePerm(b, o, t fs.FileMode) fs.FileMode {
	switch {
	case o == b:
		return t
	case isExec(o) != isExec(b), isExec(t) == isExec(b):
		return o
	case isExec(t):
		return o | (o&0o444)>>2 // executable by whoever may read it
	}
	return o &^ 0o111
}

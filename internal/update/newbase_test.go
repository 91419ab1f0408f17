package update

import (
	"testing"

	"github.com/scaffold-cli/scaffold/internal/template"
)

func TestNewBaseKeepsTheOldVersionOfKeptPaths(t *testing.T) {
	f := func(p, data string) template.File { return template.File{Path: p, Mode: 0o644, Data: []byte(data)} }
	base := []template.File{f("kept", "b"), f("updated", "b"), f("gone", "b"), f("kept-gone", "b"), f("blocked", "b"), f("secret", "b")}
	theirs := []template.File{f("kept", "t"), f("updated", "t"), f("added", "t"), f("kept-added", "t"), f("blocked", "t"), f("secret", "t")}
	ours := []byte("ours")
	plan := &Plan{Changes: []Change{
		{Path: "added", Action: Added}, {Path: "blocked", Action: Kept}, {Path: "gone", Action: Removed},
		{Path: "kept", Action: Kept, Ours: ours}, {Path: "kept-added", Action: Kept, Ours: ours},
		{Path: "kept-gone", Action: Kept, Ours: ours}, {Path: "secret", Action: Kept, Secret: true, Ours: ours},
		{Path: "updated", Action: Updated},
	}}
	got := map[string]string{}
	for _, f := range plan.NewBase(base, theirs) {
		got[f.Path] = string(f.Data)
	}
	want := map[string]string{"kept": "b", "updated": "t", "added": "t", "kept-gone": "b"}
	if len(got) != len(want) {
		t.Errorf("NewBase = %v, want %v", got, want)
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("NewBase[%s] = %q, want %q (all: %v)", p, got[p], w, got)
		}
	}
}

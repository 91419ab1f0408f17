package update

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/merge"
)

// Diff returns, for every path Apply changes, a git-style diff from what
// is on disk to what Apply writes: a "diff --git a/p b/p" line, git's
// new/deleted/old/new mode lines where they apply, then merge.Diff's
// unified diff, or "Binary files a/p and b/p differ" for a binary file. A
// link shows as its target, as git shows it. Kept, deleted and unchanged
// paths have no diff; their Reason says why.
func (p *Plan) Diff() string {
	var sb strings.Builder
	for _, c := range p.Changes {
		if !c.Writes() {
			continue
		}
		a, b := "a/"+c.Path, "b/"+c.Path
		fmt.Fprintf(&sb, "diff --git %s %s\n", a, b)
		switch {
		case c.Ours == nil:
			fmt.Fprintf(&sb, "new file mode %06o\n", gitMode(c.Mode))
			a = "/dev/null"
		case c.Result == nil:
			fmt.Fprintf(&sb, "deleted file mode %06o\n", gitMode(c.OursMode))
			b = "/dev/null"
		case c.OursMode != c.Mode:
			fmt.Fprintf(&sb, "old mode %06o\nnew mode %06o\n", gitMode(c.OursMode), gitMode(c.Mode))
		}
		if string(c.Ours) == string(c.Result) {
			continue // a mode change only
		}
		if c.Binary {
			fmt.Fprintf(&sb, "Binary files %s and %s differ\n", a, b)
			continue
		}
		sb.WriteString(merge.Diff(c.Ours, c.Result, a, b))
	}
	return sb.String()
}

// gitMode is the mode as git prints it: 120000 for a link, 100xxx for a
// file.
func gitMode(m fs.FileMode) uint32 {
	if m&fs.ModeSymlink != 0 {
		return 0o120000
	}
	return 0o100000 | uint32(m.Perm())
}

package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// PartsRef is the namespace of the pristine renders of projects that
// live inside another repository: the project in services/api of a
// repository keeps its base at refs/scaffold/parts/services%2Fapi, beside
// the repository's own at BaseRef. A ref cannot be both a name and a
// folder of names, so no ref may be a prefix of another: the two
// namespaces do not share one, and each folder is a single component
// under PartsRef (see refPath), so that a project in ws and another in
// ws/api keep a base each.
const PartsRef = "refs/scaffold/parts/"

// ErrNoRepository means a folder is in no git repository.
var ErrNoRepository = errors.New("not in a git repository")

// Home is the git repository a project's history is kept in: its own,
// or, for a project made inside another repository (a part of a
// workspace, a service in a monorepo), the one around it. A project in
// another repository has no .git of its own: git does not nest.
type Home struct {
	// Root is the repository's work tree, absolute.
	Root string
	// Rel is the project's folder within Root, slash-separated: "."
	// when the project is the repository.
	Rel string
}

// FindHome finds the repository dir is in: dir's own, else the nearest
// one above it. dir need not exist yet: the search starts at the nearest
// folder of it that does. A folder in a repository's .git is refused.
func FindHome(dir string) (*Home, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	start := abs
	for {
		if _, err := os.Stat(start); err == nil {
			break
		}
		parent := filepath.Dir(start)
		if parent == start {
			return nil, ErrNoRepository
		}
		start = parent
	}
	repo, err := git.PlainOpenWithOptions(start, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, ErrNoRepository
	}
	if err != nil {
		return nil, fmt.Errorf("cannot tell whether %s is in a git repository: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		// A bare repository has no work tree to put a project in.
		return nil, ErrNoRepository
	}
	root := wt.Filesystem.Root()
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	asked := abs
	if a, err := filepath.EvalSymlinks(start); err == nil {
		abs = filepath.Join(a, strings.TrimPrefix(abs, start))
	}
	if err := checkOwner(root); err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		if abs != asked {
			return nil, fmt.Errorf("cannot place %s in the git repository at %s: through symbolic links it is %s, outside that repository; name the folder the links lead to instead", dir, root, abs)
		}
		return nil, fmt.Errorf("cannot place %s in the git repository at %s", dir, root)
	}
	rel = filepath.ToSlash(rel)
	for _, seg := range strings.Split(rel, "/") {
		if strings.EqualFold(seg, ".git") {
			return nil, fmt.Errorf("%s is inside the git data of the repository at %s (.git): choose a folder of its work tree", dir, root)
		}
	}
	return &Home{Root: root, Rel: rel}, nil
}

// checkOwner refuses a repository that belongs to another user: one
// found by looking up from the target may have been planted by someone
// else in a shared folder (a .git in /tmp), and its objects, refs and
// config are theirs; the project's render would go into them. git
// refuses such a repository too (safe.directory). The user's and root's
// are fine, as in CheckParents.
func checkOwner(root string) error {
	for _, p := range []string{root, filepath.Join(root, ".git")} {
		info, err := os.Lstat(p)
		if err != nil {
			continue
		}
		if uid, other := ownedByOther(info); other {
			return fmt.Errorf("the git repository at %s belongs to another user (%s is owned by uid %d): refusing to put the project in it; pass --own-repo for a repository of its own", root, p, uid)
		}
	}
	return nil
}

// Own says the project is the repository, not a folder in one.
func (h *Home) Own() bool { return h.Rel == "." }

// BaseRef is where the project's pristine render is kept: BaseRef for a
// project that is its repository, else under PartsRef.
func (h *Home) BaseRef() plumbing.ReferenceName {
	if h.Own() {
		return BaseRef
	}
	return plumbing.ReferenceName(PartsRef + refPath(h.Rel))
}

// within is a path of the repository as a path of the project; ok is
// false for one outside the project's folder.
func (h *Home) within(p string) (string, bool) {
	if h.Own() {
		return p, true
	}
	rest, ok := strings.CutPrefix(p, h.Rel+"/")
	return rest, ok && rest != ""
}

func (h *Home) open() (*git.Repository, error) {
	return git.PlainOpenWithOptions(h.Root, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
}

// refPath spells a folder as one component of a ref name: a slash is
// written %2F, like what git refuses in a ref (a space, ~ ^ : ? * [ \,
// control characters, a leading dot, "..", a trailing ".lock" or "."),
// and like % itself, so that two folders never share a ref and no
// folder's ref is the folder of another's (ws and ws/api).
func refPath(rel string) string {
	var b strings.Builder
	for j := 0; j < len(rel); j++ {
		c := rel[j]
		safe := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' ||
			c == '.' && j > 0 && j < len(rel)-1 && rel[j-1] != '.' && rel[j+1] != '.'
		if safe {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	s := b.String()
	if strings.HasSuffix(s, ".lock") {
		s = strings.TrimSuffix(s, ".lock") + "%2Elock"
	}
	return s
}

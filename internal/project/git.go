package project

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/config"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/scaffold-cli/scaffold/internal/tree"
)

// maxGitConfigBytes bounds a git config file read for the identity.
const maxGitConfigBytes = 1 << 20

// DefaultIdentity signs the first commit when no git identity is set.
var DefaultIdentity = Identity{Name: "scaffold", Email: "scaffold@localhost"}

// Identity is a git author.
type Identity struct {
	Name  string
	Email string
}

// GitSettings is what the first commit takes from the user's git setup.
type GitSettings struct {
	Identity Identity
	// Default is true when no identity was configured.
	Default bool
	Branch  string
}

// LoadGitSettings reads the author and the default branch as git would:
// GIT_AUTHOR_* variables, then the global config (~/.gitconfig, then
// $XDG_CONFIG_HOME/git/config), then the system config (/etc/gitconfig).
// getenv is the process environment; a missing HOME is fine.
func LoadGitSettings(getenv func(string) string) GitSettings {
	var files []string
	if f := getenv("GIT_CONFIG_GLOBAL"); f != "" {
		files = append(files, f)
	} else {
		if home := getenv("HOME"); home != "" {
			files = append(files, filepath.Join(home, ".gitconfig"))
		}
		xdg := getenv("XDG_CONFIG_HOME")
		if xdg == "" && getenv("HOME") != "" {
			xdg = filepath.Join(getenv("HOME"), ".config")
		}
		if xdg != "" {
			files = append(files, filepath.Join(xdg, "git", "config"))
		}
	}
	if getenv("GIT_CONFIG_NOSYSTEM") == "" {
		if f := getenv("GIT_CONFIG_SYSTEM"); f != "" {
			files = append(files, f)
		} else {
			files = append(files, "/etc/gitconfig")
		}
	}
	s := GitSettings{
		Identity: Identity{Name: getenv("GIT_AUTHOR_NAME"), Email: getenv("GIT_AUTHOR_EMAIL")},
	}
	for _, f := range files {
		// Bounded and never blocking, as every input: a git config that
		// is a FIFO or a link to /dev/zero is skipped like a missing one.
		data, _, err := tree.ReadPath(f, maxGitConfigBytes)
		if err != nil {
			continue
		}
		cfg := config.New()
		if err := config.NewDecoder(bytes.NewReader(data)).Decode(cfg); err != nil {
			continue
		}
		first := func(dst *string, section, key string) {
			if *dst == "" {
				*dst = cfg.Section(section).Option(key)
			}
		}
		first(&s.Identity.Name, "user", "name")
		first(&s.Identity.Email, "user", "email")
		first(&s.Branch, "init", "defaultBranch")
	}
	if s.Identity.Name == "" || s.Identity.Email == "" {
		s.Identity, s.Default = DefaultIdentity, true
	}
	if s.Branch == "" {
		s.Branch = "main"
	}
	return s
}

// CommitError is a git failure after the files were written: the
// project is there, only its first commit is missing.
type CommitError struct{ Err error }

func (e *CommitError) Error() string {
	return fmt.Sprintf("the files are in place but the first commit did not happen: %v; to finish by hand run: git init && git add -A && git commit -m 'Initial commit'", e.Err)
}

func (e *CommitError) Unwrap() error { return e.Err }

// InitialCommit makes dir a git repository whose one commit holds every
// file, honouring the project's .gitignore. It needs no git binary.
// The paths in private (files derived from a secret answer) stay on disk
// and out of every git object, ignored or not: not even a loose blob of
// them is written.
func InitialCommit(dir string, s GitSettings, when time.Time, message string, private ...string) (plumbing.Hash, error) {
	return initialCommit(dir, s, when, message, nil, private)
}

// initialCommit is InitialCommit; with only, it commits no path but
// those, and still honours .gitignore for them.
func initialCommit(dir string, s GitSettings, when time.Time, message string, only, private []string) (plumbing.Hash, error) {
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName(s.Branch)},
	})
	if err != nil {
		return plumbing.ZeroHash, &CommitError{fmt.Errorf("git init with branch %q (init.defaultBranch): %w", s.Branch, err)}
	}
	var excludes []gitignore.Pattern
	if only != nil {
		excludes = append(excludes, onlyPaths(only))
	}
	hash, err := commitAll(repo, s, when, message, excludes, private)
	if err == nil && hash.IsZero() {
		err = errors.New("there is nothing to commit")
	}
	if err != nil {
		return plumbing.ZeroHash, &CommitError{err}
	}
	return hash, nil
}

// CommitChanges commits whatever changed in dir's work tree since the
// last commit (say, lock files a hook wrote). The zero hash means there
// was nothing to commit. The paths in private are left out, as
// InitialCommit leaves them out.
func CommitChanges(dir string, s GitSettings, when time.Time, message string, private ...string) (plumbing.Hash, error) {
	return commitChanges(dir, s, when, message, nil, private)
}

// commitChanges is CommitChanges, leaving out the paths of leave as well
// (what the install left in a new project besides its lock file).
func commitChanges(dir string, s GitSettings, when time.Time, message string, leave pathSet, private []string) (plumbing.Hash, error) {
	repo, err := git.PlainOpen(dir)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	var excludes []gitignore.Pattern
	if len(leave) > 0 {
		excludes = append(excludes, leave)
	}
	return commitAll(repo, s, when, message, excludes, private)
}

// commitAll adds every file of the work tree that neither .gitignore
// nor one of excludes (matched before .gitignore) excludes, leaving
// private out, and commits.
func commitAll(repo *git.Repository, s GitSettings, when time.Time, message string, excludes []gitignore.Pattern, private []string) (plumbing.Hash, error) {
	wt, err := repo.Worktree()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	wt.Excludes = append(wt.Excludes, excludes...)
	// Excluded as .gitignore excludes, before anything is hashed into
	// the object store; an exact path, as no glob could say it safely.
	for _, p := range private {
		wt.Excludes = append(wt.Excludes, exactPath(p))
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return plumbing.ZeroHash, err
	}
	if len(private) > 0 {
		idx, err := repo.Storer.Index()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		for _, e := range idx.Entries {
			if slices.Contains(private, e.Name) {
				// Tracked already (a hand-made commit, say): refuse
				// rather than commit it again.
				return plumbing.ZeroHash, fmt.Errorf("%s holds a secret answer but is in the git index; remove it from the index (git rm --cached %s) and ignore it", e.Name, e.Name)
			}
		}
	}
	sig := &object.Signature{Name: s.Identity.Name, Email: s.Identity.Email, When: when}
	hash, err := wt.Commit(message, &git.CommitOptions{Author: sig, Committer: sig})
	if errors.Is(err, git.ErrEmptyCommit) {
		return plumbing.ZeroHash, nil
	}
	return hash, err
}

// exactPath is a gitignore pattern matching one slash path exactly.
// go-git hands it the path split into names, or (when adding a file on
// Windows) split at backslashes and so whole: joined, both are the path.
type exactPath string

func (p exactPath) Match(path []string, _ bool) gitignore.MatchResult {
	if strings.Join(path, "/") == string(p) {
		return gitignore.Exclude
	}
	return gitignore.NoMatch
}

// onlyPathsPattern is a gitignore pattern excluding every path that is
// neither one of the paths nor a folder above one. Added last, it is
// matched first: a path it keeps is then matched by .gitignore as usual.
// It ignores isDir, which go-git sets for files too when it adds them.
type onlyPathsPattern map[string]bool

func onlyPaths(paths []string) onlyPathsPattern {
	// go-git matches the work tree's root as ".".
	o := onlyPathsPattern{".": true}
	for _, p := range paths {
		for ; p != "."; p = path.Dir(p) {
			o[p] = true
		}
	}
	return o
}

func (o onlyPathsPattern) Match(names []string, _ bool) gitignore.MatchResult {
	if o[filepath.ToSlash(strings.Join(names, "/"))] {
		return gitignore.NoMatch
	}
	return gitignore.Exclude
}

// pathSet is a gitignore pattern excluding the slash paths it holds, and
// nothing else; unlike one exactPath a path, it costs the same for a
// hundred thousand of them (a node_modules).
type pathSet map[string]bool

func (s pathSet) Match(names []string, _ bool) gitignore.MatchResult {
	if s[filepath.ToSlash(strings.Join(names, "/"))] {
		return gitignore.Exclude
	}
	return gitignore.NoMatch
}

// NotIgnored returns the paths of dir that its .gitignore files do not
// ignore, in order: the private files a user must add to .gitignore
// before a plain git add -A commits them.
func NotIgnored(dir string, paths []string) ([]string, error) {
	patterns, err := gitignore.ReadPatterns(osfs.New(dir), nil)
	if err != nil {
		return nil, err
	}
	m := gitignore.NewMatcher(patterns)
	var out []string
	for _, p := range paths {
		if !m.Match(strings.Split(p, "/"), false) {
			out = append(out, p)
		}
	}
	return out, nil
}

// Uncommitted lists the tracked files of dir's repository that differ
// from the last commit, staged or not. Untracked files are not listed:
// an update leaves files it does not know alone.
//
// A project in another repository (see Home) has only the files of its
// folder listed, as paths of the project, and only they are looked at:
// the rest of the repository, a monorepo of any size, is neither walked
// nor read (see status).
func Uncommitted(dir string) ([]string, error) {
	home, err := FindHome(dir)
	if err != nil {
		return nil, err
	}
	repo, err := home.open()
	if err != nil {
		return nil, err
	}
	return status(home, repo)
}

// status compares the project's tracked files three ways, as git status
// does, over the project's folder alone: the last commit with the index
// (staged changes, a conflict), and the index with the work tree,
// looked at through an os.Root of the repository's work tree. What the
// metadata shows needs no hashing: a file gone, a link where a file was
// (or the reverse), a FIFO or device, a size that differs, or that git
// cannot tell (it keeps a size modulo 2^32: a file of 4 GiB or more).
// A file whose size and modification time are the index's, and older
// than the index itself (not racily clean), is taken as unchanged, as
// git does; any other is hashed, and is no larger than what the index
// says it held.
func status(home *Home, repo *git.Repository) ([]string, error) {
	idx, err := repo.Storer.Index()
	if err != nil {
		return nil, err
	}
	within := 0
	for _, e := range idx.Entries {
		if _, ok := home.within(e.Name); ok {
			within++
		}
	}
	// The last commit may hold what no checkout could (a pushed tree
	// that names one folder twice at every level): beyond the index's
	// files and a render's more, it is not walked.
	head, err := headFiles(home, repo, within+tree.DefaultLimits.Entries)
	if err != nil {
		return nil, err
	}
	// When the index was written; unknown, every file is hashed.
	var written time.Time
	if st, ok := repo.Storer.(interface{ Filesystem() billy.Filesystem }); ok {
		if info, err := st.Filesystem().Stat("index"); err == nil {
			written = info.ModTime()
		}
	}
	root, err := os.OpenRoot(home.Root)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	changed := map[string]bool{}
	staged := map[string]bool{}
	for _, e := range idx.Entries {
		rel, ok := home.within(e.Name)
		if !ok {
			continue
		}
		staged[rel] = true
		// Stage 0 is a merged entry (go-git's index.Merged is 1, which
		// no entry holds); 1 to 3 are the sides of a conflict.
		if h, ok := head[rel]; !ok || e.Stage != 0 || h.Hash != e.Hash || !sameMode(h.Mode, e.Mode) {
			changed[rel] = true
			continue
		}
		if e.Mode == filemode.Submodule {
			continue
		}
		if worktreeDiffers(root, e, written) {
			changed[rel] = true
		}
	}
	for rel := range head {
		if !staged[rel] {
			changed[rel] = true // removed from the index
		}
	}
	out := slices.Collect(maps.Keys(changed))
	sort.Strings(out)
	return out, nil
}

// headFiles are the files of the project in the last commit, by their
// paths in the project; none before the first commit. More than max
// entries (folders included) is an error.
func headFiles(home *Home, repo *git.Repository, max int) (map[string]object.TreeEntry, error) {
	out := map[string]object.TreeEntry{}
	ref, err := repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	commit, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, err
	}
	t, err := commit.Tree()
	if err != nil {
		return nil, err
	}
	if !home.Own() {
		if t, err = t.Tree(home.Rel); errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
			return out, nil // not a folder of the last commit
		} else if err != nil {
			return nil, err
		}
	}
	w := object.NewTreeWalker(t, true, nil)
	defer w.Close()
	for n := 0; ; n++ {
		if n > max {
			return nil, fmt.Errorf("the last commit holds more than %d files and folders in %s: more than a checkout of it could", max, home.Rel)
		}
		name, e, err := w.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if e.Mode != filemode.Dir {
			out[name] = e
		}
	}
}

// sameMode says two modes are the same file mode to git: a tree may
// hold the old group-writable mode of a regular file.
func sameMode(a, b filemode.FileMode) bool {
	norm := func(m filemode.FileMode) filemode.FileMode {
		if m == filemode.Deprecated {
			return filemode.Regular
		}
		return m
	}
	return norm(a) == norm(b)
}

// worktreeDiffers says the work tree's file differs from index entry e,
// of an index written at written.
func worktreeDiffers(root *os.Root, e *index.Entry, written time.Time) bool {
	info, err := root.Lstat(e.Name)
	if err != nil {
		return true
	}
	var data io.Reader
	size := info.Size()
	switch {
	case e.Mode == filemode.Symlink:
		if info.Mode()&os.ModeSymlink == 0 {
			return true
		}
		target, err := root.Readlink(e.Name)
		if err != nil {
			return true
		}
		data, size = strings.NewReader(target), int64(len(target))
	case !info.Mode().IsRegular() || size != int64(e.Size):
		return true
	case info.ModTime().Equal(e.ModifiedAt) && info.ModTime().Before(written):
		return false
	default:
		f, err := root.Open(e.Name)
		if err != nil {
			return true
		}
		defer f.Close()
		data = f
	}
	h := plumbing.NewHasher(plumbing.BlobObject, size)
	if n, err := io.Copy(h, io.LimitReader(data, size+1)); err != nil || n != size {
		return true
	}
	return h.Sum() != e.Hash
}

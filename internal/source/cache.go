package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/tree"
)

// The cache holds one entry per repository URL and ref, in a folder named
// by a readable slug and a hash of both (credentials never take part):
//
//	CacheDir/
//	  host-org-repo.git_v1-0123456789abcdef/
//	    source.json        what the entry holds; its time is the last fetch
//	    git/               a bare clone: the fetched objects, no checkout
//	  host-org-repo.git_v1-0123456789abcdef.lock   its lock (see lock.go)
//	  .tmp-<entry>-<random>/  a clone in progress, or an entry replaced
//
// An entry is read under its lock shared, and fetched, installed or
// replaced under its lock exclusive; it appears only by renaming a
// complete clone into place. A clone killed half-way leaves a .tmp-
// folder that nothing reads; the next fetch removes it once its entry's
// lock is free (where locks do not work, once it is older than
// staleAfter).
const (
	metaFile  = "source.json"
	gitDir    = "git"
	tmpPrefix = ".tmp-"
)

// staleAfter is the age at which a .tmp- folder is surely abandoned,
// where file locks do not tell.
const staleAfter = time.Hour

// cacheMeta is the content of source.json.
type cacheMeta struct {
	URL    string `json:"url"`
	Rev    string `json:"rev,omitempty"`
	Kind   string `json:"kind"`
	Commit string `json:"commit"`
}

// cacheKey names the entry of a repository and ref.
func cacheKey(r Ref) string {
	sum := sha256.Sum256([]byte(r.URL + "\x00" + r.Rev))
	return slug(r) + "-" + hex.EncodeToString(sum[:8])
}

var slugUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// slug is the host and path of the URL (no scheme, no user) and the rev,
// in characters every file system takes.
func slug(r Ref) string {
	s := r.URL
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.Index(s, "@"); i >= 0 {
		s = s[i+1:]
	}
	if r.Rev != "" {
		s += "_" + r.Rev
	}
	s = slugUnsafe.ReplaceAllString(s, "-")
	if len(s) > 60 {
		s = s[len(s)-60:]
	}
	// Never a hidden name, which would pass for a .tmp- folder.
	return strings.Trim(s, "-.")
}

// tmpName finds the entry of a .tmp- folder: .tmp-<entry>-<digits>, or
// .tmp-<entry>-old-<digits> for an entry being replaced.
var tmpName = regexp.MustCompile(`^\.tmp-(.+-[0-9a-f]{16})-(?:old-)?[0-9]+$`)

// cleanStale removes abandoned .tmp- folders: those whose entry no
// process holds locked, since clones and replacements happen only under
// the entry's exclusive lock; held is the entry whose lock the caller
// holds exclusive (and whose clone it has not started). Where locks do
// not work, only an age older than age tells, and now must be set.
// Failures only leave litter.
func cleanStale(dir, held string, now func() time.Time, age time.Duration) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		m := tmpName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		if locksWork && m[1] == held {
			os.RemoveAll(filepath.Join(dir, e.Name()))
			continue
		}
		if locksWork {
			if l, ok := tryLockEntry(filepath.Join(dir, m[1])); ok {
				os.RemoveAll(filepath.Join(dir, e.Name()))
				l.unlock()
			}
			continue
		}
		if info, err := e.Info(); err == nil && now != nil && now().Sub(info.ModTime()) > age {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// readEntry reads a cache entry; ok is false when there is none usable.
func readEntry(entry string, r Ref) (m cacheMeta, fetched time.Time, ok bool) {
	data, err := os.ReadFile(filepath.Join(entry, metaFile))
	if err != nil {
		return m, fetched, false
	}
	if json.Unmarshal(data, &m) != nil || m.URL != r.URL || m.Rev != r.Rev || len(m.Commit) != 40 {
		return m, fetched, false
	}
	// An entry of an older scaffold held a checkout in tree/ and no
	// git/: it is fetched again, and replaced.
	if info, err := os.Stat(filepath.Join(entry, gitDir, "objects")); err != nil || !info.IsDir() {
		return m, fetched, false
	}
	info, err := os.Stat(filepath.Join(entry, metaFile))
	if err != nil {
		return m, fetched, false
	}
	return m, info.ModTime(), true
}

// writeMeta writes source.json whole, through a rename, so it is never
// seen half-written; its modification time records the fetch.
func writeMeta(entry string, m cacheMeta) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	// A name of its own: runs holding the shared lock may write at once.
	f, err := os.CreateTemp(entry, metaFile+".tmp-")
	if err != nil {
		return err
	}
	_, err = f.Write(append(data, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(entry, metaFile))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// install renames a complete clone into place, under the entry's
// exclusive lock, so no process is reading the entry it replaces: that
// one is renamed aside first (a crash then leaves .tmp- litter, never a
// half-deleted entry) and removed.
func install(dir, tmp, entry string) error {
	if _, err := os.Stat(entry); err == nil {
		old, err := os.MkdirTemp(dir, tmpPrefix+filepath.Base(entry)+"-old-")
		if err != nil {
			return err
		}
		// os.Rename refuses a non-empty target, and MkdirTemp made one.
		if err := os.Remove(old); err != nil {
			return err
		}
		if err := os.Rename(entry, old); err != nil {
			return err
		}
		defer os.RemoveAll(old)
	}
	return os.Rename(tmp, entry)
}

// openGit opens a git template through the cache.
func openGit(ctx context.Context, r Ref, opts Options) (*Opened, error) {
	if opts.CacheDir == "" {
		return nil, fmt.Errorf("template %s: git templates need a cache folder: set XDG_CACHE_HOME or HOME", r)
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	timeout, maxTime := opts.timeouts()
	ctx, cancel := context.WithTimeout(ctx, maxTime)
	defer cancel()

	rm, err := newRemote(r, getenv, timeout, opts.Progress, policyOf(opts, getenv))
	rm.maxTime = maxTime
	if err != nil {
		return nil, err
	}
	defer rm.close()

	if err := os.MkdirAll(opts.CacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("making the template cache: %w", err)
	}
	entry := filepath.Join(opts.CacheDir, cacheKey(r))
	var notices []string
	notice := func(format string, args ...any) {
		msg := rm.redact(fmt.Sprintf(format, args...))
		notices = append(notices, msg)
		if opts.Progress != nil {
			fmt.Fprintln(opts.Progress, msg)
		}
	}
	lock := func(exclusive bool) (*entryLock, error) {
		l, err := lockEntry(ctx, entry, exclusive, func() {
			if opts.Progress != nil {
				fmt.Fprintf(opts.Progress, "waiting for another scaffold to finish with %s\n", r.repoLabel())
			}
		})
		if err != nil && ctx.Err() != nil {
			return nil, &gitError{msg: rm.redact(fmt.Sprintf("%s: another scaffold held the template cache's lock %s for longer than %s", r.repoLabel(), entry+lockSuffix, maxTime)), cause: err}
		}
		return l, err
	}

	// A tag or commit in the cache needs no network at all, and only a
	// shared lock.
	l, err := lock(false)
	if err != nil {
		return nil, err
	}
	m, fetched, cached := readEntry(entry, r)
	if cached && immutable(m.Kind) && !opts.Refresh {
		defer l.unlock()
		return load(entry, r, m, notice, &notices)
	}
	l.unlock()

	// The remote is asked holding no lock, so that runs on one branch
	// do not wait for each other's round trips (or timeouts).
	refs, err := rm.list(ctx)
	if err != nil {
		if !cached || opts.Refresh || errors.Is(err, context.Canceled) {
			return nil, err
		}
		notice("using the cached copy of %s from %s: %v", r.repoLabel(), fetched.UTC().Format("2006-01-02 15:04 UTC"), err)
		l, lerr := lock(false)
		if lerr != nil {
			return nil, lerr
		}
		defer l.unlock()
		// Entries are replaced, never removed: one is still there.
		if m, _, cached = readEntry(entry, r); !cached {
			return nil, err
		}
		return load(entry, r, m, notice, &notices)
	}
	tgt, err := rm.resolve(refs)
	if err != nil {
		return nil, err
	}
	// fresh says whether an entry holds what the remote has now (a
	// commit cannot change; a refresh only checks the remote answers).
	fresh := func(m cacheMeta, cached bool) bool {
		return cached && (tgt.kind == targetCommit || tgt.hash.String() == m.Commit)
	}
	if fresh(m, cached) {
		l, err := lock(false)
		if err != nil {
			return nil, err
		}
		if m, _, cached = readEntry(entry, r); fresh(m, cached) {
			defer l.unlock()
			// Its time records that the remote was asked.
			if err := writeMeta(entry, m); err != nil {
				return nil, fmt.Errorf("updating the template cache: %w", err)
			}
			return load(entry, r, m, notice, &notices)
		}
		l.unlock()
	}

	l, err = lock(true)
	if err != nil {
		return nil, err
	}
	defer l.unlock()
	cleanStale(opts.CacheDir, filepath.Base(entry), opts.Now, max(staleAfter, 2*maxTime))
	// Another run may have fetched it while this one waited for the lock.
	if m, _, cached = readEntry(entry, r); !fresh(m, cached) {
		if m, err = fetchInto(ctx, rm, tgt, opts.CacheDir, entry); err != nil {
			return nil, err
		}
	}
	return load(entry, r, m, notice, &notices)
}

// load reads the template of a cache entry, under its lock, with the
// layers it includes from other folders of the same commit, all from
// the one storage, open until they are read.
func load(entry string, r Ref, m cacheMeta, notice func(string, ...any), notices *[]string) (*Opened, error) {
	st := filesystem.NewStorage(osfs.New(filepath.Join(entry, gitDir)), cache.NewObjectLRUDefault())
	defer st.Close()
	commit := plumbing.NewHash(m.Commit)
	read := func(folder string, lim tree.Limits) (*tree.Tree, string, error) {
		files, real, submodules, err := gitFolder(st, commit, folder, lim)
		for _, p := range submodules {
			notice("%s: %s is a git submodule, left out: scaffold reads only the template's own repository", r, path.Join(real, p))
		}
		return files, real, err
	}
	dir := r.Subdir
	if dir == "" {
		dir = "."
	}
	files, dir, submodules, err := gitFolder(st, commit, dir, tree.DefaultLimits)
	switch {
	case errors.Is(err, template.ErrOutsideRoot):
		return nil, fmt.Errorf("template %s: folder %q leads out of the repository", r, r.Subdir)
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, template.ErrNotFolder):
		return nil, fmt.Errorf("no folder %q in %s at commit %.12s: check the path after //", r.Subdir, r.repoLabel(), m.Commit)
	case err != nil:
		return nil, fmt.Errorf("template %s: %w", r, err)
	}
	for _, p := range submodules {
		notice("%s: %s is a git submodule, left out: scaffold reads only the template's own repository", r, p)
	}
	src := template.Source{Root: fmt.Sprintf("%s at commit %.12s", r.URL, m.Commit), Dir: dir, Read: read}
	t, err := template.Compose(files, r.String(), src)
	if err != nil {
		return nil, err
	}
	return &Opened{Template: t, Kind: Git, Ref: r.String(), Commit: m.Commit, Digest: t.Digest(), Notices: *notices}, nil
}

// fetchInto clones the target, bare, beside the entry and renames it
// into place; the caller holds the entry's exclusive lock. Nothing is
// checked out: the template is read from the git objects (see gitFolder),
// so a huge file is never written out or inflated.
func fetchInto(ctx context.Context, rm *remote, tgt target, dir, entry string) (cacheMeta, error) {
	tmp, err := os.MkdirTemp(dir, tmpPrefix+filepath.Base(entry)+"-")
	if err != nil {
		return cacheMeta{}, fmt.Errorf("making the template cache: %w", err)
	}
	installed := false
	defer func() {
		if !installed {
			os.RemoveAll(tmp)
		}
	}()
	if rm.progress != nil {
		fmt.Fprintf(rm.progress, "fetching %s\n", rm.ref.repoLabel())
	}
	hash, err := rm.clone(ctx, tgt, tmp)
	if err != nil {
		return cacheMeta{}, err
	}
	m := cacheMeta{URL: rm.ref.URL, Rev: rm.ref.Rev, Kind: tgt.kind, Commit: hash.String()}
	if err := writeMeta(tmp, m); err != nil {
		return cacheMeta{}, fmt.Errorf("making the template cache: %w", err)
	}
	if err := install(dir, tmp, entry); err != nil {
		return cacheMeta{}, fmt.Errorf("making the template cache: %w", err)
	}
	installed = true
	return m, nil
}

// gitFolder reads the folder of commit (a clean slash path, "." for the
// root) from st, as template.Source's Read, and gives the folder it
// names once links are followed, and the submodules left out below it,
// relative to it. When a link is on the way the whole commit is read,
// within lim, and the folder taken from it.
func gitFolder(st storer.EncodedObjectStorer, commit plumbing.Hash, folder string, lim tree.Limits) (*tree.Tree, string, []string, error) {
	sub := folder
	if sub == "." {
		sub = ""
	}
	files, rooted, submodules, err := gitTree(st, commit, sub, lim)
	if err != nil {
		return nil, "", nil, err
	}
	if rooted || sub == "" {
		return files, folder, submodules, nil
	}
	real, err := files.Resolve(folder)
	if err != nil {
		return nil, "", nil, fmt.Errorf("%w: %v", template.ErrOutsideRoot, err)
	}
	var below []string
	for _, p := range submodules {
		if rest, ok := strings.CutPrefix(p, real+"/"); ok {
			below = append(below, rest)
		}
	}
	files, real, err = template.Folder(files, real)
	return files, real, below, err
}

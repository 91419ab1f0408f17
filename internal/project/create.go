package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/scaffold-cli/scaffold/internal/template"
)

// CreateOptions say what Create writes and runs.
type CreateOptions struct {
	// Files are the project's files, its answers record among them.
	Files []template.File
	// Base is the pristine render, kept under BaseRef for scaffold
	// update's merges (the Private paths left out).
	Base []template.File
	// Private are the paths of files that hold a secret answer: written,
	// never put in git.
	Private []string
	// Git, when set, makes the project a repository with a first commit
	// by its identity on its branch.
	Git *GitSettings
	// InRepo, with Git, says dir is a folder of another repository (see
	// Home): git does not nest, so no repository is made and nothing is
	// committed; the pristine render goes into that repository's
	// objects, under the project's ref, for scaffold update.
	InRepo bool
	// Source names the template in the commit messages.
	Source string
	// Now stamps the commits.
	Now func() time.Time
	// Hooks are run in the project once it is in place, in order; the
	// caller has decided they may (see DecideHooks).
	Hooks []string
	// Name is the project's name, for the hooks' SCAFFOLD_PROJECT_NAME.
	Name string
	// Getenv is the environment the hooks' small one is taken from
	// (see HookEnv).
	Getenv func(string) string
	// HookOutput receives what the hooks print.
	HookOutput io.Writer
	// Install, when set, installs the dependencies before the first
	// commit; the caller has decided it may.
	Install *Install
	// Parts are the projects of a workspace, each in its own folder of
	// it (Files hold theirs too, below those folders): each installs in
	// its folder, and keeps its own pristine render under its own ref,
	// so that scaffold update works on it alone.
	Parts []Part
}

// Part is one project of a workspace that Create puts at Path.
type Part struct {
	// Path is the part's folder, slash-separated, relative to the
	// workspace.
	Path string
	// Base is the part's pristine render, its paths relative to Path;
	// Private are its paths that hold a secret answer.
	Base    []template.File
	Private []string
	// Install, when set, runs in Path before the first commit.
	Install *Install
	// Source names the part's template in its base's commit message.
	Source string
}

// Created is what Create made.
type Created struct {
	// Commit is the first commit; empty without git, in another
	// repository, or when it failed.
	Commit string
	// BaseRef is the ref of the pristine render in the repository around
	// the project (CreateOptions.InRepo), once it is recorded.
	BaseRef string
	// HooksCommit holds what the hooks changed; empty when they changed
	// nothing or there is no commit to follow.
	HooksCommit string
	// NotIgnored are the Private paths that the project's .gitignore does
	// not ignore, which a plain git add -A would commit.
	NotIgnored []string
	// Installed says the install ran and wrote its lock file; Took is
	// how long it ran. LockCommitted says the first commit holds that
	// lock file: not without git, nor when .gitignore ignores it.
	// NoLock says it wrote no lock file (a Go module with no
	// dependencies has no go.sum).
	Installed bool
	// InstalledParts are the folders of a workspace's parts whose
	// install ran (CreateOptions.Parts): one part's failure is its own.
	InstalledParts []string
	Took           time.Duration
	LockCommitted  bool
	NoLock         bool

	// leftovers are the files the install wrote besides its lock file,
	// which no commit holds, the hooks' included.
	leftovers pathSet
}

// Create puts a new project at dir: it writes the files (see Write) and,
// with git, makes the first commit and the pristine base before the
// folder is renamed into place; then it runs the hooks and commits what
// they changed as a second commit, so the first stays the pristine
// render.
//
// When the project could not be written, Create returns nil and the
// error. Otherwise the project is in place, and a failed commit or hook
// is returned with what was made: a project is worth keeping without its
// commit.
func Create(ctx context.Context, dir string, opts CreateOptions) (*Created, error) {
	c := &Created{}
	var commitErr, installErr error
	finish := func(tmp string) error {
		// The first commit holds what the template rendered and the lock
		// file the install wrote: nothing else it left behind, whatever
		// the template's .gitignore says (node_modules, say).
		paths := make([]string, 0, len(opts.Files)+1)
		for _, f := range opts.Files {
			paths = append(paths, f.Path)
		}
		installed := 0
		for _, u := range opts.units() {
			in := u.Install
			if in == nil {
				continue
			}
			lock := path.Join(u.Path, in.Lock)
			rendered := slices.Contains(paths, lock)
			took, locked, err := in.run(ctx, filepath.Join(tmp, filepath.FromSlash(u.Path)), rendered)
			c.Took += took
			if ctx.Err() != nil {
				return ctx.Err() // interrupted: nothing is created
			}
			if err != nil {
				err = movedError(err, tmp, dir)
				if ie := (*InstallError)(nil); errors.As(err, &ie) {
					if ie.Lock = lock; opts.Git == nil {
						ie.Lock = "" // no commit to put it in
					}
				}
				installErr = errors.Join(installErr, err)
				continue
			}
			installed++
			if u.Path != "." {
				c.InstalledParts = append(c.InstalledParts, u.Path)
			}
			c.NoLock = c.NoLock || in.Lock != "" && !locked
			if locked && !rendered && !slices.Contains(opts.Private, lock) {
				paths = append(paths, lock)
			}
		}
		c.Installed = installed > 0 && installErr == nil
		if opts.Git != nil && len(opts.Hooks) > 0 && installed > 0 {
			c.leftovers = filesBut(tmp, paths)
		}
		if opts.Git == nil {
			return nil
		}
		for _, u := range opts.units() {
			gitDir := filepath.Join(tmp, filepath.FromSlash(u.Path), ".git")
			if _, serr := os.Lstat(gitDir); serr != nil || u.Install == nil {
				continue
			}
			// No rendered path is .git: the install made it. go-git would
			// take it for the project's repository, with whatever hooks,
			// config or history it holds, and so would git in a repository
			// around the project (a nested repository, which git add takes
			// for a submodule): it is removed.
			left := errors.New("the install left a .git in the project, which scaffold does not take for its repository")
			if u.Path != "." {
				left = fmt.Errorf("the install left a .git in %s, which would make it a repository inside the workspace's; it was removed", u.Path)
			}
			if commitErr = movedError(left, tmp, dir); opts.InRepo {
				commitErr = fmt.Errorf("the files are in place, but %w; it was removed, and no pristine render was recorded: scaffold update will render the recorded version again instead", left)
			}
			os.RemoveAll(gitDir)
			if u.Path == "." {
				return nil
			}
		}
		if opts.InRepo {
			return nil
		}
		hash, err := initialCommit(tmp, *opts.Git, opts.Now(), "Initial commit from scaffold ("+opts.Source+")", paths, opts.Private)
		if err == nil {
			err = opts.writeBases(tmp)
		}
		if err != nil {
			commitErr = movedError(err, tmp, dir)
			// A half-written repository (a full disk, say) is worse than
			// none: the error says how to make one by hand.
			os.RemoveAll(filepath.Join(tmp, ".git"))
			return nil
		}
		c.Commit = hash.String()
		if c.Installed && opts.Install != nil && opts.Install.Lock != "" {
			open, err := NotIgnored(tmp, []string{opts.Install.Lock})
			c.LockCommitted = err == nil && len(open) == 1 && slices.Contains(paths, opts.Install.Lock)
		}
		return nil
	}
	if err := Write(ctx, dir, opts.Files, finish); err != nil {
		return nil, err
	}
	if opts.Git != nil && opts.InRepo && commitErr == nil {
		// Only now is dir the folder of the repository it will stay in.
		if err := opts.writeBases(dir); err != nil {
			commitErr = fmt.Errorf("the files are in place, but recording their pristine render in the repository around them failed: %w; scaffold update will render the recorded version again instead", err)
		} else if home, err := FindHome(dir); err == nil {
			c.BaseRef = string(home.BaseRef())
		}
	}
	if (c.Commit != "" || opts.InRepo) && len(opts.Private) > 0 {
		if open, err := NotIgnored(dir, opts.Private); err == nil {
			c.NotIgnored = open
		}
	}
	return c, errors.Join(installErr, commitErr, c.runHooks(ctx, dir, opts))
}

// units are the workspace (or the project) and its parts, each with
// what it installs and records: the root's Path is ".".
func (opts CreateOptions) units() []Part {
	root := Part{Path: ".", Base: opts.Base, Private: opts.Private, Install: opts.Install, Source: opts.Source}
	return append([]Part{root}, opts.Parts...)
}

// writeBases records the pristine render of the project in dir and of
// each of its parts, each under its own ref (see Home.BaseRef).
func (opts CreateOptions) writeBases(dir string) error {
	for _, u := range opts.units() {
		at := filepath.Join(dir, filepath.FromSlash(u.Path))
		if _, err := WriteBase(at, Without(u.Base, u.Private), *opts.Git, opts.Now(), "scaffold: pristine render of "+u.Source); err != nil {
			if u.Path != "." {
				return fmt.Errorf("%s: %w", u.Path, err)
			}
			return err
		}
	}
	return nil
}

// filesBut lists the files (and links) below dir that are not among
// paths, .git left out: what an install wrote besides its lock file. A
// folder it cannot read is passed over: git cannot read it either.
func filesBut(dir string, paths []string) pathSet {
	keep := make(map[string]bool, len(paths))
	for _, p := range paths {
		keep[p] = true
	}
	out := pathSet{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		rel, rerr := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case err != nil || rerr != nil:
			return nil
		case rel == ".git":
			return filepath.SkipDir
		case !d.IsDir() && !keep[rel]:
			out[rel] = true
		}
		return nil
	})
	return out
}

// movedError is a failure to commit in tmp as it reads once tmp is dir:
// its paths name tmp, which is about to become dir.
func movedError(err error, tmp, dir string) error {
	var ie *InstallError
	if errors.As(err, &ie) {
		moved := *ie
		moved.Output = strings.ReplaceAll(ie.Output, tmp, dir)
		if !errors.Is(ie.Err, context.Canceled) {
			moved.Err = errors.New(strings.ReplaceAll(ie.Err.Error(), tmp, dir))
		}
		return &moved
	}
	msg := err.Error()
	var ce *CommitError
	if errors.As(err, &ce) {
		msg = ce.Err.Error()
	}
	return &CommitError{Err: errors.New(strings.ReplaceAll(msg, tmp, dir))}
}

// runHooks runs the hooks in the finished project and commits what they
// changed. Hooks get the small environment of HookEnv, never scaffold's
// whole one (SCAFFOLD_GIT_TOKEN is in it).
func (c *Created) runHooks(ctx context.Context, dir string, opts CreateOptions) error {
	if len(opts.Hooks) == 0 {
		return nil
	}
	env := HookEnv(opts.Getenv, "SCAFFOLD_PROJECT_DIR="+dir, "SCAFFOLD_PROJECT_NAME="+opts.Name)
	if err := RunHooks(ctx, dir, opts.Hooks, env, opts.HookOutput); err != nil {
		return err
	}
	if c.Commit == "" {
		return nil
	}
	hash, err := commitChanges(dir, *opts.Git, opts.Now(), "Run template hooks", c.leftovers, opts.Private)
	if err != nil {
		return fmt.Errorf("committing what the hooks changed: %w", err)
	}
	if !hash.IsZero() {
		c.HooksCommit = hash.String()
	}
	return nil
}

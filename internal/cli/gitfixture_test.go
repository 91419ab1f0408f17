package cli_test

import (
	"path/filepath"
	"runtime"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/rogpeppe/go-internal/testscript"
)

// gitcommit DIR TAG commits everything in DIR (made a repository on
// branch main first if it is not one) and tags the commit TAG, with
// go-git: for scripts that build a git template where no git binary
// is (the Windows build run under Wine, see .ci/wine-tests).
func cmdGitCommit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gitcommit DIR TAG")
	}
	dir := ts.MkAbs(args[0])
	repo, err := git.PlainOpen(dir)
	if err != nil {
		repo, err = git.PlainInitWithOptions(dir, &git.PlainInitOptions{
			InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
		})
	}
	ts.Check(err)
	wt, err := repo.Worktree()
	ts.Check(err)
	ts.Check(wt.AddWithOptions(&git.AddOptions{All: true}))
	when := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	sig := &object.Signature{Name: "t", Email: "t@t", When: when}
	h, err := wt.Commit(args[1], &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	ts.Check(err)
	_, err = repo.CreateTag(args[1], h, nil)
	ts.Check(err)
}

// fileURL is the file:// URL of an absolute path: file:///srv/x on
// Unix, file:///C:/Users/x on Windows.
func fileURL(abs string) string {
	p := filepath.ToSlash(abs)
	if runtime.GOOS == "windows" {
		p = "/" + p
	}
	return "file://" + p
}

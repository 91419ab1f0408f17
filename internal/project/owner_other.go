//go:build !unix

package project

import "io/fs"

// ownedByOther is never true here. Windows files have an owner (a SID
// in their security descriptor), but who may write through a folder or
// a link is decided by its ACL, not by who owns it, and no folder is
// shared the way /tmp is: each user's temporary folder is their own.
// So the refusals of a planted link or repository that rest on
// ownership (CheckParents, checkOwner) do not apply on Windows: a
// weaker guarantee than on Unix, where they hold.
func ownedByOther(fs.FileInfo) (uid uint32, other bool) { return 0, false }

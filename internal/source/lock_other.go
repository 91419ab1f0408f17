//go:build !(unix && !aix) && !windows

package source

import "os"

// locksWork is false where scaffold has no file lock: every lock is
// granted at once, and abandoned clones are told by their age only.
const locksWork = false

func tryLockFile(*os.File, bool) (bool, error) { return true, nil }

func unlockFile(*os.File) {}

package source

import (
	"context"
	"fmt"
	"os"
	"time"
)

// The cache entries are locked with advisory file locks (flock on Unix,
// LockFileEx on Windows), one lock file per entry beside it:
//
//	CacheDir/<entry>.lock
//
// A process holds the lock shared while it reads an entry and exclusive
// while it fetches, replaces or installs it, so no entry is moved away
// under a reader and two processes never fetch the same entry at once:
// the second waits and then finds the first one's result. The kernel
// releases the lock of a process that dies, so a .tmp- folder whose
// entry is not locked is surely abandoned (see cleanStale). Lock files
// are never removed: removing one while another process waits on it would
// let two processes hold "the" lock at once.
const lockSuffix = ".lock"

// lockPoll is how often a busy lock is tried again.
const lockPoll = 25 * time.Millisecond

// entryLock is a held lock; unlock releases it.
type entryLock struct{ f *os.File }

func (l *entryLock) unlock() {
	if l != nil && l.f != nil {
		unlockFile(l.f)
		l.f.Close()
		l.f = nil
	}
}

// lockEntry takes the lock of entry, exclusive or shared, waiting while
// another process holds it until ctx ends. waiting is called once, when
// the lock is busy, so the user hears why nothing happens.
func lockEntry(ctx context.Context, entry string, exclusive bool, waiting func()) (*entryLock, error) {
	f, err := os.OpenFile(entry+lockSuffix, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking the template cache: %w", err)
	}
	told := false
	for {
		ok, err := tryLockFile(f, exclusive)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking the template cache: %w", err)
		}
		if ok {
			return &entryLock{f: f}, nil
		}
		if !told && waiting != nil {
			waiting()
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, context.Cause(ctx)
		case <-time.After(lockPoll):
		}
	}
}

// tryLockEntry takes the exclusive lock of entry if no process holds
// it; ok is false when one does or when locks do not work here.
func tryLockEntry(entry string) (*entryLock, bool) {
	if !locksWork {
		return nil, false
	}
	f, err := os.OpenFile(entry+lockSuffix, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false
	}
	if ok, err := tryLockFile(f, true); err != nil || !ok {
		f.Close()
		return nil, false
	}
	return &entryLock{f: f}, true
}

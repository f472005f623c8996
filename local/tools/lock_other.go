//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || windows)

package tools

import (
	"errors"
	"io/fs"
	"os"
	"time"
)

// Where neither flock nor LockFileEx is at hand, the lock is the file's
// existence: created with O_EXCL, removed on unlock. A holder that
// crashed leaves it behind, so a lock file older than staleLockAge (the
// longest install, the provider, takes about 20 minutes) is taken over.
const staleLockAge = 2 * time.Hour

type fileLock struct {
	f    *os.File
	path string
}

// tryLock takes the lock on path without waiting; false when another
// holder has it.
func tryLock(path string) (*fileLock, bool, error) {
	for attempt := 0; ; attempt++ {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			return &fileLock{f: f, path: path}, true, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, false, err
		}
		info, serr := os.Stat(path)
		if attempt > 0 || serr != nil || time.Since(info.ModTime()) < staleLockAge {
			return nil, false, nil
		}
		_ = os.Remove(path) // stale: its holder is gone
	}
}

// unlock releases the lock: the file goes.
func (l *fileLock) unlock() error {
	return errors.Join(l.f.Close(), os.Remove(l.path))
}

//go:build windows

package tools

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// fileLock is a LockFileEx lock on the first byte of a file that stays in
// place. Windows drops it when its holder exits, so a crashed install
// never blocks the next one.
type fileLock struct {
	f  *os.File
	ol windows.Overlapped
}

// tryLock takes the lock on path without waiting; false when another
// holder (process, or open file of this one) has it.
func tryLock(path string) (*fileLock, bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, err
	}
	l := &fileLock{f: f}
	err = windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &l.ol)
	if err != nil {
		f.Close()
		if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return l, true, nil
}

// unlock releases the lock and closes the file.
func (l *fileLock) unlock() error {
	err := windows.UnlockFileEx(windows.Handle(l.f.Fd()), 0, 1, 0, &l.ol)
	return errors.Join(err, l.f.Close())
}

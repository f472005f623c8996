//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package tools

import (
	"errors"
	"os"
	"syscall"
)

// fileLock is an flock(2) lock on a file that stays in place. The kernel
// drops it when its holder exits, however it exits, so a crashed install
// never blocks the next one.
type fileLock struct{ f *os.File }

// tryLock takes the lock on path without waiting; false when another
// holder (process, or open file of this one) has it.
func tryLock(path string) (*fileLock, bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EAGAIN) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return &fileLock{f: f}, true, nil
}

// unlock releases the lock (closing the file does).
func (l *fileLock) unlock() error { return l.f.Close() }

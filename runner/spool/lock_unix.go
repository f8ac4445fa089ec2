//go:build unix

package spool

import (
	"fmt"
	"os"
	"syscall"
)

type stateLock struct{ f *os.File }

// lockShared takes path's lock: exclusively when no one else holds it
// (alone), shared otherwise.
func lockShared(path string) (l *stateLock, alone bool, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("opening %s: %w", path, err)
	}
	l = &stateLock{f}
	if flock(f, syscall.LOCK_EX|syscall.LOCK_NB) == nil {
		return l, true, nil
	}
	// Another assay runs, or is cleaning up for a moment.
	if err := flock(f, syscall.LOCK_SH); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("locking %s: %w", path, err)
	}
	return l, false, nil
}

// share turns an exclusive lock into a shared one, letting other runs in.
func (l *stateLock) share() { flock(l.f, syscall.LOCK_SH) }

func (l *stateLock) release() {
	flock(l.f, syscall.LOCK_UN)
	l.f.Close()
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

//go:build unix

package results

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lock takes the store's lock file, so two assay processes in one clone
// never move the results refs at the same time. The kernel drops the lock
// when its process dies, even by kill -9, so a crash never leaves it
// stale.
func (s *Store) lock() (unlock func(), err error) {
	path := filepath.Join(s.gitDir, "assay", "results.lock")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// Package spooltest helps tests of what the spool links or copies.
package spooltest

import (
	"os"
	"syscall"
	"testing"
)

// OtherFilesystem returns a folder on a filesystem other than
// t.TempDir()'s, removed when the test ends, so that a hard link between
// the two fails as it does between two disks. It uses /dev/shm, a tmpfs
// on Linux (.ci/run mounts one where it is missing), and skips the test,
// saying so, where there is none.
func OtherFilesystem(t testing.TB) string {
	t.Helper()
	dev := func(p string) uint64 {
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err != nil {
			return 0
		}
		return uint64(st.Dev)
	}
	if d := dev("/dev/shm"); d == 0 || d == dev(t.TempDir()) {
		t.Skip("needs /dev/shm on a filesystem of its own (a tmpfs), apart from the temp folder, so that hard links between them fail")
	}
	dir, err := os.MkdirTemp("/dev/shm", "assay-test-")
	if err != nil {
		t.Skipf("needs a writable /dev/shm: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

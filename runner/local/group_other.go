//go:build !linux

package local

import "syscall"

// groupLive reports whether process group pgid still has a process.
// Without /proc, a zombie of the group counts as alive.
func groupLive(pgid int) bool { return syscall.Kill(-pgid, 0) == nil }

package local

import (
	"os"
	"syscall"
)

// enlargePipe asks for a pipe of at least n bytes behind f, halving the
// ask down to the 64 KiB every pipe has while the system refuses it
// (fs.pipe-max-size, 1 MiB by default); f that is no pipe refuses all.
func enlargePipe(f *os.File, n int) {
	for size := n; size > 64<<10; size /= 2 {
		if _, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_SETPIPE_SZ, uintptr(size)); errno == 0 {
			return
		}
	}
}

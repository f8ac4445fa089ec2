package gitrepo

import (
	"io/fs"
	"syscall"
	"time"
)

// changeTime is the inode change time git records in the index.
func changeTime(info fs.FileInfo) (time.Time, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(st.Ctim.Sec, st.Ctim.Nsec), true
}

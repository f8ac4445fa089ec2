package local

import (
	"os"
	"strconv"
	"syscall"
)

// groupLive reports whether process group pgid still has a process that
// has not exited. kill(-pgid, 0) alone counts zombies: an orphan of the
// group whose new parent does not reap it at once (assay as PID 1 of a
// container, or any subreaper that waits later) would look alive until
// SIGKILL, and a trial that handled SIGTERM would be reported as having
// ignored it.
func groupLive(pgid int) bool {
	if syscall.Kill(-pgid, 0) != nil {
		return false
	}
	d, err := os.Open("/proc")
	if err != nil {
		return true
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return true
	}
	buf := make([]byte, 512)
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		if _, pg, state := procStat(pid, buf); pg == pgid && state != 'Z' && state != 'X' {
			return true
		}
	}
	return false
}

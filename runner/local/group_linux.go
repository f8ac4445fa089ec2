package local

import (
	"bytes"
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
		if pg, state := pgrpOf(pid, buf); pg == pgid && state != 'Z' && state != 'X' {
			return true
		}
	}
	return false
}

// pgrpOf reads a process's group and state from /proc/PID/stat; 0 when
// it is gone.
func pgrpOf(pid int, buf []byte) (int, byte) {
	fd, err := syscall.Open("/proc/"+strconv.Itoa(pid)+"/stat", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0, 0
	}
	n, _ := syscall.Read(fd, buf)
	syscall.Close(fd)
	if n <= 0 {
		return 0, 0
	}
	b := buf[:n]
	// The command name is in parentheses and may hold anything.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0
	}
	// After the name: state ppid pgrp ...
	fields := bytes.Fields(b[i+1:])
	if len(fields) < 3 || len(fields[0]) == 0 {
		return 0, 0
	}
	pg, _ := strconv.Atoi(string(fields[2]))
	return pg, fields[0][0]
}

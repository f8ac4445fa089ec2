package proctest

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// Process is a leftover: a live process the tests started.
type Process struct {
	PID, PPID int
	// Cmdline is its command line, arguments separated by spaces.
	Cmdline string
}

// procfs reports whether /proc can be read, so the check can run.
func procfs() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

// Leftovers lists the live processes, other than this one, whose
// environment carries token in EnvVar or whose parent is this process.
func Leftovers(token string) []Process {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var out []Process
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		state, ppid, ok := stat(pid)
		if ok && ppid == self && (state == "Z" || state == "X") {
			reap(pid) // an adopted orphan that has exited
		}
		if !ok || state == "Z" || state == "X" || state == "x" {
			continue
		}
		if ppid != self && !carries(pid, token) {
			continue
		}
		out = append(out, Process{PID: pid, PPID: ppid, Cmdline: cmdline(pid)})
	}
	return out
}

// stat reads a process's state and parent from /proc/PID/stat.
func stat(pid int) (state string, ppid int, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, false
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return "", 0, false
	}
	ppid, err = strconv.Atoi(f[1])
	return f[0], ppid, err == nil
}

// carries reports whether the process's environment (as it was at exec)
// holds token in EnvVar. Processes of other users cannot be read, and
// are not ours.
func carries(pid int, token string) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	prefix := []byte(EnvVar + "=")
	for _, kv := range bytes.Split(b, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, prefix); ok {
			for _, t := range strings.Fields(string(v)) {
				if t == token {
					return true
				}
			}
		}
	}
	return false
}

func cmdline(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || len(b) == 0 {
		return "?"
	}
	return strings.TrimSpace(string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
}

package local

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cgroup is a trial's own cgroup v2 directory, with an open descriptor
// of it for clone3.
type cgroup struct {
	dir string
	fd  int
}

// newCgroup creates a cgroup for a trial under the supervisor's own, or
// returns nil where that is not possible (no cgroup v2, or no permission
// to write it: a non-root user outside a delegated subtree).
func newCgroup() *cgroup {
	dir, fd := makeCgroup()
	if dir == "" {
		return nil
	}
	return &cgroup{dir: dir, fd: fd}
}

// procs lists the cgroup's processes.
func (c *cgroup) procs() []int { return cgroupProcs(c.dir) }

// kill sends SIGKILL to every process of the cgroup with one write, which
// no fork can race; false on a kernel before 5.14, which has no
// cgroup.kill.
func (c *cgroup) kill() bool {
	return os.WriteFile(filepath.Join(c.dir, "cgroup.kill"), []byte("1"), 0) == nil
}

// remove removes the cgroup, which is empty once its processes have been
// reaped (the kernel may take a moment to notice).
func (c *cgroup) remove() {
	if c == nil {
		return
	}
	for i := 0; i < 40; i++ {
		if err := syscall.Rmdir(c.dir); err == nil || err == syscall.ENOENT {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	syscall.Close(c.fd)
}

// procScan is one pass over /proc: who is whose parent, below the
// supervisor.
type procScan struct {
	self     int
	children map[int][]int
	dead     map[int]bool
	leaders  map[int]*supervised
	// runIDs caches the ASSAY_RUN_ID of orphans, by pid.
	runIDs map[int]string
}

// scanProcs reads the parent of every process whose pid is at least
// floor (0: every process).
func scanProcs(self int, leaders map[int]*supervised, floor int) *procScan {
	p := &procScan{self: self, children: map[int][]int{}, dead: map[int]bool{}, leaders: leaders, runIDs: map[int]string{}}
	d, err := os.Open("/proc")
	if err != nil {
		return p
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	buf := make([]byte, 512)
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid < floor {
			continue
		}
		if pp, state := statOf(pid, buf); pp > 0 {
			p.children[pp] = append(p.children[pp], pid)
			if state == 'Z' || state == 'X' {
				p.dead[pid] = true
			}
		}
	}
	return p
}

// of lists the live processes of a trial: below its own process while
// that lives, and below every orphan (a child of the supervisor that is
// no trial's own process) whose environment carries the trial's
// ASSAY_RUN_ID.
func (p *procScan) of(leader int, ended bool, runID string) []int {
	var roots []int
	if !ended {
		roots = append(roots, leader)
	}
	for _, c := range p.children[p.self] {
		if p.leaders[c] != nil {
			continue
		}
		id, ok := p.runIDs[c]
		if !ok {
			id = environValue(c, "ASSAY_RUN_ID")
			p.runIDs[c] = id
		}
		if id == runID && runID != "" {
			roots = append(roots, c)
		}
	}
	return p.below(roots)
}

// all lists every live descendant of the supervisor.
func (p *procScan) all() []int { return p.below(p.children[p.self]) }

func (p *procScan) below(roots []int) []int {
	var out []int
	queue := append([]int(nil), roots...)
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		if !p.dead[pid] {
			out = append(out, pid)
		}
		queue = append(queue, p.children[pid]...)
	}
	return out
}

// statOf reads a process's parent id and state from /proc/PID/stat; 0
// when it is gone.
func statOf(pid int, buf []byte) (int, byte) {
	ppid, _, state := procStat(pid, buf)
	return ppid, state
}

// procStat reads a process's parent id, process group and state from
// /proc/PID/stat; 0 when it is gone.
func procStat(pid int, buf []byte) (ppid, pgrp int, state byte) {
	// Plain system calls: this runs for every process on the machine at
	// the end of each trial, and os.File's poller setup would double it.
	fd, err := syscall.Open("/proc/"+strconv.Itoa(pid)+"/stat", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0, 0, 0
	}
	n, _ := syscall.Read(fd, buf)
	syscall.Close(fd)
	if n <= 0 {
		return 0, 0, 0
	}
	b := buf[:n]
	// The command name is in parentheses and may hold anything; after it
	// come state, ppid, pgrp.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, 0
	}
	fields := bytes.Fields(b[i+1:])
	if len(fields) < 3 || len(fields[0]) == 0 {
		return 0, 0, 0
	}
	ppid, _ = strconv.Atoi(string(fields[1]))
	pgrp, _ = strconv.Atoi(string(fields[2]))
	return ppid, pgrp, fields[0][0]
}

// pidFloor tracks the lowest pid a process of the batch can have. Pids
// are handed out in increasing order until they wrap around at pid_max, so
// everything a trial starts has a pid above the first trial's, and a scan
// need not read the stat of older processes: on a busy machine that is
// most of them. Once the pids wrap, the floor is 0 (scan everything).
type pidFloor struct {
	floor, last int
	wrapped     bool
}

// started notes a trial's own process.
func (f *pidFloor) started(pid int) {
	if f.floor == 0 || pid < f.floor {
		f.floor = pid
	}
	f.check()
}

// get returns the floor for a scan now.
func (f *pidFloor) get() int {
	f.check()
	if f.wrapped {
		return 0
	}
	return f.floor
}

// check notices a wrap: the last pid handed out going down.
func (f *pidFloor) check() {
	b, err := os.ReadFile("/proc/sys/kernel/ns_last_pid")
	n, cerr := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || cerr != nil {
		f.wrapped = true // cannot tell: scan everything
		return
	}
	if n < f.last || n < f.floor {
		f.wrapped = true
	}
	f.last = n
}

// environValue reads one variable of the environment a process started
// with.
func environValue(pid int, key string) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return ""
	}
	for _, kv := range bytes.Split(b, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte(key+"=")); ok {
			return string(v)
		}
	}
	return ""
}

// makeCgroup creates a cgroup for the trial under the supervisor's own
// cgroup v2, or returns "" where that is not possible (no cgroup v2, or
// no permission to write it: a non-root user outside a delegated
// subtree).
func makeCgroup() (string, int) {
	mount, root := cgroup2Mount()
	own := ownCgroup()
	if mount == "" || own == "" {
		return "", -1
	}
	rel, ok := strings.CutPrefix(own, root)
	if !ok {
		return "", -1
	}
	parent := filepath.Join(mount, rel)
	sweepCgroups(parent)
	dir, err := os.MkdirTemp(parent, cgroupPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", -1
	}
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		syscall.Rmdir(dir)
		return "", -1
	}
	return dir, fd
}

// cgroupPrefix begins the name of a trial's cgroup, which goes on with
// the pid of the supervisor that made it: assay-trial-PID-RANDOM.
const cgroupPrefix = "assay-trial-"

// sweepCgroups removes the trial cgroups under parent that a supervisor
// killed outright (kill -9, the out-of-memory killer) left behind: those
// whose supervisor no longer runs. A live supervisor's are never touched,
// even before its trial has entered one, and a cgroup that still holds a
// process is not empty, so rmdir leaves it.
func sweepCgroups(parent string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), cgroupPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pid, _, ok := strings.Cut(rest, "-")
		n, err := strconv.Atoi(pid)
		if !ok || err != nil || n <= 0 {
			continue
		}
		if syscall.Kill(n, 0) == syscall.ESRCH {
			syscall.Rmdir(filepath.Join(parent, e.Name()))
		}
	}
}

// cgroup2Mount returns where the cgroup v2 hierarchy is mounted and which
// of its directories the mount shows at that point.
func cgroup2Mount() (mount, root string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		left, right, ok := strings.Cut(sc.Text(), " - ")
		if !ok || !strings.HasPrefix(right, "cgroup2 ") {
			continue
		}
		fields := strings.Fields(left)
		if len(fields) >= 5 {
			return unescapeMount(fields[4]), unescapeMount(fields[3])
		}
	}
	return "", ""
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ownCgroup is this process's cgroup v2 path ("0::/path").
func ownCgroup() string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return p
		}
	}
	return ""
}

func cgroupProcs(dir string) []int {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

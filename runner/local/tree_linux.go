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

// tree is the set of processes a supervised trial consists of: the
// members of its cgroup where the supervisor could make one, else the
// supervisor's descendants (which, as a subreaper, it keeps even when
// they double-fork or call setsid).
type tree struct {
	self int
	// cg is the trial's cgroup directory and cgfd an open descriptor of
	// it; "" and -1 without one.
	cg    string
	cgfd  int
	kills int
}

func newTree(useCgroup bool) *tree {
	t := &tree{self: os.Getpid(), cgfd: -1}
	if useCgroup {
		t.cg, t.cgfd = makeCgroup()
	}
	return t
}

func (t *tree) mode() string {
	if t.cg != "" {
		return "cgroup"
	}
	return "subreaper"
}

// start starts argv, in its own process group, inside the cgroup (from
// its very first instruction, through clone3) when there is one.
func (t *tree) start(argv []string) (int, error) {
	sys := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	attr := &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{0, 1, 2}, Sys: sys}
	if t.cgfd >= 0 {
		sys.UseCgroupFD, sys.CgroupFD = true, t.cgfd
		if pid, err := syscall.ForkExec(argv[0], argv, attr); err == nil {
			return pid, nil
		}
		// The cgroup may be what failed (a kernel without clone3 into a
		// cgroup, a hierarchy that refuses it): go on without one.
		t.dropCgroup()
		sys.UseCgroupFD, sys.CgroupFD = false, 0
	}
	return syscall.ForkExec(argv[0], argv, attr)
}

// signal sends sig to every process of the tree.
func (t *tree) signal(sig syscall.Signal) {
	var pids []int
	if t.cg != "" {
		pids = cgroupProcs(t.cg)
	} else {
		pids = descendants(t.self)
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, sig)
	}
}

// kill sends SIGKILL to every process of the tree: one write to
// cgroup.kill, which no fork can race; after that, and without a cgroup,
// every descendant found in /proc.
func (t *tree) kill() {
	t.kills++
	if t.cg != "" {
		if os.WriteFile(filepath.Join(t.cg, "cgroup.kill"), []byte("1"), 0) == nil && t.kills == 1 {
			return
		}
		// A kernel before 5.14 has no cgroup.kill; and a process that
		// left the cgroup is still a descendant.
		for _, pid := range cgroupProcs(t.cg) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	for _, pid := range descendants(t.self) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// close removes the cgroup, which is empty once the tree has been reaped
// (the kernel may take a moment to notice).
func (t *tree) close() {
	if t.cg == "" {
		return
	}
	for i := 0; i < 40; i++ {
		if err := syscall.Rmdir(t.cg); err == nil || err == syscall.ENOENT {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	syscall.Close(t.cgfd)
	t.cg, t.cgfd = "", -1
}

func (t *tree) dropCgroup() {
	syscall.Close(t.cgfd)
	syscall.Rmdir(t.cg)
	t.cg, t.cgfd = "", -1
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
	dir, err := os.MkdirTemp(filepath.Join(mount, rel), "assay-trial-")
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

// descendants lists the processes below pid, from one pass over /proc.
func descendants(pid int) []int {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	children := map[int][]int{}
	buf := make([]byte, 512)
	for _, name := range names {
		p, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		if pp := parentOf(p, buf); pp > 0 {
			children[pp] = append(children[pp], p)
		}
	}
	var out []int
	queue := children[pid]
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		out = append(out, p)
		queue = append(queue, children[p]...)
	}
	return out
}

// parentOf reads a process's parent id from /proc/PID/stat; 0 when it is
// gone.
func parentOf(pid int, buf []byte) int {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	n, _ := f.Read(buf)
	f.Close()
	b := buf[:n]
	// The command name is in parentheses and may hold anything.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	fields := bytes.Fields(b[i+1:])
	if len(fields) < 2 {
		return 0
	}
	pp, _ := strconv.Atoi(string(fields[1]))
	return pp
}

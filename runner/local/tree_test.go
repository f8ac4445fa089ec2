//go:build linux

package local

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mountinfo escapes a space, a tab, a newline and a backslash in a mount
// point as three octal digits; a cgroup v2 hierarchy mounted at such a
// path must still be found, and a backslash that starts no escape is
// kept as it is.
func TestUnescapeMount(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`/sys/fs/cgroup`, `/sys/fs/cgroup`},
		{`/mnt/my\040cgroups`, `/mnt/my cgroups`},
		{`/a\011b\012c\134d`, "/a\tb\nc\\d"},
		{`\040`, ` `},
		{`/x\040`, `/x `},
		{`/x\040\040y`, `/x  y`},
		{`/x\04`, `/x\04`},
		{`/x\0`, `/x\0`},
		{`/x\`, `/x\`},
		{`/x\999y`, `/x\999y`},
		{`/x\4000`, `/x\4000`},
	} {
		if got := unescapeMount(c.in); got != c.want {
			t.Errorf("unescapeMount(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// The pid floor is the lowest pid of the batch's trials, so a scan of
// /proc can pass over older processes; once the pids handed out go down
// (they wrapped at pid_max), or cannot be read, it is 0: scan everything.
func TestPidFloor(t *testing.T) {
	lastPid := func() int {
		b, err := os.ReadFile("/proc/sys/kernel/ns_last_pid")
		if err != nil {
			t.Skipf("/proc/sys/kernel/ns_last_pid, the last pid handed out, is not readable here (%v): Linux with procfs has it, as CI's machines do", err)
		}
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return n
	}
	start := func() int {
		cmd := exec.Command("true")
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		return cmd.Process.Pid
	}
	// Other processes on the machine may make the pids wrap meanwhile;
	// then the floor is rightly 0, and the case is tried again.
	for try := 0; ; try++ {
		before := lastPid()
		first, second := start(), start()
		var f pidFloor
		f.started(second)
		f.started(first)
		f.started(second)
		got := f.get()
		if after := lastPid(); after < before || second < first {
			if try < 50 {
				continue
			}
			t.Fatalf("the pids went down (wrapped at pid_max) on each of 50 tries of two process starts")
		}
		if got != first {
			t.Errorf("floor %d after trials %d and %d, want the lower", got, first, second)
		}
		break
	}
	// The last pid seen above any handed out since: a wrap.
	f := pidFloor{floor: 1, last: math.MaxInt}
	if got := f.get(); got != 0 {
		t.Errorf("floor %d after the pids went down, want 0", got)
	}
	// A floor above the last pid handed out: a wrap too.
	f = pidFloor{}
	f.started(math.MaxInt)
	if got := f.get(); got != 0 {
		t.Errorf("floor %d above every pid handed out, want 0", got)
	}
}

// A cgroup's kill ends every process in it with one write and says so;
// where it cannot (a kernel before 5.14 has no cgroup.kill, or the cgroup
// is gone) it says false, so that the supervisor signals each process
// itself.
func TestCgroupKill(t *testing.T) {
	if c := (&cgroup{dir: filepath.Join(t.TempDir(), "gone")}); c.kill() {
		t.Errorf("kill of a cgroup that does not exist said it killed")
	}
	writableCgroup(t)
	c := newCgroup()
	if c == nil {
		t.Fatal("no cgroup made where one can be")
	}
	cmd := exec.Command("sleep", "300")
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: c.fd}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); c.remove() })
	if procs := c.procs(); len(procs) != 1 || procs[0] != cmd.Process.Pid {
		t.Fatalf("the cgroup holds %v, want the sleep, %d", procs, cmd.Process.Pid)
	}
	if !c.kill() {
		t.Fatal("kill of a live cgroup said it could not")
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("the cgroup's process ended with %v, want killed", err)
	}
}

// Removing a cgroup whose last process is still ending waits for it (up
// to a second) instead of leaving the directory behind.
func TestCgroupRemoveWaitsForItToEmpty(t *testing.T) {
	writableCgroup(t)
	c := newCgroup()
	if c == nil {
		t.Fatal("no cgroup made where one can be")
	}
	dir := c.dir
	cmd := exec.Command("sleep", "300")
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: c.fd}
	if err := cmd.Start(); err != nil {
		c.remove()
		t.Fatal(err)
	}
	removed := make(chan struct{})
	go func() { c.remove(); close(removed) }()
	// remove is retrying now: the cgroup holds the sleep.
	time.Sleep(50 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	<-removed
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		syscall.Rmdir(dir)
		t.Errorf("the cgroup %s was left behind (%v)", dir, err)
	}
}

// A supervisor killed outright leaves its trials' cgroups behind, empty:
// the next one to make a cgroup removes them, and leaves those of
// supervisors that still run, one that holds a process, and names that
// are not a supervisor's.
func TestCgroupsOfAKilledSupervisorAreRemoved(t *testing.T) {
	parent := writableCgroup(t)
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	dead := strconv.Itoa(gone.Process.Pid)
	live := strconv.Itoa(os.Getppid())
	mk := func(name string) string {
		dir := filepath.Join(parent, name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Rmdir(dir) })
		return dir
	}
	left := mk(cgroupPrefix + dead + "-1")
	kept := []string{mk(cgroupPrefix + live + "-1"), mk(cgroupPrefix + "1234567"), mk("assay-other-" + dead + "-1")}
	busy := mk(cgroupPrefix + dead + "-2")
	fd, err := syscall.Open(busy, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	sleep := exec.Command("sleep", "300")
	sleep.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	// Registered after the directories' cleanups, so it runs first.
	t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })

	c := newCgroup()
	if c == nil {
		t.Fatal("no cgroup made where one can be")
	}
	defer c.remove()
	if want := cgroupPrefix + strconv.Itoa(os.Getpid()) + "-"; !strings.HasPrefix(filepath.Base(c.dir), want) || filepath.Dir(c.dir) != parent {
		t.Errorf("the new cgroup is %s, want %s… (its supervisor's pid)", c.dir, filepath.Join(parent, want))
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("the empty cgroup of a supervisor that is gone was left (%v)", err)
	}
	for _, dir := range append(kept, busy) {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(dir), err)
		}
	}
}

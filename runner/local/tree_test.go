//go:build linux

package local

import (
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
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
			t.Skipf("cannot read the last pid handed out (%v)", err)
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
			if try < 5 {
				continue
			}
			t.Skip("the pids wrapped around on every try")
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

package gittest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/runner/proctest"
)

// daemonsOn lists the running processes whose command line serves addr's
// port, as ps would show them.
func daemonsOn(t *testing.T, addr string) []string {
	t.Helper()
	_, port, _ := net.SplitHostPort(addr)
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var out []string
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		cmd := strings.ReplaceAll(string(b), "\x00", " ")
		if strings.Contains(cmd, "--port="+port+" ") {
			out = append(out, cmd)
		}
	}
	return out
}

func TestStopEndsTheDaemonNotJustTheWrapper(t *testing.T) {
	Need(t)
	if runtime.GOOS != "linux" {
		t.Skip("reads the process table from /proc, which only Linux has")
	}
	base := t.TempDir()
	r := At(t, base)
	r.Git("init", "-q", "--bare", "team.git")
	d, err := StartDaemon(base, 0)
	if err != nil {
		t.Fatal(err)
	}
	// A connection makes git-daemon fork a child for it.
	if out, err := r.TryGit("ls-remote", d.URL+"team.git"); err != nil {
		d.Stop()
		t.Fatalf("ls-remote through the daemon: %v\n%s", err, out)
	}
	if len(daemonsOn(t, d.Addr)) < 2 {
		d.Stop()
		t.Fatalf("expected the git wrapper and git-daemon to run, found %q", daemonsOn(t, d.Addr))
	}
	d.Stop()
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		left := daemonsOn(t, d.Addr)
		if len(left) == 0 {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("after Stop these still run: %q", left)
		}
	}
	if c, err := net.DialTimeout("tcp", d.Addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after Stop", d.Addr)
	}
}

// fakeM is a package's tests that start a process and leave it running
// after its parent exits, as the old daemon helper did.
type fakeM struct{ t *testing.T }

func (m fakeM) Run() int {
	// sh starts sleep in the background and exits: sleep is orphaned.
	if err := exec.Command("sh", "-c", "sleep 300 >/dev/null 2>&1 &").Run(); err != nil {
		m.t.Fatal(err)
	}
	return 0
}

func TestNoLeaksFailsWhenAnOrphanOutlivesTheTests(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the check uses Linux's child subreaper and /proc")
	}
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Skip("needs sleep (coreutils)")
	}
	code := noLeaks{m: fakeM{t}, grace: time.Second}.Run()
	if code != 1 {
		t.Fatalf("NoLeaks returned %d for tests that leaked a process, want 1", code)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(orphanedSleeps()) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if left := orphanedSleeps(); len(left) != 0 {
		t.Fatalf("NoLeaks did not kill the leaked process: %v", left)
	}
}

func TestNoLeaksPassesCleanTests(t *testing.T) {
	code := NoLeaks(cleanM{}).Run()
	if code != 0 {
		t.Fatalf("NoLeaks returned %d for tests that leaked nothing", code)
	}
}

type cleanM struct{}

func (cleanM) Run() int {
	exec.Command("true").Run()
	return 0
}

// orphanedSleeps are the live children of the test binary that run sleep
// 300: the process fakeM leaks.
func orphanedSleeps() []string {
	var out []string
	for _, p := range proctest.Leftovers("") {
		if p.PPID == os.Getpid() && strings.HasPrefix(p.Cmdline, "sleep 300") {
			out = append(out, fmt.Sprintf("%d %s", p.PID, p.Cmdline))
		}
	}
	return out
}

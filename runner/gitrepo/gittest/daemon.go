package gittest

import (
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Daemon is a git daemon serving a folder of repositories over git://,
// pushes included, on a free loopback port.
type Daemon struct {
	// URL is the prefix of the served repositories' URLs:
	// git://127.0.0.1:PORT/, to which a repository's folder name is added.
	URL  string
	Addr string
	cmd  *exec.Cmd
}

// StartDaemon serves base on port (0: a free one) until Stop. `git daemon` is a wrapper that runs
// git-daemon as its child, and git-daemon forks one process per
// connection; all of them share a process group of their own, so Stop
// ends every one, not just the wrapper.
func StartDaemon(base string, port int) (*Daemon, error) {
	if port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command("git", "daemon", "--export-all", "--enable=receive-pack", "--reuseaddr",
		"--base-path="+base, "--listen=127.0.0.1", "--port="+strconv.Itoa(port), "--max-connections=64", base)
	cmd.Env = Env(base)
	ownProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting git daemon: %w", err)
	}
	d := &Daemon{URL: "git://" + addr + "/", Addr: addr, cmd: cmd}
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return d, nil
		}
		if time.Since(start) > 20*time.Second {
			d.Stop()
			return nil, fmt.Errorf("git daemon did not start listening on %s", addr)
		}
	}
}

// Stop kills the daemon's whole process group and waits for the wrapper.
func (d *Daemon) Stop() {
	killProcessGroup(d.cmd)
	d.cmd.Wait()
}

// ServeDaemon starts a daemon for base that stops when the test ends,
// whether it passed or not, and returns its URL prefix. A machine
// without git skips the test.
func ServeDaemon(t testing.TB, base string) string {
	t.Helper()
	Need(t)
	d, err := StartDaemon(base, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	return d.URL
}

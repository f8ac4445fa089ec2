package gittest

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// TestingM is what a TestMain runs: *testing.M.
type TestingM interface{ Run() int }

// NoLeaks wraps a package's tests: after they run it checks that no
// process they started is still alive, so a test that leaves a daemon
// or a process group behind fails the package even when every test
// passed. On Linux the test binary first becomes a child subreaper, so a
// process whose parent died is adopted by the test binary instead of
// init and is found too: that is how a git-daemon outliving its `git`
// wrapper shows up. Survivors are listed, killed, and make the exit code
// 1. Elsewhere the check does nothing.
//
//	func TestMain(m *testing.M) { os.Exit(gittest.NoLeaks(m).Run()) }
func NoLeaks(m TestingM) TestingM { return noLeaks{m: m, grace: leakGrace} }

// NoLeaksWithin is NoLeaks for tests whose processes may take up to grace
// to end after the tests do: a trial left running on purpose, say.
func NoLeaksWithin(m TestingM, grace time.Duration) TestingM { return noLeaks{m: m, grace: grace} }

type noLeaks struct {
	m     TestingM
	grace time.Duration
}

// leakGrace is how long processes the tests stopped get to exit.
const leakGrace = 10 * time.Second

func (n noLeaks) Run() int {
	adoptOrphans()
	code := n.m.Run()
	left := survivors(n.grace)
	if len(left) == 0 {
		return code
	}
	var b strings.Builder
	fmt.Fprintf(&b, "FAIL: %d processes started by the tests outlived them (every test must stop what it starts, even when it fails):\n", len(left))
	for _, p := range left {
		fmt.Fprintf(&b, "  pid %d: %s\n", p.pid, p.cmdline)
	}
	os.Stderr.WriteString(b.String())
	killAll(left)
	if code == 0 {
		code = 1
	}
	return code
}

// process is a child of the test binary still running.
type process struct {
	pid     int
	cmdline string
}

package gittest

import (
	"time"

	"github.com/assaylab/assay/runner/proctest"
)

// TestingM is what a TestMain runs: *testing.M.
type TestingM interface{ Run() int }

// NoLeaks wraps a package's tests: after they run it checks that no
// process they started is still alive (runner/proctest), so a test that
// leaves a daemon or a process group behind fails the package even when
// every test passed. That is how a git-daemon outliving its `git` wrapper
// shows up: on Linux the test binary adopts it. Survivors are listed,
// killed, and make the exit code 1.
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

func (n noLeaks) Run() int { return proctest.MainWithin(n.m, n.grace) }

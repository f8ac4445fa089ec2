// Package proctest makes a test binary fail when a process its tests
// started outlives them: a trial's grandchild that a timeout missed, a git
// daemon whose wrapper was killed but not the daemon, a Slurm job's
// script. A package opts in from its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(proctest.Main(m)) }
//
// or, where another runner owns TestMain (testscript.Main calls os.Exit
// itself), from the Run of an M that wraps m:
//
//	func (w checked) Run() int { return proctest.Main(w.m) }
//	...
//	testscript.Main(checked{m}, commands)
//
// # What counts as the tests' processes
//
// Before the tests run, Main puts a token unique to this run of the binary
// in the environment variable EnvVar, so every process the tests start
// inherits it, and every process those start, however far down and
// whatever parent they end up with once theirs dies. On Linux the test
// binary also becomes a child subreaper, so a process whose parent died
// (a git daemon whose git wrapper was killed, a trial whose supervisor
// gave it an environment of its own) is adopted by the test binary, not
// by init. After the tests (and the cleanups Main is given), a process
// still alive is a leftover when its environment carries the token or
// when it is a child of the test binary, adopted or not. Main waits up to ten seconds for them to go (a signal takes
// effect when the process is next scheduled, and Slurm gives a cancelled
// job its KillWait), then names each on stderr, kills it and returns 1.
//
// A child whose environment a test builds from scratch (cmd.Env without
// os.Environ) should be given EnvVar too (os.Getenv(EnvVar)), or what it
// leaves behind once it has exited is not seen. Zombies are dead and do
// not count. The check reads /proc, so it runs on Linux; elsewhere Main
// only runs the tests.
package proctest

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// EnvVar carries the tokens of the test binaries whose tests started a
// process, separated by spaces (a test binary may run another).
const EnvVar = "PROCTEST_OWNER"

// M runs the tests: *testing.M, or what wraps one.
type M interface{ Run() int }

// grace is how long leftovers have to go after the tests end.
var grace = 10 * time.Second

// Main runs m's tests, then each cleanup (an error fails the binary), then
// checks that no process the tests started is still alive. It returns the
// exit code for os.Exit: m.Run's, or 1 when a cleanup failed or a process
// outlived the tests.
func Main(m M, cleanups ...func() error) int {
	return run(m, os.Stderr, grace, cleanups)
}

// MainWithin is Main for tests whose processes may take up to d to end
// after the tests do: a trial a test orphans on purpose, say.
func MainWithin(m M, d time.Duration, cleanups ...func() error) int {
	return run(m, os.Stderr, d, cleanups)
}

func run(m M, stderr io.Writer, grace time.Duration, cleanups []func() error) int {
	adoptOrphans()
	token := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
	old, had := os.LookupEnv(EnvVar)
	if had && old != "" {
		os.Setenv(EnvVar, old+" "+token)
	} else {
		os.Setenv(EnvVar, token)
	}
	defer func() {
		if had {
			os.Setenv(EnvVar, old)
		} else {
			os.Unsetenv(EnvVar)
		}
	}()

	code := m.Run()
	for _, c := range cleanups {
		if err := c(); err != nil {
			fmt.Fprintln(stderr, err)
			code = 1
		}
	}
	if !procfs() {
		return code
	}
	left := waitGone(token, grace)
	if len(left) == 0 {
		return code
	}
	what := "1 process"
	if len(left) > 1 {
		what = fmt.Sprintf("%d processes", len(left))
	}
	fmt.Fprintf(stderr, "proctest: %s started by these tests still ran %s after they ended, killed now:\n", what, grace)
	for _, p := range left {
		fmt.Fprintf(stderr, "  pid %d (parent %d): %s\n", p.PID, p.PPID, p.Cmdline)
		syscall.Kill(p.PID, syscall.SIGKILL)
	}
	fmt.Fprintln(stderr, "A test stops what it starts, also when it fails: kill process groups and wait for them in t.Cleanup.")
	return 1
}

// waitGone polls until no leftover of token is alive or d has passed, and
// returns what is left.
func waitGone(token string, d time.Duration) []Process {
	deadline := time.Now().Add(d)
	for {
		left := Leftovers(token)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(50 * time.Millisecond)
	}
}

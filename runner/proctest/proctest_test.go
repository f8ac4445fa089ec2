package proctest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// fakeM stands in for *testing.M: its "tests" are run.
type fakeM struct{ run func() int }

func (f fakeM) Run() int { return f.run() }

func shortGrace(t *testing.T) {
	old := grace
	grace = 300 * time.Millisecond
	t.Cleanup(func() { grace = old })
}

func alive(pid int) bool {
	st, _, ok := stat(pid)
	return ok && st != "Z" && st != "X"
}

// A grandchild orphaned by its parent (re-parented away from the test
// binary) is found by the token it inherited, named and killed; the
// binary fails though its tests passed.
func TestOrphanedGrandchildFails(t *testing.T) {
	shortGrace(t)
	var pid int
	var stderr bytes.Buffer
	code := run(fakeM{func() int {
		out, err := exec.Command("sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!").Output()
		if err != nil {
			t.Fatal(err)
		}
		pid, _ = strconv.Atoi(strings.TrimSpace(string(out)))
		return 0
	}}, &stderr, grace, nil)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if want := "pid " + strconv.Itoa(pid) + " (parent "; !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "sleep 300") {
		t.Errorf("stderr does not name pid %d running sleep 300:\n%s", pid, stderr.String())
	}
	for deadline := time.Now().Add(5 * time.Second); alive(pid) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if alive(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the leftover %d was not killed", pid)
	}
}

// A child started with an environment of its own carries no token, but
// it is still the test binary's child, and so still found.
func TestChildWithoutTokenFails(t *testing.T) {
	shortGrace(t)
	var cmd *exec.Cmd
	var stderr bytes.Buffer
	code := run(fakeM{func() int {
		cmd = exec.Command("sleep", "300")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return 0
	}}, &stderr, grace, nil)
	cmd.Wait()
	if code != 1 || !strings.Contains(stderr.String(), "pid "+strconv.Itoa(cmd.Process.Pid)) {
		t.Errorf("exit code %d, stderr:\n%s", code, stderr.String())
	}
}

// An orphan with neither the token nor the test binary as its parent when
// it started (a trial a supervisor gave an empty environment, whose
// supervisor then died) is adopted by the test binary on Linux, and so
// still found.
func TestOrphanWithoutTokenFails(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("adoption of orphans is Linux's child subreaper")
	}
	shortGrace(t)
	var pid int
	var stderr bytes.Buffer
	code := run(fakeM{func() int {
		out, err := exec.Command("env", "-i", "/bin/sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!").Output()
		if err != nil {
			t.Fatal(err)
		}
		pid, _ = strconv.Atoi(strings.TrimSpace(string(out)))
		return 0
	}}, &stderr, grace, nil)
	if code != 1 || !strings.Contains(stderr.String(), "pid "+strconv.Itoa(pid)+" (parent "+strconv.Itoa(os.Getpid())+")") {
		t.Errorf("exit code %d, stderr:\n%s", code, stderr.String())
	}
	for deadline := time.Now().Add(5 * time.Second); alive(pid) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if alive(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the leftover %d was not killed", pid)
	}
}

// Tests that stop what they start keep their exit code, whatever it is;
// a failing cleanup fails the binary and is printed.
func TestCleanRunKeepsItsCode(t *testing.T) {
	shortGrace(t)
	var stderr bytes.Buffer
	code := run(fakeM{func() int {
		cmd := exec.Command("sh", "-c", "sleep 300 & echo started; kill $!; wait")
		if out, err := cmd.Output(); err != nil || string(out) != "started\n" {
			t.Fatalf("%q %v", out, err)
		}
		return 3
	}}, &stderr, grace, nil)
	if code != 3 || stderr.Len() != 0 {
		t.Errorf("exit code %d, stderr %q; want 3 and nothing", code, stderr.String())
	}
	stderr.Reset()
	code = run(fakeM{func() int { return 0 }}, &stderr, grace, []func() error{func() error { return errors.New("2 jobs left") }})
	if code != 1 || !strings.Contains(stderr.String(), "2 jobs left") {
		t.Errorf("exit code %d, stderr %q", code, stderr.String())
	}
}

// The token is in the environment while the tests run, after any token
// of an enclosing test binary, and the environment is as before after.
func TestTokenNestsAndIsRestored(t *testing.T) {
	outer := os.Getenv(EnvVar)
	if outer == "" {
		t.Fatalf("%s is not set inside Main", EnvVar)
	}
	var during string
	run(fakeM{func() int { during = os.Getenv(EnvVar); return 0 }}, &bytes.Buffer{}, grace, nil)
	f := strings.Fields(during)
	if len(f) != 2 || f[0] != outer {
		t.Errorf("%s = %q inside, want %q then a token of its own", EnvVar, during, outer)
	}
	if got := os.Getenv(EnvVar); got != outer {
		t.Errorf("%s = %q after, want %q again", EnvVar, got, outer)
	}
}

//go:build linux

package local

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
)

// startSupervised starts script as a trial of s in dir, with run id
// marker, and waits until the trial has written its pid to file pidFile
// (so that its traps are set); it returns that pid.
func startSupervised(t *testing.T, s *supervisor, dir, marker, script, pidFile string) int {
	t.Helper()
	log, err := os.Create(filepath.Join(dir, marker+".log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	env := append(os.Environ(), "ASSAY_RUN_ID="+marker)
	if _, _, err := s.start([]string{"/bin/sh", "-c", script}, dir, env, log, log, marker); err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, pidFile)); err == nil && strings.HasSuffix(string(b), "\n") {
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// When assay goes away without a word (killed with -9: its end of the
// supervisor's socket closes), every trial gets SIGTERM and a grace to
// handle it: one that saves a checkpoint on SIGTERM gets to save it. The
// grace is bounded (orphanGrace, 2 s), however long the batch's own, since
// nobody is left to record the trials and their GPUs should be freed: one
// that ignores SIGTERM is killed well before the batch's 60 s grace, and
// the supervisor then exits.
func TestAssayGoneGivesTrialsABoundedGrace(t *testing.T) {
	for name, sup := range supervisors {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := startSupervisor(sup, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
			saver := startSupervised(t, s, dir, "saver",
				`trap 'echo saved > checkpoint; exit 0' TERM; echo $$ > saver-pid; while :; do sleep 0.1; done`, "saver-pid")
			stubborn := startSupervised(t, s, dir, "stubborn",
				`trap '' TERM; echo $$ > stubborn-pid; while :; do sleep 0.1; done`, "stubborn-pid")

			start := time.Now()
			s.conn.Close() // what assay's death does to the socket
			exited := make(chan error, 1)
			go func() { exited <- s.cmd.Wait() }()
			select {
			case <-exited:
			case <-time.After(40 * time.Second):
				t.Fatalf("the supervisor still runs %s after assay went away: it gave the trials the batch's 60 s grace, not at most %s", time.Since(start).Round(time.Second), orphanGrace)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "checkpoint")); err != nil || string(b) != "saved\n" {
				t.Errorf("checkpoint = %q, %v: the trial was not given time to handle SIGTERM", b, err)
			}
			for _, pid := range []int{saver, stubborn} {
				if alive(pid) {
					t.Errorf("trial process %d outlived its supervisor", pid)
				}
			}
		})
	}
}

// When the supervisor itself dies under a trial (the OOM killer, a kill
// -9 aimed at it), the trial dies with it (its parent-death signal) and
// is recorded failed with exit code -1 and an error saying how it ended
// is unknown; the batch ends instead of waiting for an exit that will
// never be reported.
func TestSupervisorGoneFailsTheTrial(t *testing.T) {
	for name, sup := range supervisors {
		t.Run(name, func(t *testing.T) {
			run, pids, root := runOne(t, sup, trial("orphaned", `grep '^0::' /proc/self/cgroup > cgroup; echo $$ >> pids; kill -9 $PPID; exec sleep 300`), time.Second)
			res := run.Result
			if res.Status != runner.StatusFailed || res.ExitCode != -1 ||
				res.Error != "the trials' supervisor went away before the trial ended, so how it ended is unknown" {
				t.Errorf("status %s exit %d error %q: want failed, -1, the supervisor went away", res.Status, res.ExitCode, res.Error)
			}
			if len(pids) != 1 {
				t.Fatalf("pids %v, want the trial's own", pids)
			}
			for deadline := time.Now().Add(30 * time.Second); alive(pids[0]) && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			if alive(pids[0]) {
				t.Errorf("the trial %d outlived its supervisor", pids[0])
			}
			// Nobody was left to remove the trial's cgroup, if it had
			// one: the next supervisor to make a cgroup does.
			if b, _ := os.ReadFile(filepath.Join(root, "cgroup")); strings.Contains(string(b), "/assay-trial-") {
				left := filepath.Join(writableCgroup(t), filepath.Base(strings.TrimSpace(string(b))))
				t.Cleanup(func() { os.Remove(left) })
				if next, _, _ := runOne(t, sup, trial("next", "true"), time.Second); next.Result.Status != runner.StatusSucceeded {
					t.Fatalf("the next trial: %s %s", next.Result.Status, next.Result.Error)
				}
				if _, err := os.Stat(left); !os.IsNotExist(err) {
					t.Errorf("the cgroup %s of the supervisor that was killed is still there (%v)", left, err)
				}
			}
		})
	}
}

// An environment far larger than the socket takes in one write (a sweep's
// long ASSAY_PARAMS, a long PATH; here 1.2 MB) reaches a supervised trial
// whole.
func TestLargeEnvironmentReachesTheTrial(t *testing.T) {
	var want, script strings.Builder
	vars := map[string]string{}
	script.WriteString("printf '%s\\n'")
	for i := range 12 {
		k, v := fmt.Sprintf("BIG_%d", i), strings.Repeat(strconv.Itoa(i%10), 100_000)
		vars[k] = v
		fmt.Fprintf(&script, ` "$%s"`, k)
		want.WriteString(v + "\n")
	}
	script.WriteString(" > got")
	for name, sup := range supervisors {
		t.Run(name, func(t *testing.T) {
			for k, v := range vars {
				t.Setenv(k, v)
			}
			run, _, root := runOne(t, sup, trial("big-env", script.String()), time.Second)
			if run.Result.Status != runner.StatusSucceeded {
				t.Fatalf("status %s: %s", run.Result.Status, run.Result.Error)
			}
			if got, _ := os.ReadFile(filepath.Join(root, "got")); string(got) != want.String() {
				t.Errorf("the trial got %d bytes of its 12 variables, want %d", len(got), want.Len())
			}
		})
	}
}

// A supervisor that cannot start does not stop the batch: the trial runs
// as assay's direct child, and its record warns of what that gives up. A
// trial under a working supervisor carries no such warning.
func TestSupervisorThatCannotStartWarns(t *testing.T) {
	for _, c := range []struct {
		name string
		sup  []string
		warn bool
	}{
		{name: "missing", sup: []string{filepath.Join(t.TempDir(), "no-such-assay"), SupervisorArg}, warn: true},
		{name: "working", sup: SupervisorCommand()},
	} {
		t.Run(c.name, func(t *testing.T) {
			run, _, _ := runOne(t, c.sup, trial("plain", "echo ok"), time.Second)
			res := run.Result
			warned := strings.Contains(strings.Join(res.Warnings, "\n"), "the trial ran without a supervisor")
			if res.Status != runner.StatusSucceeded || warned != c.warn {
				t.Errorf("status %s, warnings %q: want succeeded, warned %v", res.Status, res.Warnings, c.warn)
			}
		})
	}
}

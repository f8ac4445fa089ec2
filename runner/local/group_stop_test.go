//go:build linux

package local

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
)

// everyWay is each way a trial may be held: under the supervisor (in a
// cgroup, or as a subreaper) and as assay's direct child.
func everyWay() map[string][]string {
	ways := map[string][]string{"unsupervised": nil}
	for name, sup := range supervisors {
		ways[name] = sup
	}
	return ways
}

// A trial that exits 0 leaving a background process in its own process
// group (a data loader, a `tensorboard &`) is recorded as succeeded, at
// once, and takes the process with it: nothing outlives the run, and the
// leftover holding the trial's stdout does not hold up the record.
func TestNormalExitEndsBackgroundProcess(t *testing.T) {
	for name, sup := range everyWay() {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			run, pids, _ := runOne(t, sup, trial("bg", `sleep 300 & echo $! >> pids; echo done`), time.Second)
			if run.Result.Status != runner.StatusSucceeded || run.Result.ExitCode != 0 || len(pids) != 1 {
				t.Fatalf("status %s exit %d, pids %v: want succeeded, 0, one background pid", run.Result.Status, run.Result.ExitCode, pids)
			}
			// The group's SIGKILL is sent before the run returns; the
			// kernel ends the process a moment later, not at once.
			for deadline := time.Now().Add(10 * time.Second); alive(pids[0]) && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			if alive(pids[0]) {
				t.Errorf("the background process %d outlived the trial", pids[0])
			}
			// Not a timing check: 300 s is what waiting for the leftover
			// would take.
			if took := time.Since(start); took > 60*time.Second {
				t.Errorf("the run took %s: it waited for the background process", took)
			}
		})
	}
}

// At a timeout, SIGTERM goes to the trial's whole group, and a process of
// the group that takes a while to handle it (saving a checkpoint) gets the
// rest of the grace even after the trial's own process has exited: its
// checkpoint is written, and the run says SIGTERM stopped it. Were SIGTERM
// sent to the trial's process alone, or SIGKILL sent as soon as that
// process ended, the checkpoint would be cut short.
func TestTimeoutGivesTheGroupItsGrace(t *testing.T) {
	for name, sup := range everyWay() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			script := `sh -c 'trap "sleep 1; echo saved > checkpoint; exit 0" TERM; echo $$ >> pids; while :; do sleep 0.1; done' &
while [ ! -s pids ]; do sleep 0.01; done
echo started; sleep 300`
			j := trial("ckpt", script)
			// Time for a loaded machine to start the group's process
			// and set its trap before the timeout.
			j.Trial.Runner.Timeout = 5 * time.Second
			run, pids, root := runOne(t, sup, j, 30*time.Second)
			res := run.Result
			if res.Status != runner.StatusTimedOut || !strings.Contains(res.Error, "stopped with SIGTERM") {
				t.Errorf("status %s error %q: want timed_out, stopped with SIGTERM", res.Status, res.Error)
			}
			if b, err := os.ReadFile(filepath.Join(root, "checkpoint")); err != nil || string(b) != "saved\n" {
				t.Errorf("checkpoint = %q, %v: the group's process did not get to finish handling SIGTERM", b, err)
			}
			if len(pids) != 1 || alive(pids[0]) {
				t.Errorf("group process %v still alive", pids)
			}
		})
	}
}

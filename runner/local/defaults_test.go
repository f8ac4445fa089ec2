//go:build linux

package local

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
)

// A Config left empty is filled with what the docs promise: a CPU slot
// per core, assay's environment, this machine's host name, and a 10 s
// grace between SIGTERM and SIGKILL, so that a trial that takes a second
// to save its checkpoint on a timeout gets to save it.
func TestEmptyConfigDefaults(t *testing.T) {
	t.Parallel()
	x := New(Config{})
	if x.Parallel() != runtime.NumCPU() {
		t.Errorf("Parallel() = %d, want one slot per core (%d)", x.Parallel(), runtime.NumCPU())
	}
	root, state := t.TempDir(), t.TempDir()
	sp, _ := spool.Open(filepath.Join(state, "spool"))
	j := trial("defaults", `trap 'sleep 1; echo saved > checkpoint; exit 0' TERM
echo "$PATH" > path
while :; do sleep 0.1; done`)
	// Time for a loaded machine to set the trap before the timeout.
	j.Trial.Runner.Timeout = 5 * time.Second
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{j}, Root: root, StateDir: state}, sp, nil); err != nil {
		t.Fatal(err)
	}
	ids, _ := sp.List()
	run, err := sp.Get(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	res := run.Result
	if res.Status != runner.StatusTimedOut || !strings.Contains(res.Error, "stopped with SIGTERM") {
		t.Errorf("status %s error %q: want timed_out, stopped with SIGTERM", res.Status, res.Error)
	}
	if b, err := os.ReadFile(filepath.Join(root, "checkpoint")); err != nil || string(b) != "saved\n" {
		t.Errorf("checkpoint = %q, %v: the default grace did not let the trial handle SIGTERM", b, err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "path")); strings.TrimSpace(string(b)) != os.Getenv("PATH") {
		t.Errorf("the trial's PATH is %q, want assay's", b)
	}
	if host, _ := os.Hostname(); res.System.Host != host {
		t.Errorf("host %q, want %q", res.System.Host, host)
	}
}

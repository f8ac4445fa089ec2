//go:build linux

package local

import (
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
)

// A trial killed by a signal is failed with 128+N as its exit code, as a
// shell reports it, and the error names the signal, so a segfault in a
// data loader reads as one. Held either way: under the supervisor, which
// passes the signal on, and as assay's direct child.
func TestSignalledTrialNamesTheSignal(t *testing.T) {
	for name, sup := range everyWay() {
		t.Run(name, func(t *testing.T) {
			run, _, _ := runOne(t, sup, trial("segv", `kill -SEGV $$`), time.Second)
			res := run.Result
			if res.Status != runner.StatusFailed || res.ExitCode != 139 || res.Error != "killed by signal (segmentation fault)" {
				t.Errorf("status %s, exit %d, error %q; want failed, 139, killed by signal (segmentation fault)", res.Status, res.ExitCode, res.Error)
			}
		})
	}
}

package local

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

// writeThenExitArg makes the test binary a trial that writes a file to its
// stdout and exits at once (writeThenExit).
const writeThenExitArg = "__write-then-exit"

// writeThenExit writes the file named to stdout in one write, into a pipe
// made as large as the system lets it be, and exits without a pause: the
// pipe still holds nearly all of it when the trial is gone.
func writeThenExit(name string) int {
	b, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	enlargePipe(os.Stdout, len(b))
	if _, err := os.Stdout.Write(b); err != nil {
		return 3
	}
	return 0
}

// A trial whose last act is a large write, read by pattern metrics, keeps
// the end of its log and its last metric: assay reads the pipe to its end
// after the trial exits, however long matching what is still in it takes.
// The trial writes close to 1 MiB of short lines, the final loss last, and
// exits while the pipe still holds them.
func TestLargeFinalWriteReachesTheLog(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for i := 0; out.Len() < 1000<<10; i++ {
		fmt.Fprintf(&out, "step %d loss=%d.%04d acc=0.%04d\n", i, 9-i%9, i%10000, i%10000)
	}
	out.WriteString("step end loss=7\n")
	metrics := []*spec.Metric{
		{Name: "loss", Summary: "last", Pattern: regexp.MustCompile(`(?i)loss\s*[=:]\s*([0-9.]+)`)},
		{Name: "acc", Summary: "last", Pattern: regexp.MustCompile(`(?i)acc\s*[=:]\s*([0-9.]+)`)},
	}
	for name, sup := range map[string][]string{"direct": nil, "supervised": SupervisorCommand()} {
		t.Run(name, func(t *testing.T) {
			root, state := t.TempDir(), t.TempDir()
			if err := os.WriteFile(filepath.Join(root, "lines"), out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			sp, _ := spool.Open(filepath.Join(state, "spool"))
			// Three trials in turn, each a chance for a log cut short.
			var jobs []*runner.Job
			for i := range 3 {
				tr := &spec.Trial{Experiment: fmt.Sprintf("big-end-%d", i), Command: []string{exe, writeThenExitArg, "lines"}, Workdir: ".", ParamsJSON: "{}"}
				tr.ComputeKey()
				jobs = append(jobs, &runner.Job{Trial: tr, Metrics: metrics})
			}
			x := New(Config{Parallel: 1, Environ: os.Environ(), Supervisor: sup})
			if err := x.Execute(context.Background(), &runner.Batch{Jobs: jobs, Root: root, StateDir: state}, sp, nil); err != nil {
				t.Fatal(err)
			}
			ids, _ := sp.List()
			if len(ids) != len(jobs) {
				t.Fatalf("%d runs spooled, want %d", len(ids), len(jobs))
			}
			for _, id := range ids {
				run, err := sp.Get(id)
				if err != nil {
					t.Fatal(err)
				}
				if run.Result.Status != runner.StatusSucceeded {
					t.Fatalf("status %s: %s", run.Result.Status, run.Result.Error)
				}
				log, _ := os.ReadFile(run.LogPath)
				if !bytes.Equal(log, out.Bytes()) {
					t.Errorf("the log has %d bytes ending %q, want the trial's %d", len(log), log[max(0, len(log)-20):], out.Len())
				}
				if got, ok := run.Result.Metrics["loss"]; !ok || got != 7 {
					t.Errorf("metrics %v: want the last line's loss=7", run.Result.Metrics)
				}
			}
		})
	}
}

package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/assaylab/assay/runner"
)

// memSink keeps the runs it is given.
type memSink struct {
	mu   sync.Mutex
	runs []*runner.Run
}

func (s *memSink) Record(_ context.Context, run *runner.Run) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runs = append(s.runs, run)
	return nil
}

// failingSink refuses every run, as a full disk would.
type failingSink struct {
	mu   sync.Mutex
	runs []*runner.Run
}

func (s *failingSink) Record(_ context.Context, run *runner.Run) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runs = append(s.runs, run)
	return errors.New("no space left on device")
}

// A result that cannot be kept stops the batch: Execute returns an error
// naming the trial, the sink's reason and where the log still is, and
// starts no further trial.
func TestSinkFailureStopsTheBatch(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	sink := &failingSink{}
	jobs := []*runner.Job{trial("first", "echo one"), trial("second", "echo two"), trial("third", "echo three")}
	x := New(Config{Parallel: 1, Environ: os.Environ()})
	err := x.Execute(context.Background(), &runner.Batch{Jobs: jobs, Root: root, StateDir: state}, sink, nil)
	if err == nil || len(sink.runs) != 1 {
		t.Fatalf("Execute = %v after %d runs offered to the sink: want an error after the first", err, len(sink.runs))
	}
	run := sink.runs[0]
	for _, want := range []string{"cannot save the result of " + jobs[0].Name(), run.Result.RunID, "no space left on device", "its log is at " + run.LogPath} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if b, err := os.ReadFile(run.LogPath); err != nil || !strings.Contains(string(b), "one") {
		t.Errorf("the log at %s: %q, %v: want it kept", run.LogPath, b, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(state, "runs")); len(entries) != 1 {
		t.Errorf("%d run directories, want the one whose result was not kept", len(entries))
	}
}

// A failed attempt that will be retried is reported as retrying with the
// number of the attempt to come and the result of the one that failed.
func TestRetryEventNamesTheNextAttempt(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	j := trial("flaky", `[ "$ASSAY_ATTEMPT" = 2 ]`)
	j.Trial.Runner.Retries = 1
	var mu sync.Mutex
	var got []string
	obs := runner.ObserverFunc(func(ev runner.Event) {
		mu.Lock()
		defer mu.Unlock()
		if ev.Kind == runner.EventRetrying {
			got = append(got, fmt.Sprintf("%s attempt %d, next %d", ev.Result.Status, ev.Result.Attempt, ev.Attempt))
		}
	})
	sink := &memSink{}
	x := New(Config{Parallel: 1, Environ: os.Environ()})
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{j}, Root: root, StateDir: state}, sink, obs); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "; ") != "failed attempt 1, next 2" || len(sink.runs) != 2 || sink.runs[1].Result.Status != runner.StatusSucceeded {
		t.Errorf("retry events %q, %d runs: want one, after the failed attempt 1, for attempt 2, which succeeded", got, len(sink.runs))
	}
}

package pages

import (
	"fmt"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
)

// TestHomeLaterRows: past the first FirstRows rows of the page (the
// experiments, then what changed), rows are marked to be shown after the
// first paint, and none before.
func TestHomeLaterRows(t *testing.T) {
	var entries []*results.Entry
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	params := map[string]any{"lr": 0.1}
	for i := range FirstRows + 5 {
		entries = append(entries, &results.Entry{
			RunID: fmt.Sprintf("r%03d", i), Experiment: fmt.Sprintf("exp-%03d", i), Status: runner.StatusSucceeded,
			Params: params, Metrics: map[string]float64{"acc": 0.5}, Started: start.Add(time.Duration(i) * time.Minute),
			SourceCommit: fmt.Sprintf("%040x", i), Trigger: runner.TriggerPush,
		})
	}
	h := BuildHome(HomeInput{Entries: entries})
	if len(h.Experiments) != FirstRows+5 {
		t.Fatalf("%d experiments, want %d", len(h.Experiments), FirstRows+5)
	}
	for i, r := range h.Experiments {
		if r.Later != (i >= FirstRows) {
			t.Errorf("experiment row %d: later %v", i, r.Later)
		}
	}
	if len(h.Changes) == 0 {
		t.Fatal("no changes listed")
	}
	for i, c := range h.Changes {
		if !c.Later {
			t.Errorf("change row %d comes after %d experiment rows and is not later", i, len(h.Experiments))
		}
	}
	small := BuildHome(HomeInput{Entries: entries[:3]})
	for _, r := range small.Experiments {
		if r.Later {
			t.Errorf("a home page of 3 experiments holds back %s", r.Name)
		}
	}
	for _, c := range small.Changes {
		if c.Later {
			t.Errorf("a home page of 3 experiments holds back the change of %s", c.Commit)
		}
	}
}

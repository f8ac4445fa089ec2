package pages_test

import (
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/pages"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
)

const (
	mainCommit   = "1111111111111111111111111111111111111111"
	prCommit     = "2222222222222222222222222222222222222222"
	squashCommit = "3333333333333333333333333333333333333333"
)

func entry(id, commit, trigger string, pr int, key string, acc float64, seed int64) *results.Entry {
	return &results.Entry{
		RunID: id, TrialKey: key, Experiment: "mlp", Status: runner.StatusSucceeded, Seed: seed,
		Params: map[string]any{"key": key}, Metrics: map[string]float64{"val_acc": acc},
		Started: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), SourceCommit: commit, Trigger: trigger, PR: pr,
	}
}

func TestBranchCounts(t *testing.T) {
	b := &pages.Branch{Name: "main", Commits: map[string]bool{mainCommit: true, squashCommit: true}, Keys: map[string]bool{"merged-key": true}}
	for _, c := range []struct {
		name string
		e    *results.Entry
		want bool
	}{
		{"a push on main", entry("a", mainCommit, runner.TriggerPush, 0, "k1", 0.9, 1), true},
		{"a night on main", entry("b", mainCommit, runner.TriggerSchedule, 0, "k1", 0.9, 1), true},
		{"an open pull request", entry("c", prCommit, runner.TriggerPR, 7, "pr-key", 0.9, 1), false},
		{"a pull request squash-merged: its trial is the tip's", entry("d", prCommit, runner.TriggerPR, 8, "merged-key", 0.9, 1), true},
		{"a manual run on another branch", entry("e", prCommit, runner.TriggerManual, 0, "k2", 0.9, 1), false},
		{"a run of no commit", entry("f", "", runner.TriggerManual, 0, "k2", 0.9, 1), true},
	} {
		if got := b.Counts(c.e); got != c.want {
			t.Errorf("%s: Counts = %v, want %v", c.name, got, c.want)
		}
	}
	// Without the history at hand a pull request still never counts, and
	// every other run does.
	noHistory := &pages.Branch{Name: "main"}
	if noHistory.Counts(entry("c", prCommit, runner.TriggerPR, 7, "pr-key", 0.9, 1)) {
		t.Error("with no history, an open pull request's run counts")
	}
	if !noHistory.Counts(entry("e", prCommit, runner.TriggerManual, 0, "k2", 0.9, 1)) {
		t.Error("with no history, a manual run does not count")
	}
	var none *pages.Branch
	if !none.Counts(entry("c", prCommit, runner.TriggerPR, 7, "pr-key", 0.9, 1)) || none.Label() != "the default branch" {
		t.Error("a nil Branch must count every run")
	}
}

// TestExperimentRanksTheDefaultBranch is the defect a user met: a broken
// pull request's config ranked above main's. It must be listed apart,
// unranked, and the history must say which runs are main's.
func TestExperimentRanksTheDefaultBranch(t *testing.T) {
	entries := []*results.Entry{
		entry("m1", mainCommit, runner.TriggerPush, 0, "k-main", 0.94, 1),
		entry("m2", mainCommit, runner.TriggerPush, 0, "k-main", 0.93, 2),
		entry("p1", prCommit, runner.TriggerPR, 7, "k-pr", 0.97, 1),
		entry("p2", prCommit, runner.TriggerPR, 7, "k-pr", 0.96, 2),
	}
	b := &pages.Branch{Name: "main", Commits: map[string]bool{mainCommit: true}}
	v, data := pages.BuildExperiment(pages.ExperimentInput{Name: "mlp", Entries: entries, Branch: b}, pages.SiteLinks(1))
	if len(v.Configs) != 1 || v.Configs[0].Label != "key=k-main" || v.Configs[0].Rank != 1 {
		t.Fatalf("ranked configs: %+v", v.Configs)
	}
	if len(v.Configs[0].Seeds) != 2 || v.Configs[0].Seeds[0].RunID != "m1" {
		t.Errorf("the best config's runs are %+v, want main's", v.Configs[0].Seeds)
	}
	if len(v.Others) != 1 || v.Others[0].Rank != 0 || v.Others[0].Origin != "PR #7" {
		t.Errorf("the pull request's config: %+v, want it apart, unranked, from PR #7", v.Others)
	}
	if v.Counted != 2 || v.Runs != 4 || v.Branch != "main" {
		t.Errorf("counted %d of %d runs on %q, want 2 of 4 on main", v.Counted, v.Runs, v.Branch)
	}
	if data == nil {
		t.Fatal("no chart data")
	}

	// With no branch every run ranks, the pull request's first.
	v, _ = pages.BuildExperiment(pages.ExperimentInput{Name: "mlp", Entries: entries}, pages.SiteLinks(1))
	if len(v.Configs) != 2 || v.Configs[0].Seeds[0].RunID != "p1" {
		t.Errorf("with no branch: %+v", v.Configs)
	}
}

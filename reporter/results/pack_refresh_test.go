package results

import (
	"context"
	"testing"
)

// TestAStoreReadsRunsAnotherProcessRecorded: a store that stays open
// (assay ui) answers for runs that another one (assay run, in another
// terminal) recorded after its first read, and the other way round,
// though each wrote its objects in a pack the other had not indexed.
func TestAStoreReadsRunsAnotherProcessRecorded(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	ctx := context.Background()
	ui := openStore(t, dir, Options{})
	if _, err := ui.Deliver(ctx, putRuns(t, ui, testRun("r-first", "exp", 1))); err != nil {
		t.Fatal(err)
	}
	if _, err := ui.Run("r-first"); err != nil {
		t.Fatal(err)
	}
	run := openStore(t, dir, Options{})
	if _, err := run.Run("r-first"); err != nil {
		t.Fatalf("the second store reading the first run: %v", err)
	}
	if _, err := run.Deliver(ctx, putRuns(t, run, testRun("r-second", "exp", 2))); err != nil {
		t.Fatal(err)
	}
	if d, err := ui.Run("r-second"); err != nil || d.Result.RunID != "r-second" || len(d.Series["val_acc"]) != 20 {
		t.Errorf("the open store reading the run recorded beside it: %+v, %v", d, err)
	}
	idx, err := ui.Index()
	if err != nil || len(idx.Entries) != 2 {
		t.Fatalf("the open store's index: %v, %v", idx, err)
	}
	if _, err := ui.Deliver(ctx, putRuns(t, ui, testRun("r-third", "exp", 3))); err != nil {
		t.Fatal(err)
	}
	if d, err := run.Run("r-third"); err != nil || d.Result.RunID != "r-third" {
		t.Errorf("the second store reading the run the first recorded since: %+v, %v", d, err)
	}
	if _, err := ui.Run("r-missing"); err == nil {
		t.Error("a run nobody recorded was found")
	}
}

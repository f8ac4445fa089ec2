package main

import (
	"fmt"
	"path/filepath"
	"sync"

	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
)

// searchHistory is runner.History over the results branch and the local
// spool of runs not yet delivered to it: what a search is replayed from.
// It reads nothing until a search asks, so a plan without searches pays
// nothing for it; each run's series is read once.
type searchHistory struct {
	store    *results.Store // nil outside git
	spoolDir string

	once   sync.Once
	byKey  map[string][]*runner.Result
	mu     sync.Mutex
	series map[string]map[string][]runner.Point
	// spooled are the runs read from the spool, by run id.
	spooled map[string]*runner.Run
	// err is the first history that could not be read: a search replayed
	// without it would propose other points, so Err makes it an error.
	err error
}

func newSearchHistory(store *results.Store, spoolDir string) *searchHistory {
	return &searchHistory{store: store, spoolDir: spoolDir}
}

// historyFor is the search history of a store and the spool beside it.
func historyFor(store *results.Store, stateDir string) *searchHistory {
	return newSearchHistory(store, filepath.Join(stateDir, "spool"))
}

func (h *searchHistory) load() {
	h.byKey, h.series, h.spooled = map[string][]*runner.Result{}, map[string]map[string][]runner.Point{}, map[string]*runner.Run{}
	onBranch := map[string]bool{}
	if h.store != nil {
		idx, err := h.store.Index()
		if err != nil {
			h.fail(err)
			return
		}
		for _, e := range idx.Entries {
			h.byKey[e.TrialKey] = append(h.byKey[e.TrialKey], e.Result())
			onBranch[e.RunID] = true
		}
	}
	sp, err := spool.Open(h.spoolDir)
	if err != nil {
		h.fail(err)
		return
	}
	ids, err := sp.List()
	if err != nil {
		h.fail(err)
		return
	}
	for _, id := range ids {
		if onBranch[id] {
			continue // recorded, not yet removed from the spool
		}
		run, err := sp.Get(id)
		if err != nil {
			continue // half-written or foreign: assay sync reports those
		}
		h.byKey[run.Result.TrialKey] = append(h.byKey[run.Result.TrialKey], run.Result)
		h.spooled[id] = run
	}
}

// Runs returns the runs of key on the branch and in the spool.
func (h *searchHistory) Runs(key string) []*runner.Result {
	h.once.Do(h.load)
	return h.byKey[key]
}

// Series returns a run's recorded series of metric.
func (h *searchHistory) Series(r *runner.Result, metric string) []runner.Point {
	h.once.Do(h.load)
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.series[r.RunID]; ok {
		return s[metric]
	}
	var s map[string][]runner.Point
	if run := h.spooled[r.RunID]; run != nil {
		s = run.Series
	} else if h.store != nil {
		d, err := h.store.Run(r.RunID)
		if err != nil {
			if h.err == nil {
				h.err = err
			}
			return nil
		}
		s = d.Series
	}
	h.series[r.RunID] = s
	return s[metric]
}

// fail keeps the first error of reading the history.
func (h *searchHistory) fail(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err == nil {
		h.err = err
	}
}

// Err is the first error of reading the history since a search asked for
// it; nil when none did.
func (h *searchHistory) Err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return fmt.Errorf("cannot read the history searches are replayed from: %w", h.err)
	}
	return nil
}

// replayFrom replays the plan's searches against h, and fails when h
// could not be read.
func replayFrom(plan *runner.Plan, h *searchHistory) error {
	plan.UseHistory(h)
	return h.Err()
}

var _ runner.History = (*searchHistory)(nil)

// recordedHistory is the Recorded of plain experiments and the History of
// searches, from the same stores.
type recordedHistory struct {
	runner.AnyRecorded
	*searchHistory
}

// useHistory replays the plan's searches against rec when it is a
// History too.
func useHistory(plan *runner.Plan, rec runner.Recorded) error {
	if r, ok := rec.(recordedHistory); ok {
		return replayFrom(plan, r.searchHistory)
	}
	return nil
}

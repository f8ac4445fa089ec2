package runner

import "sort"

// History is what the results already hold, as a search needs it: every
// run of a trial key, and a run's recorded series. cmd wires it to the
// results branch and the local spool of runs not yet delivered.
type History interface {
	// Runs returns every recorded run of a trial key, in any order.
	Runs(key string) []*Result
	// Series returns a run's recorded series of one metric in step
	// order, or nil.
	Series(r *Result, metric string) []Point
}

// noHistory is the History of a project with no results.
type noHistory struct{}

func (noHistory) Runs(string) []*Result          { return nil }
func (noHistory) Series(*Result, string) []Point { return nil }

// settledRun is the run that decides a trial's outcome in a search, or
// nil while the trial has none: the last attempt of the first invocation
// (Result.Batch) that ended it as succeeded, stopped, failed or timed
// out. A search moves on once a round's trials are settled, and a later
// rerun of a settled trial must not change the rounds proposed from it,
// so the first settlement is the one that counts; a cancelled trial is
// not settled and runs again.
func settledRun(runs []*Result) *Result {
	byBatch := map[string][]*Result{}
	var batches []string
	for _, r := range runs {
		b := r.Batch
		if b == "" {
			b = r.RunID
		}
		if byBatch[b] == nil {
			batches = append(batches, b)
		}
		byBatch[b] = append(byBatch[b], r)
	}
	first := func(rs []*Result) *Result {
		f := rs[0]
		for _, r := range rs[1:] {
			if r.Started.Before(f.Started) || (r.Started.Equal(f.Started) && r.RunID < f.RunID) {
				f = r
			}
		}
		return f
	}
	sort.Slice(batches, func(i, j int) bool {
		a, b := first(byBatch[batches[i]]), first(byBatch[batches[j]])
		if !a.Started.Equal(b.Started) {
			return a.Started.Before(b.Started)
		}
		return a.RunID < b.RunID
	})
	for _, b := range batches {
		rs := byBatch[b]
		last := rs[0]
		for _, r := range rs[1:] {
			if r.Attempt > last.Attempt || (r.Attempt == last.Attempt && r.RunID > last.RunID) {
				last = r
			}
		}
		switch last.Status {
		case StatusSucceeded, StatusStopped, StatusFailed, StatusTimedOut:
			return last
		}
	}
	return nil
}

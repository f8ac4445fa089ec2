package runner

import (
	"slices"
	"testing"
	"time"
)

// The run that settles a trial in a search is the last attempt of the
// first invocation that ended it, whatever order the history returns the
// runs in; a cancelled invocation settles nothing.
func TestSettledRun(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	run := func(id, batch string, attempt int, started time.Duration, s Status) *Result {
		return &Result{RunID: id, Batch: batch, Attempt: attempt, Started: t0.Add(started), Status: s}
	}
	for _, c := range []struct {
		name string
		runs []*Result
		want string
	}{
		{"none", nil, ""},
		{"cancelled", []*Result{run("a", "b1", 1, 0, StatusCancelled)}, ""},
		{"last attempt", []*Result{run("a2", "b1", 2, time.Minute, StatusSucceeded), run("a1", "b1", 1, 0, StatusFailed)}, "a2"},
		{"same attempt, later run id", []*Result{run("r2", "b1", 1, time.Minute, StatusSucceeded), run("r1", "b1", 1, 0, StatusFailed)}, "r2"},
		{"first invocation", []*Result{run("late", "b2", 1, time.Hour, StatusFailed), run("early", "b1", 1, 0, StatusSucceeded)}, "early"},
		{"cancelled first", []*Result{run("c", "b1", 1, 0, StatusCancelled), run("s", "b2", 1, time.Hour, StatusStopped)}, "s"},
		{"no batch: each run its own", []*Result{run("x2", "", 1, time.Hour, StatusSucceeded), run("x1", "", 1, 0, StatusTimedOut)}, "x1"},
		// Invocations that started at the same instant go by run id:
		// the smallest of each one's first runs.
		{"started together", []*Result{run("m", "b1", 1, 0, StatusSucceeded), run("k", "b2", 1, 0, StatusFailed)}, "k"},
		{"started together, the batch's smallest run id", []*Result{
			run("a", "b1", 1, 0, StatusFailed), run("z", "b1", 2, 0, StatusSucceeded), run("m", "b2", 1, 0, StatusStopped),
		}, "z"},
	} {
		for _, order := range [][]*Result{c.runs, reversed(c.runs)} {
			got := ""
			if r := settledRun(order); r != nil {
				got = r.RunID
			}
			if got != c.want {
				t.Errorf("%s: settled by %q, want %q", c.name, got, c.want)
			}
		}
	}
}

func reversed(rs []*Result) []*Result {
	out := slices.Clone(rs)
	slices.Reverse(out)
	return out
}

package main

import (
	"fmt"
	"testing/fstest"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// specOf is the experiment of a problem as a user would write it: its
// params and metric, a sweep with the given attributes over its space,
// and extra blocks.
func specOf(pr problem, sweep, extra string) (*spec.Experiment, error) {
	src := fmt.Sprintf(`experiment %q {
  command = ["bench"]
  params  = { %s }
  %s
  sweep {
    %s
%s
  }
  %s
}
`, pr.name, pr.params, pr.metric, sweep, pr.sweep, extra)
	p, diags := spec.Load(fstest.MapFS{"experiments/bench.hcl": {Data: []byte(src)}}, spec.LoadOptions{})
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s: %s\n%s", pr.name, diags.Error(), src)
	}
	return p.Experiments[0], nil
}

// memHistory is a results store in memory, as the benchmark's searches
// record their trials.
type memHistory struct {
	runs   map[string][]*runner.Result
	series map[string][]runner.Point
	n      int
}

func newMemHistory() *memHistory {
	return &memHistory{runs: map[string][]*runner.Result{}, series: map[string][]runner.Point{}}
}

func (h *memHistory) Runs(key string) []*runner.Result { return h.runs[key] }

func (h *memHistory) Series(r *runner.Result, _ string) []runner.Point { return h.series[r.RunID] }

func (h *memHistory) record(t *spec.Trial, status runner.Status, metric string, final float64, series []runner.Point) {
	h.n++
	r := &runner.Result{
		RunID: fmt.Sprintf("run-%06d", h.n), TrialKey: t.Key, Experiment: t.Experiment, Params: t.Params, Seed: t.Seed,
		Status: status, Attempt: 1, Batch: "bench", Started: time.Unix(int64(h.n), 0), Metrics: map[string]float64{metric: final},
	}
	h.runs[t.Key] = append(h.runs[t.Key], r)
	h.series[r.RunID] = series
}

// searchTrace runs assay's search of e to its end, as assay run does
// round by round, and returns the objective of each proposal in order.
func searchTrace(e *spec.Experiment, ev evaluator) ([]float64, error) {
	h := newMemHistory()
	out := make([]float64, e.SearchPoints())
	metric := e.Objective().Name
	for {
		s, diags := runner.ReplaySearch(e, "bench", h)
		if diags.HasErrors() {
			return nil, diags
		}
		if s.Next == nil {
			return out, nil
		}
		for _, p := range s.Next.Points {
			for i, t := range p.Trials {
				if p.Runs[i] != nil {
					continue
				}
				v, err := ev.eval(t.Params)
				if err != nil {
					return nil, err
				}
				h.record(t, runner.StatusSucceeded, metric, v, []runner.Point{{Step: 1, Value: v}})
				out[p.Origin.Proposal] = v
			}
		}
	}
}

// randomTrace evaluates assay's random sweep of the same space.
func randomTrace(e *spec.Experiment, ev evaluator) ([]float64, error) {
	trials, diags := e.Trials("bench")
	if diags.HasErrors() {
		return nil, diags
	}
	out := make([]float64, len(trials))
	for i, t := range trials {
		v, err := ev.eval(t.Params)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// bestAt is the lowest of the first n values.
func bestAt(trace []float64, n int) float64 {
	b := trace[0]
	for _, v := range trace[:min(n, len(trace))] {
		b = min(b, v)
	}
	return b
}

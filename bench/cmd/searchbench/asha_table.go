package main

import (
	"fmt"
	"io"
	"math"
)

// ashaCase is one set of learning curves with the early_stop block that
// judges them.
type ashaCase struct {
	name, params, sweep, metric string
	steps                       int
	newSource                   func() (curveSource, error)
}

func ashaCases() map[string]ashaCase {
	return map[string]ashaCase{
		"synthetic": {
			name: "synthetic", params: syntheticParams, sweep: syntheticSweep, steps: 100,
			metric:    `metric "loss" { goal = "minimize" }`,
			newSource: func() (curveSource, error) { return synthetic{steps: 100}, nil },
		},
		"crossing": {
			name: "crossing", params: syntheticParams, sweep: syntheticSweep, steps: 100,
			metric:    `metric "loss" { goal = "minimize" }`,
			newSource: func() (curveSource, error) { return synthetic{steps: 100, crossing: true}, nil },
		},
		"quickstart": {
			name: "quickstart", params: "lr = 0.1, l2 = 0.001, epochs = 30", sweep: problems["quickstart"].sweep, steps: 30,
			metric: `metric "val_loss" {
    goal    = "minimize"
    summary = "min"
  }`,
			newSource: func() (curveSource, error) {
				t, err := newTrainer()
				return trainerCurves{t: t, epochs: 30}, err
			},
		},
	}
}

// rules are the early_stop blocks measured; min_steps is a thirtieth of
// the curve's length, so ASHA has rungs at 1/30, 1/10 and 3/10 of it.
var rules = []struct{ name, block string }{
	{"asha", `early_stop {
    rule             = "asha"
    min_steps        = %d
    reduction_factor = 3
    grace_period     = 3
  }`},
	{"median", `early_stop {
    rule         = "median"
    min_steps    = %d
    grace_period = 5
  }`},
}

func ashaTable(w io.Writer, o options) error {
	fmt.Fprintf(w, "Early stopping: a random sweep of %d points in rounds of 4, each run to its end, and run with early stopping; over %d repetitions\n\n", o.budget, o.reps)
	fmt.Fprintf(w, "%-11s %-7s %-26s %-34s %-10s %s\n", "curves", "rule", "steps saved", "best found vs full run's best", "same best", "stopped")
	var checks []string
	cases := ashaCases()
	for _, name := range o.asha {
		c, ok := cases[name]
		if !ok {
			return fmt.Errorf("no learning curves %q", name)
		}
		sources := newPool(o.parallel, c.newSource)
		for _, r := range rules {
			res, err := parallelReps(o, func(rep int) (ashaRun, error) {
				pr := problem{name: c.name, params: c.params, metric: c.metric, sweep: c.sweep}
				e, err := specOf(pr, fmt.Sprintf("method = \"random\"\n    samples = %d\n    seed = %d\n    batch = 4", o.budget, rep),
					fmt.Sprintf(r.block, max(1, c.steps/30)))
				if err != nil {
					return ashaRun{}, err
				}
				src, err := sources.get()
				if err != nil {
					return ashaRun{}, err
				}
				defer sources.put(src)
				return earlyStopTrace(e, src)
			})
			if err != nil {
				sources.closeAll()
				return err
			}
			var saved, gap, stopped []float64
			same := 0
			for _, x := range res {
				saved = append(saved, 100*(1-float64(x.usedSteps)/float64(x.fullSteps)))
				g := 100 * (x.foundBest - x.fullBest) / math.Abs(x.fullBest)
				gap = append(gap, g)
				if x.foundBest == x.fullBest {
					same++
				}
				stopped = append(stopped, float64(x.stopped))
			}
			fmt.Fprintf(w, "%-11s %-7s %-26s %-34s %-10s %s\n", name, r.name,
				spread(saved)+" %", spread(gap)+" %", fmt.Sprintf("%d of %d", same, o.reps), spread(stopped))
			ms, mg := quantile(saved, 0.5), quantile(gap, 0.5)
			checks = append(checks, fmt.Sprintf("%s, %s: median %.1f%% of steps saved (target >= 50%%): %s; median gap to the full run's best %.2f%% (target within 1%%): %s",
				name, r.name, ms, verdict(ms >= 50), mg, verdict(mg <= 1)))
		}
		sources.closeAll()
	}
	fmt.Fprintln(w)
	for _, c := range checks {
		fmt.Fprintln(w, c)
	}
	return nil
}

package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/assaylab/assay/reporter/drift"
)

// A canary: one config, val_acc (maximize, tolerance 0.005) and
// train_loss (minimize), seeds runs a night, each run N(level, σ²) with
// the σ of the pull-request scenarios, plus a night-wide offset of sd
// tau·σ shared by the night's runs (the data order or the machine of the
// night); tau = 0 is a canary whose nights differ only by their seeds.
type canary struct {
	seeds int
	tau   float64
}

// nights draws count nights; from night shiftAt on, val_acc is k σ lower.
func (c canary) nights(rng *rand.Rand, count, shiftAt int, k float64) []drift.Series {
	acc := drift.Series{Experiment: "canary", Metric: "val_acc", Goal: "maximize", Tolerance: 0.005}
	loss := drift.Series{Experiment: "canary", Metric: "train_loss", Goal: "minimize"}
	day := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	for i := range count {
		date := drift.NightOf(day.AddDate(0, 0, i))
		na, nl := c.tau*accSD*rng.NormFloat64(), c.tau*lossSD*rng.NormFloat64()
		va, vl := make([]float64, c.seeds), make([]float64, c.seeds)
		for s := range c.seeds {
			va[s] = accMean + na + accSD*rng.NormFloat64()
			vl[s] = lossMean + nl + lossSD*rng.NormFloat64()
			if i >= shiftAt {
				va[s] -= k * accSD
			}
		}
		acc.Nights = append(acc.Nights, drift.Night{Date: date, Values: va})
		loss.Nights = append(loss.Nights, drift.Night{Date: date, Values: vl})
	}
	return []drift.Series{acc, loss}
}

// findings replays the nightly job: the experiment's verdict on each
// night, as Rule.Evaluate gives it on the morning after.
func findings(rule drift.Rule, series []drift.Series) []string {
	all := make([][]drift.Judgement, len(series))
	for i, s := range series {
		all[i] = rule.JudgeAll(s)
	}
	out := make([]string, len(series[0].Nights))
	for n := range out {
		drifting, stable := 0, 0
		for i := range series {
			switch all[i][n].Verdict {
			case drift.Drifting:
				drifting++
			case drift.Stable:
				stable++
			}
		}
		switch {
		case drifting > 0:
			out[n] = drift.Drifting
		case stable == len(series):
			out[n] = drift.Stable
		default:
			out[n] = drift.Insufficient
		}
	}
	return out
}

// opened counts the issues the nightly job opens over the verdicts: one
// when a drifting night finds none open; a stable night closes it.
func opened(verdicts []string) int {
	open, n := false, 0
	for _, v := range verdicts {
		switch v {
		case drift.Drifting:
			if !open {
				open, n = true, n+1
			}
		case drift.Stable:
			open = false
		}
	}
	return n
}

type driftScenario struct {
	id, title  string
	fast, full int
	run        func(rng *rand.Rand, reps int) driftResult
	// atMost: the result must be at most target (issues per 20
	// experiment-months), else at least (a detection rate).
	atMost bool
	target float64
}

// driftResult is either a mean (false issues per 20 experiment-months)
// or a rate (shifts reported in time).
type driftResult struct {
	issues *mean
	rate   *rate
}

func (d driftResult) String() string {
	if d.issues != nil {
		return fmt.Sprintf("%s false issues per 20 experiment-months", d.issues)
	}
	return "reported within 3 nights: " + d.rate.String()
}

func (d driftResult) value() float64 {
	if d.issues != nil {
		return d.issues.value()
	}
	return d.rate.p()
}

func (s driftScenario) claimText(d driftResult) string {
	if s.target == 0 {
		return ""
	}
	ok := "✓"
	if (s.atMost && d.value() > s.target) || (!s.atMost && d.value() < s.target) {
		ok = "✗"
	}
	if s.atMost {
		return fmt.Sprintf("≤ %g %s", s.target, ok)
	}
	return fmt.Sprintf("≥ %g%% %s", 100*s.target, ok)
}

// monthNights is 20 experiment-months of nights.
const monthNights = 600

// falseIssues runs a stable canary for 20 months per replicate.
func falseIssues(c canary) func(*rand.Rand, int) driftResult {
	return func(rng *rand.Rand, reps int) driftResult {
		var m mean
		for range reps {
			m.add(float64(opened(findings(drift.Rule{}, c.nights(rng, monthNights, monthNights, 0)))))
		}
		return driftResult{issues: &m}
	}
}

// history is how many stable nights precede a shift.
const history = 30

// detection shifts val_acc k σ down after a month of stable nights and
// asks whether any of the first three shifted nights drifts.
func detection(c canary, k float64) func(*rand.Rand, int) driftResult {
	return func(rng *rand.Rand, reps int) driftResult {
		r := rate{n: reps}
		for range reps {
			v := findings(drift.Rule{}, c.nights(rng, history+3, history, k))
			if slices.Contains(v[history:], drift.Drifting) {
				r.k++
			}
		}
		return driftResult{rate: &r}
	}
}

func driftScenarios() []driftScenario {
	return []driftScenario{
		{id: "drift-canary-n3", title: "stable canary, 3 seeds a night", fast: 60, full: 2000,
			run: falseIssues(canary{seeds: 3}), atMost: true, target: 1},
		{id: "drift-canary-n1", title: "stable canary, 1 seed a night", fast: 0, full: 2000,
			run: falseIssues(canary{seeds: 1}), atMost: true, target: 1},
		{id: "drift-canary-n3-tau", title: "stable canary, 3 seeds, nights differing by 0.5σ beyond their seeds", fast: 0, full: 2000,
			run: falseIssues(canary{seeds: 3, tau: 0.5}), atMost: true, target: 1},
		{id: "drift-shift3-n3", title: "sustained 3σ drop, 3 seeds a night", fast: 300, full: 10000,
			run: detection(canary{seeds: 3}, 3), target: 0.9},
		{id: "drift-shift3-n1", title: "sustained 3σ drop, 1 seed a night", fast: 0, full: 10000,
			run: detection(canary{seeds: 1}, 3)},
		{id: "drift-shift2-n3", title: "sustained 2σ drop, 3 seeds a night", fast: 0, full: 10000,
			run: detection(canary{seeds: 3}, 2)},
	}
}

func selectedDrift(all []driftScenario, ids []string) []driftScenario {
	if len(ids) == 0 {
		return all
	}
	var out []driftScenario
	for _, s := range all {
		if slices.Contains(ids, s.id) {
			out = append(out, s)
		}
	}
	return out
}

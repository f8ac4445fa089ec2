package compare

import (
	"math"
	"sort"

	"github.com/assaylab/assay/runner"
)

// historyDays is how many days of scheduled runs a sparkline shows.
const historyDays = 14

// context fills what surrounds the numbers: missing results with the
// command that produces them, failures with their log tails, reused
// trials, cost, and scheduled history.
func (x *experimentCtx) context(e *Experiment) {
	runHead, runBase := x.in.RunHead, x.in.RunBase
	if runHead == "" {
		runHead = DefaultRunHead
	}
	if runBase == "" {
		runBase = DefaultRunBase
	}
	// Base results matter only when there is a head to compare them to.
	if x.hasHead {
		x.missing(e, SideBase, x.baseCfgs, runBase)
	}
	x.missing(e, SideHead, x.headCfgs, runHead)
	x.failures(e, SideBase, x.baseCfgs)
	x.failures(e, SideHead, x.headCfgs)

	baseKeys := map[string]bool{}
	for _, c := range x.baseCfgs {
		for _, o := range c.trials {
			e.Cost.Base.add(runCost(o.result))
			baseKeys[o.trial.Key] = true
		}
	}
	for _, c := range x.headCfgs {
		for _, o := range c.trials {
			cost := runCost(o.result)
			e.Cost.Head.add(cost)
			if o.state == trialOK && x.reused(o, baseKeys) {
				e.Reused = append(e.Reused, reuse(c, o))
				continue
			}
			e.Cost.HeadNew.add(cost)
		}
	}
	x.history(e)
}

func (x *experimentCtx) missing(e *Experiment, side string, cfgs []*sideConfig, command string) {
	for _, c := range cfgs {
		for _, o := range c.trials {
			if o.state == trialMissing {
				e.Missing = append(e.Missing, MissingTrial{
					Side: side, Config: c.label, Seed: o.trial.Seed, Key: o.trial.Key, Command: command,
				})
			}
		}
	}
}

func (x *experimentCtx) failures(e *Experiment, side string, cfgs []*sideConfig) {
	for _, c := range cfgs {
		for _, o := range c.trials {
			if o.state != trialFailed {
				continue
			}
			r := o.result
			f := FailedTrial{
				Side: side, Config: c.label, Seed: o.trial.Seed, Key: o.trial.Key, RunID: r.RunID,
				Status: string(r.Status), ExitCode: r.ExitCode, Attempt: r.Attempt, Commit: r.SourceCommit,
			}
			if x.in.LogTail != nil {
				f.LogTail = x.in.LogTail(r)
			}
			e.Failures = append(e.Failures, f)
		}
	}
}

// reused reports whether a head trial's result came from elsewhere than
// the head: a run records the commit it ran from, and runs made from the
// working tree record the commit its edits sit on (Ref.Parent), so those
// are this change's own too — unless that commit is the base itself and
// the trial is one base shares, whose result is the base's.
func (x *experimentCtx) reused(o *outcome, baseKeys map[string]bool) bool {
	head := x.in.Head.Commit
	if head == "" {
		head = x.in.Head.Parent
		if head == x.in.Base.Commit && baseKeys[o.trial.Key] {
			return true
		}
	}
	return o.result.SourceCommit != head
}

func reuse(c *sideConfig, o *outcome) Reuse {
	first := o.first
	return Reuse{
		Config: c.label, Seed: o.trial.Seed, Key: o.trial.Key, RunID: first.RunID,
		At: first.Started.UTC(), Commit: first.SourceCommit, PR: first.PR, Trigger: first.Trigger,
	}
}

func runCost(r *runner.Result) SideCost {
	if r == nil {
		return SideCost{}
	}
	d := r.DurationS
	if d < 0 || math.IsNaN(d) || math.IsInf(d, 0) {
		d = 0
	}
	return SideCost{Runs: 1, WallSeconds: d, GPUHours: d * float64(len(r.GPUs)) / 3600}
}

// history collects the scheduled runs of the headline's configs (both
// sides: an unchanged config has the same keys on each) and reduces each
// metric to one mean per day.
func (x *experimentCtx) history(e *Experiment) {
	var cfgs []*sideConfig
	for _, c := range []*sideConfig{x.hlBase, x.hlHead} {
		if c != nil {
			cfgs = append(cfgs, c)
		}
	}
	seen := map[string]bool{}
	var runs []*runner.Result
	for _, c := range cfgs {
		for _, o := range c.trials {
			for _, r := range o.runs {
				if r.Trigger == runner.TriggerSchedule && r.Status == runner.StatusSucceeded && !seen[r.RunID] {
					seen[r.RunID] = true
					runs = append(runs, r)
				}
			}
		}
	}
	if len(runs) == 0 {
		return
	}
	for _, m := range x.metrics {
		byDay := map[string][]float64{}
		for _, r := range runs {
			if v, ok := r.Metrics[m.Name]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
				day := r.Started.UTC().Format("2006-01-02")
				byDay[day] = append(byDay[day], v)
			}
		}
		if len(byDay) < 2 {
			continue
		}
		days := make([]string, 0, len(byDay))
		for d := range byDay {
			days = append(days, d)
		}
		sort.Strings(days)
		if len(days) > historyDays {
			days = days[len(days)-historyDays:]
		}
		h := History{Metric: m.Name}
		vals := make([]float64, len(days))
		for i, d := range days {
			s := NewSample(byDay[d])
			h.Points = append(h.Points, HistoryPoint{Date: d, Value: s.Mean, N: s.N})
			vals[i] = s.Mean
		}
		h.Spark = Sparkline(vals)
		e.History = append(e.History, h)
	}
}

var sparkLevels = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values as block characters scaled between their minimum
// and maximum; a flat series is drawn at mid height.
func Sparkline(values []float64) string {
	if len(values) == 0 {
		return ""
	}
	lo, hi := values[0], values[0]
	for _, v := range values {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	out := make([]rune, len(values))
	for i, v := range values {
		level := len(sparkLevels) / 2
		if hi > lo {
			level = int(math.Round((v - lo) / (hi - lo) * float64(len(sparkLevels)-1)))
		}
		out[i] = sparkLevels[level]
	}
	return string(out)
}

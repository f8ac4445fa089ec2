package html

import (
	"fmt"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/runner"
)

// curveJob is one config of one side whose curves the report draws.
type curveJob struct {
	e      *Experiment
	side   string
	config int
	label  string
	// runs are the runs whose values count, one per seed.
	runs []*runner.Result
	// headline configs get the larger share of the size budget: they
	// are the curves the page opens with.
	headline bool
}

// curveJobs lists the configs of an experiment's rows with the runs that
// count for each.
func curveJobs(e *Experiment, ce *compare.Experiment, ei *compare.ExperimentInput, lookup func(string) []*runner.Result) []curveJob {
	if ei == nil || lookup == nil {
		return nil
	}
	hl := map[string]int{compare.SideBase: -1, compare.SideHead: -1}
	if e.Headline != nil {
		hl[compare.SideBase], hl[compare.SideHead] = e.Headline.BaseIndex, e.Headline.HeadIndex
	}
	seen := map[string]bool{}
	var jobs []curveJob
	add := func(side string, in *compare.SideInput, cfg *compare.Config) {
		if cfg == nil || in == nil {
			return
		}
		id := fmt.Sprintf("%s/%d", side, cfg.Index)
		if seen[id] {
			return
		}
		seen[id] = true
		runs := configRuns(in, string(cfg.Params), lookup)
		if len(runs) == 0 {
			return
		}
		jobs = append(jobs, curveJob{e: e, side: side, config: cfg.Index, label: cfg.Label, runs: runs, headline: hl[side] == cfg.Index})
	}
	rows := ce.Configs
	if ce.Headline != nil {
		rows = append([]*compare.Row{ce.Headline}, rows...)
	}
	for _, row := range rows {
		add(compare.SideBase, ei.Base, row.Base)
		add(compare.SideHead, ei.Head, row.Head)
	}
	return jobs
}

// configRuns returns, for each trial of the config, the run whose values
// count: its latest succeeded run, the rule the comparison uses.
func configRuns(side *compare.SideInput, paramsJSON string, lookup func(string) []*runner.Result) []*runner.Result {
	var out []*runner.Result
	for _, t := range side.Trials {
		pj := t.ParamsJSON
		if pj == "" {
			pj = "{}"
		}
		if pj != paramsJSON {
			continue
		}
		var pick *runner.Result
		for _, r := range lookup(t.Key) {
			if r == nil || r.Status != runner.StatusSucceeded {
				continue
			}
			if pick == nil || r.Finished.After(pick.Finished) || (r.Finished.Equal(pick.Finished) && r.RunID > pick.RunID) {
				pick = r
			}
		}
		if pick != nil {
			out = append(out, pick)
		}
	}
	return out
}

// drawCurves reads each job's series and fills its experiment's curves,
// sharing budget values among them. It reports whether any curve was
// resampled.
func drawCurves(jobs []curveJob, series func(*runner.Result) (map[string][]runner.Point, error), budget int) bool {
	type loaded struct {
		job     *curveJob
		metrics map[string][]SeedSeries
		order   []string
	}
	all := make([]loaded, 0, len(jobs))
	failed := map[*Experiment][]string{}
	headSeries, otherSeries := 0, 0
	for i := range jobs {
		j := &jobs[i]
		l := loaded{job: j, metrics: map[string][]SeedSeries{}}
		for _, r := range j.runs {
			s, err := series(r)
			if err != nil {
				failed[j.e] = append(failed[j.e], fmt.Sprintf("%s: %v", r.RunID, err))
				continue
			}
			for _, m := range j.e.Metrics {
				if pts := s[m.Name]; len(pts) > 0 {
					if l.metrics[m.Name] == nil {
						l.order = append(l.order, m.Name)
					}
					l.metrics[m.Name] = append(l.metrics[m.Name], SeedSeries{Seed: r.Seed, Points: pts})
				}
			}
		}
		for _, ss := range l.metrics {
			if j.headline {
				headSeries += len(ss)
			} else {
				otherSeries += len(ss)
			}
		}
		all = append(all, l)
	}
	for e, errs := range failed {
		note := fmt.Sprintf("curves of %d run(s) could not be read: %s", len(errs), errs[0])
		e.Notes = append(e.Notes, note)
	}

	headCap := clampPoints(budget / 2 / max(headSeries, 1))
	otherCap := clampPoints((budget - headSeries*headCap) / max(otherSeries, 1))
	downsampled := false
	for _, l := range all {
		j := l.job
		cc := &ConfigCurves{Label: j.label, Metrics: map[string]*Curve{}}
		limit := otherCap
		if j.headline {
			limit = headCap
		}
		for _, name := range l.order {
			c, resampled := BuildCurve(l.metrics[name], limit)
			if c == nil {
				continue
			}
			downsampled = downsampled || resampled
			cc.Metrics[name] = c
		}
		if len(cc.Metrics) == 0 {
			continue
		}
		if j.e.Curves == nil {
			j.e.Curves = map[string]map[int]*ConfigCurves{}
		}
		if j.e.Curves[j.side] == nil {
			j.e.Curves[j.side] = map[int]*ConfigCurves{}
		}
		j.e.Curves[j.side][j.config] = cc
	}
	return downsampled
}

func clampPoints(n int) int {
	return min(max(n, MinCurvePoints), MaxCurvePoints)
}

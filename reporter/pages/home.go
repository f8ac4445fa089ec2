package pages

import (
	"fmt"
	"html/template"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/assaylab/assay/reporter/drift"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// Limits of the home page.
const (
	// RecentChanges is how many batches of runs "what changed recently"
	// lists.
	RecentChanges = 30
	// TrendNights is how many of the latest nights a sparkline draws.
	TrendNights = 30
	// FirstRows is how many rows of the home page's tables the browser
	// lays out before its first paint: more than a screen holds. The
	// rest (HomeRow.Later, Change.Later) are shown right after it, so the
	// page paints as soon with 200 experiments as with 20 (laying out
	// every row first took most of the time to first paint).
	FirstRows = 40
)

// HomeInput is what the home page is built from.
type HomeInput struct {
	Entries []*results.Entry
	// Specs are the default branch's experiments, for goals, schedules
	// and drift; experiments no spec declares are still listed.
	Specs  []*spec.Experiment
	Branch *Branch
	// Reports are the pull requests with a report page.
	Reports map[int]bool
	// Warnings counts records the branch holds that could not be read.
	Warnings int
	// Drift is the rule open drift is judged by.
	Drift drift.Rule
}

// Home is the site's front page: every experiment's latest result on
// the default branch, the nightly trend, what changed recently and open
// drift.
type Home struct {
	Branch                string
	Runs, Counted, PRs    int
	Warnings              int
	Experiments           []*HomeRow
	Changes               []*Change
	Drift                 []*DriftRow
	Scheduled, Unreported int
}

// HomeRow is one experiment on the home page.
type HomeRow struct {
	Name         string
	Metric, Goal string
	// Latest is the best config's mean at the newest commit (or night)
	// of the default branch with succeeded runs of the experiment.
	Latest                     Cell
	LatestConfig, LatestCommit string
	LatestWhen                 time.Time
	// Best is the best config over the default branch's history.
	Best       Cell
	BestConfig string
	Runs       int
	Counted    int
	// Trend is the nightly mean of the ranking metric as a small inline
	// SVG; "" for an experiment without nights.
	Trend      template.HTML
	TrendLast  string
	Drifting   bool
	LastRun    time.Time
	LastSort   string
	LatestSort string
	// Later marks a row past FirstRows.
	Later bool
}

// Change is one batch of runs: a pull request's commit, a push, a night
// or a manual run.
type Change struct {
	When        time.Time
	Kind        string
	PR          int
	Report      bool
	Commit      string
	Night       string
	Experiments []string
	More        int
	Runs        int
	Failed      int
	// Where lists the batch's runs in the search page's language.
	Where string
	// Later marks a row past FirstRows, counting the experiments' rows
	// above.
	Later bool
}

// DriftRow is one drifting series of a scheduled experiment.
type DriftRow struct {
	Experiment, Night, Metric, Config string
	Mean, Baseline, Delta             string
}

// BuildHome makes the home page.
func BuildHome(in HomeInput) *Home {
	h := &Home{Branch: in.Branch.Label(), Runs: len(in.Entries), Warnings: in.Warnings}
	specs := map[string]*spec.Experiment{}
	for _, s := range in.Specs {
		specs[s.Name] = s
	}
	byExp := map[string][]*results.Entry{}
	prs := map[int]bool{}
	for _, e := range in.Entries {
		byExp[e.Experiment] = append(byExp[e.Experiment], e)
		if e.PR > 0 {
			prs[e.PR] = true
		}
	}
	for n := range in.Reports {
		prs[n] = true
	}
	h.PRs = len(prs)
	names := make([]string, 0, len(byExp))
	for n := range byExp {
		names = append(names, n)
	}
	sort.Strings(names)
	pm := paramsMemo{}
	for _, name := range names {
		row, counted := homeRow(name, byExp[name], specs[name], in.Branch, pm)
		h.Counted += counted
		if sp := specs[name]; sp != nil && sp.Schedule != "" {
			h.Scheduled++
			if rows := driftRows(name, byExp[name], sp, in.Branch, in.Drift); len(rows) > 0 {
				row.Drifting = true
				h.Drift = append(h.Drift, rows...)
			}
		}
		h.Experiments = append(h.Experiments, row)
	}
	h.Changes = changes(in.Entries, in.Reports)
	for i, r := range h.Experiments {
		r.Later = i >= FirstRows
	}
	for i, c := range h.Changes {
		c.Later = len(h.Experiments)+i >= FirstRows
	}
	return h
}

func homeRow(name string, entries []*results.Entry, sp *spec.Experiment, b *Branch, pm paramsMemo) (*HomeRow, int) {
	_, metric, goal, _ := MetricsOf(sp, entries)
	row := &HomeRow{Name: name, Metric: metric, Goal: goal, Runs: len(entries), Latest: Cell{Text: "—"}, Best: Cell{Text: "—"}}
	var latest *results.Entry
	configs := map[string]*Config{}
	for _, e := range entries {
		if e.Started.After(row.LastRun) {
			row.LastRun = e.Started
		}
		if !b.Counts(e) {
			continue
		}
		row.Counted++
		if e.Status != runner.StatusSucceeded {
			continue
		}
		if latest == nil || e.Started.After(latest.Started) {
			latest = e
		}
		form := pm.of(e.Params)
		c := configs[form.key]
		if c == nil {
			c = &Config{Label: form.label, params: e.Params, latest: map[int64]*results.Entry{}}
			configs[form.key] = c
		}
		if old := c.latest[e.Seed]; old == nil || !e.Finished.Before(old.Finished) {
			c.latest[e.Seed] = e
		}
	}
	row.LastSort = row.LastRun.UTC().Format(time.RFC3339)
	if ranked := rank(configs, []string{metric}, metric, goal); len(ranked) > 0 && ranked[0].hasVal {
		row.Best, row.BestConfig = ranked[0].Values[0], ranked[0].Label
	}
	if latest != nil {
		// The latest batch: the runs of the newest commit (or, for
		// nights, the newest night) of the default branch.
		night := latest.Trigger == runner.TriggerSchedule
		date := latest.Started.UTC().Format("2006-01-02")
		batch := map[string]*Config{}
		for _, e := range entries {
			if e.Status != runner.StatusSucceeded || !b.Counts(e) || e.SourceCommit != latest.SourceCommit {
				continue
			}
			if night && (e.Trigger != runner.TriggerSchedule || e.Started.UTC().Format("2006-01-02") != date) {
				continue
			}
			form := pm.of(e.Params)
			c := batch[form.key]
			if c == nil {
				c = &Config{Label: form.label, params: e.Params, latest: map[int64]*results.Entry{}}
				batch[form.key] = c
			}
			if old := c.latest[e.Seed]; old == nil || !e.Finished.Before(old.Finished) {
				c.latest[e.Seed] = e
			}
		}
		if ranked := rank(batch, []string{metric}, metric, goal); len(ranked) > 0 {
			row.Latest, row.LatestConfig = ranked[0].Values[0], ranked[0].Label
		}
		row.LatestCommit, row.LatestWhen = latest.SourceCommit, latest.Started
		row.LatestSort = row.Latest.Sort
	}
	if trend := trendOf(entries, b, []string{metric}, pm); len(trend) > 0 {
		pts := trend[0].Points
		if len(pts) > TrendNights {
			pts = pts[len(pts)-TrendNights:]
		}
		row.Trend = Sparkline(pts, metric)
		row.TrendLast = Num(pts[len(pts)-1].Value)
	}
	return row, row.Counted
}

// driftRows judges a scheduled experiment's nights as `assay report
// --nightly` does and lists the series that drift on its latest night.
func driftRows(name string, entries []*results.Entry, sp *spec.Experiment, b *Branch, rule drift.Rule) []*DriftRow {
	var metrics []drift.Metric
	for _, m := range sp.Metrics {
		metrics = append(metrics, drift.Metric{Name: m.Name, Goal: m.Goal, Tolerance: m.Tolerance})
	}
	var obs []drift.Observation
	for _, e := range entries {
		if e.Trigger == runner.TriggerSchedule && e.Status == runner.StatusSucceeded && b.Counts(e) {
			obs = append(obs, drift.Observation{Params: e.Params, Started: e.Started, Metrics: e.Metrics, Batch: e.Batch})
		}
	}
	if len(obs) == 0 {
		return nil
	}
	f := rule.Evaluate(name, drift.BuildSeries(name, metrics, obs))
	var out []*DriftRow
	for _, j := range f.Drifting() {
		r := &DriftRow{Experiment: name, Night: f.Night, Metric: j.Series.Metric, Config: j.Series.Config,
			Mean: Num(j.Mean), Delta: signed(j.Delta)}
		if j.Baseline != nil {
			r.Baseline = fmt.Sprintf("%s ± %s (n=%d)", Num(j.Baseline.Mean), Num(j.Baseline.SD), j.Baseline.N)
		}
		out = append(out, r)
	}
	return out
}

func signed(v float64) string {
	if v > 0 {
		return "+" + Num(v)
	}
	return Num(v)
}

// changes groups runs into batches (a pull request's commit, a push, a
// night, a manual run) and returns the newest.
func changes(entries []*results.Entry, reports map[int]bool) []*Change {
	type batch struct {
		c    *Change
		exps map[string]bool
	}
	all := map[string]*batch{}
	for _, e := range entries {
		kind, night := e.Trigger, ""
		key := kind + "\x00" + e.SourceCommit + "\x00" + strconv.Itoa(e.PR)
		if kind == runner.TriggerSchedule {
			night = e.Started.UTC().Format("2006-01-02")
			key += "\x00" + night
		}
		b := all[key]
		if b == nil {
			b = &batch{c: &Change{Kind: kind, PR: e.PR, Commit: e.SourceCommit, Night: night, Report: reports[e.PR]}, exps: map[string]bool{}}
			all[key] = b
		}
		b.c.Runs++
		if e.Status != runner.StatusSucceeded {
			b.c.Failed++
		}
		b.exps[e.Experiment] = true
		if e.Started.After(b.c.When) {
			b.c.When = e.Started
		}
	}
	out := make([]*Change, 0, len(all))
	for _, b := range all {
		for n := range b.exps {
			b.c.Experiments = append(b.c.Experiments, n)
		}
		sort.Strings(b.c.Experiments)
		if len(b.c.Experiments) > 5 {
			b.c.More = len(b.c.Experiments) - 5
			b.c.Experiments = b.c.Experiments[:5]
		}
		b.c.Where = batchWhere(b.c)
		out = append(out, b.c)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].When.Equal(out[j].When) {
			return out[i].When.After(out[j].When)
		}
		return out[i].Commit < out[j].Commit
	})
	if len(out) > RecentChanges {
		out = out[:RecentChanges]
	}
	return out
}

// batchWhere selects a batch's runs in assay ls's --where language.
func batchWhere(c *Change) string {
	var parts []string
	if c.PR > 0 {
		parts = append(parts, fmt.Sprintf("pr == %d", c.PR))
	}
	if c.Commit != "" {
		parts = append(parts, fmt.Sprintf("source == %q", c.Commit))
	}
	parts = append(parts, fmt.Sprintf("trigger == %q", c.Kind))
	if c.Night != "" {
		parts = append(parts, fmt.Sprintf("started >= date(%q) && started < date(%q) + duration(\"24h\")", c.Night, c.Night))
	}
	return strings.Join(parts, " && ")
}

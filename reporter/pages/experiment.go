package pages

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// Defaults of the experiment page.
const (
	// DefaultMaxHistory bounds the history chart: the newest runs are
	// drawn.
	DefaultMaxHistory = 5000
	// RecentRuns is how many of the newest runs the page lists.
	RecentRuns = 20
)

// ExperimentInput is what an experiment's page is built from.
type ExperimentInput struct {
	Name string
	// Entries are the experiment's runs, oldest first
	// (results.Index.ByExperiment).
	Entries []*results.Entry
	// Spec declares the metrics, their goals and the primary one; nil
	// shows every metric the runs reported, ranked by the first, highest
	// first, and judges nothing.
	Spec *spec.Experiment
	// Branch says which runs rank; nil ranks every run.
	Branch *Branch
	// Series reads a run's metric series; nil draws no curves.
	Series func(e *results.Entry) (map[string][]runner.Point, error)
	// Curves is how many of the best configs get curves on the page.
	Curves int
	// Shown is the rank of the config whose curves are drawn first (1
	// when 0); it gets curves even beyond Curves.
	Shown int
	// MaxHistory bounds the history chart; DefaultMaxHistory when 0.
	MaxHistory int
}

// Experiment is an experiment's page: what the team tried and what came
// of it.
type Experiment struct {
	Name string
	// Branch names the default branch, whose runs rank.
	Branch                   string
	Runs, Counted, Succeeded int
	First, Last              time.Time
	// Metric ranks the configs; Goal is its goal ("" when undeclared).
	Metric, Goal string
	MetricNames  []string
	Notes        []string
	Schedule     string
	HasHistory   bool
	HasCurves    bool
	HasParallel  bool
	TrendMetrics []string
	// Configs are the default branch's configs, best first.
	Configs []*Config
	// Others are the configs of runs that do not count (pull requests,
	// other branches): shown apart, never ranked.
	Others []*Config
	// Recent are the newest runs of every kind.
	Recent []*RunRow
	// Shown is the rank whose curves are drawn first.
	Shown int
}

// Config is one param point of an experiment over the latest succeeded
// run of each seed.
type Config struct {
	// Rank is the config's place by the ranking metric (1 is best); 0
	// for a config that is not ranked.
	Rank int
	// Index keys the config's curves in the page data.
	Index int
	// Origin says where a config that is not ranked ran: "PR #12",
	// "commit 1a2b3c4".
	Origin string
	Label  string
	Runs   int
	// Values are the config's metrics in MetricNames order.
	Values []Cell
	// Seeds are the runs behind the values, one per seed.
	Seeds    []Seed
	Last     time.Time
	LastSort string
	Curves   bool

	params map[string]any
	latest map[int64]*results.Entry
	mean   float64
	hasVal bool
}

// Seed is one seed's run of a config.
type Seed struct {
	Seed  int64
	RunID string
	// Value is the ranking metric's value, as shown.
	Value string
}

// Cell is a number as a table shows it and sorts it.
type Cell struct{ Text, Sort string }

// RunRow is a run as a list shows it.
type RunRow struct {
	RunID, Experiment, Status, Config, Commit, Trigger string
	Seed                                               int64
	PR                                                 int
	Started                                            time.Time
	Value                                              Cell
	// Counts is false for a run that does not speak for the default
	// branch.
	Counts bool
}

// ExperimentData is the JSON an experiment page's charts read.
type ExperimentData struct {
	Sides       map[string]SideLabel `json:"sides"`
	Experiments []*html.Experiment   `json:"experiments"`
	History     *History             `json:"history,omitempty"`
	// RunLink is what the charts put before a run's escaped id to link
	// its page.
	RunLink string `json:"run_link"`
}

// SideLabel names one side of a chart's lines in its legend; a hidden
// side is drawn only once the reader turns it on.
type SideLabel struct {
	Label  string `json:"label"`
	Hidden bool   `json:"hidden,omitempty"`
}

// History is every run's ranking metric by start time.
type History struct {
	Metric string `json:"metric"`
	Goal   string `json:"goal,omitempty"`
	// Labels are the configs' labels the points index: a config's label
	// is written once, not once per run.
	Labels []string       `json:"labels"`
	Points []HistoryPoint `json:"points"`
}

// HistoryPoint is one run in the history chart.
type HistoryPoint struct {
	// T is when the run started, in milliseconds since 1970 (what the
	// chart's time axis reads, shorter than a date string).
	T       int64   `json:"t"`
	V       float64 `json:"v"`
	Run     string  `json:"run"`
	Trigger string  `json:"trigger"`
	// Label is the config's label, as an index into History.Labels.
	Label int `json:"l"`
	// Other marks a run that does not count for the default branch.
	Other bool `json:"other,omitempty"`
}

// OthersLabel names the runs that do not count, in legends and headings.
const OthersLabel = "pull requests and other branches"

// BuildExperiment makes an experiment's page and its chart data. Runs
// whose series cannot be read lose their curves, and the page says so.
func BuildExperiment(in ExperimentInput, links Links) (*Experiment, *ExperimentData) {
	v := &Experiment{Name: in.Name, Branch: in.Branch.Label(), Runs: len(in.Entries)}
	if in.Spec != nil {
		v.Schedule = in.Spec.Schedule
	}
	var metrics []html.Metric
	v.MetricNames, v.Metric, v.Goal, metrics = MetricsOf(in.Spec, in.Entries)
	maxHistory := in.MaxHistory
	if maxHistory <= 0 {
		maxHistory = DefaultMaxHistory
	}

	pm := paramsMemo{}
	counted, others := map[string]*Config{}, map[string]*Config{}
	hist := &History{Metric: v.Metric, Goal: v.Goal, Labels: []string{}, Points: []HistoryPoint{}}
	labels := map[string]int{}
	for _, e := range in.Entries {
		if v.First.IsZero() || e.Started.Before(v.First) {
			v.First = e.Started
		}
		if e.Started.After(v.Last) {
			v.Last = e.Started
		}
		counts := in.Branch.Counts(e)
		if counts {
			v.Counted++
		}
		if e.Status != runner.StatusSucceeded {
			continue
		}
		v.Succeeded++
		form := pm.of(e.Params)
		label := form.label
		if val, ok := e.Metrics[v.Metric]; ok && finite(val) {
			li, ok := labels[label]
			if !ok {
				li = len(hist.Labels)
				labels[label] = li
				hist.Labels = append(hist.Labels, label)
			}
			hist.Points = append(hist.Points, HistoryPoint{
				T: e.Started.UnixMilli(), V: val, Run: e.RunID, Trigger: e.Trigger, Label: li, Other: !counts,
			})
		}
		key, set, origin := form.key, counted, ""
		if !counts {
			origin = originOf(e)
			key, set = origin+"\x00"+key, others
		}
		c := set[key]
		if c == nil {
			c = &Config{Label: label, Origin: origin, params: e.Params, latest: map[int64]*results.Entry{}}
			set[key] = c
		}
		c.Runs++
		if old := c.latest[e.Seed]; old == nil || !e.Finished.Before(old.Finished) {
			c.latest[e.Seed] = e
		}
		if e.Started.After(c.Last) {
			c.Last = e.Started
		}
	}
	if len(hist.Points) > maxHistory {
		hist.Points = hist.Points[len(hist.Points)-maxHistory:]
	}
	v.HasHistory = len(hist.Points) > 0
	v.Configs = rank(counted, v.MetricNames, v.Metric, v.Goal)
	v.Others = rank(others, v.MetricNames, v.Metric, v.Goal)
	sort.SliceStable(v.Others, func(i, j int) bool { return v.Others[i].Last.After(v.Others[j].Last) })
	for i, c := range v.Configs {
		c.Rank, c.Index = i+1, i
	}
	for _, c := range v.Others {
		c.Rank, c.Index = 0, -1
	}
	switch {
	case v.Runs > 0 && v.Counted == 0 && in.Branch != nil:
		v.Notes = append(v.Notes, fmt.Sprintf("No run of this experiment speaks for %s yet: every run came from %s, listed below and never ranked.", v.Branch, OthersLabel))
	case len(v.Configs) == 0 && v.Counted > 0:
		v.Notes = append(v.Notes, fmt.Sprintf("No run of this experiment on %s has succeeded yet.", v.Branch))
	}
	v.Recent = recentRuns(in.Entries, in.Branch, v.Metric)

	data := &ExperimentData{
		Sides: map[string]SideLabel{
			compare.SideHead: {Label: v.Branch},
			compare.SideBase: {Label: OthersLabel, Hidden: true},
		},
		History: hist,
		RunLink: links.RunPrefix(),
	}
	v.Shown = in.Shown
	if v.Shown < 1 || v.Shown > len(v.Configs) {
		v.Shown = 1
	}
	exp := &html.Experiment{ID: "x0", Name: in.Name, Metrics: metrics, Rows: []*html.Row{}}
	if len(v.Configs) > 0 {
		shown := v.Configs[v.Shown-1]
		exp.Headline = &html.Row{BaseIndex: -1, HeadIndex: shown.Index, Head: shown.Label}
	}
	if in.Series != nil {
		var failed []string
		for _, c := range v.Configs {
			if c.Rank > in.Curves && c.Rank != v.Shown {
				continue
			}
			cc, bad := configCurves(c, v.MetricNames, in.Series)
			failed = append(failed, bad...)
			if cc == nil {
				continue
			}
			if exp.Curves == nil {
				exp.Curves = map[string]map[int]*html.ConfigCurves{compare.SideHead: {}}
			}
			exp.Curves[compare.SideHead][c.Index] = cc
			c.Curves = true
			v.HasCurves = v.HasCurves || c.Rank == v.Shown
		}
		if len(failed) > 0 {
			v.Notes = append(v.Notes, fmt.Sprintf("The series of %d run(s) could not be read: %s.", len(failed), strings.Join(failed, ", ")))
		}
	}
	if p := parallelOf(v, metrics); p != nil {
		exp.Parallel = p
		v.HasParallel = true
	}
	exp.Trend = trendOf(in.Entries, in.Branch, v.MetricNames, pm)
	for _, t := range exp.Trend {
		v.TrendMetrics = append(v.TrendMetrics, t.Metric)
	}
	data.Experiments = []*html.Experiment{exp}
	return v, data
}

// MetricsOf returns the metrics an experiment is shown with: the spec's,
// else every metric its runs reported; and the one it ranks by, with its
// goal.
func MetricsOf(sp *spec.Experiment, entries []*results.Entry) (names []string, primary, goal string, metrics []html.Metric) {
	if sp != nil && len(sp.Metrics) > 0 {
		p := sp.PrimaryMetric()
		for _, m := range sp.Metrics {
			names = append(names, m.Name)
			metrics = append(metrics, html.Metric{Name: m.Name, Goal: m.Goal, Primary: m == p})
		}
		if p != nil {
			return names, p.Name, p.Goal, metrics
		}
		metrics[0].Primary = true
		return names, names[0], "", metrics
	}
	seen := map[string]bool{}
	for _, e := range entries {
		for m := range e.Metrics {
			seen[m] = true
		}
	}
	for m := range seen {
		names = append(names, m)
	}
	sort.Strings(names)
	for i, m := range names {
		metrics = append(metrics, html.Metric{Name: m, Primary: i == 0})
	}
	if len(names) == 0 {
		return nil, "", "", nil
	}
	return names, names[0], "", metrics
}

// rank fills each config's values and orders them best first by metric:
// lowest first for a metric to minimize, highest first otherwise;
// configs without a value last.
func rank(set map[string]*Config, names []string, metric, goal string) []*Config {
	out := make([]*Config, 0, len(set))
	for _, c := range set {
		out = append(out, c)
		for _, m := range names {
			s := compare.NewSample(c.values(m))
			if m == metric && s.N > 0 {
				c.mean, c.hasVal = s.Mean, true
			}
			c.Values = append(c.Values, sampleCell(s))
		}
		for _, e := range c.runs() {
			val := "—"
			if x, ok := e.Metrics[metric]; ok {
				val = Num(x)
			}
			c.Seeds = append(c.Seeds, Seed{Seed: e.Seed, RunID: e.RunID, Value: val})
		}
		c.LastSort = c.Last.UTC().Format(time.RFC3339)
	}
	lower := goal == "minimize"
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.hasVal != b.hasVal {
			return a.hasVal
		}
		if a.hasVal && a.mean != b.mean {
			if lower {
				return a.mean < b.mean
			}
			return a.mean > b.mean
		}
		return a.Label < b.Label
	})
	return out
}

func (c *Config) runs() []*results.Entry {
	out := make([]*results.Entry, 0, len(c.latest))
	for _, e := range c.latest {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seed < out[j].Seed })
	return out
}

func (c *Config) values(metric string) []float64 {
	var out []float64
	for _, e := range c.runs() {
		if v, ok := e.Metrics[metric]; ok {
			out = append(out, v)
		}
	}
	return out
}

// Runs are the config's runs that count: the latest succeeded run of each
// seed, by seed.
func (c *Config) RunsBySeed() []*results.Entry { return c.runs() }

func sampleCell(s *compare.Sample) Cell {
	switch {
	case s.N == 0:
		return Cell{Text: "—"}
	case s.N == 1:
		return Cell{Text: Num(s.Mean) + " (n=1)", Sort: strconv.FormatFloat(s.Mean, 'g', -1, 64)}
	}
	return Cell{Text: fmt.Sprintf("%s ± %s (n=%d)", Num(s.Mean), Num(s.SD), s.N), Sort: strconv.FormatFloat(s.Mean, 'g', -1, 64)}
}

// configCurves reads the series of a config's runs and lays each
// metric's out over seeds; it names the runs it could not read.
func configCurves(c *Config, metrics []string, series func(*results.Entry) (map[string][]runner.Point, error)) (*html.ConfigCurves, []string) {
	bySeed := map[string][]html.SeedSeries{}
	var failed []string
	for _, e := range c.runs() {
		s, err := series(e)
		if err != nil {
			failed = append(failed, e.RunID)
			continue
		}
		for _, m := range metrics {
			if pts := s[m]; len(pts) > 0 {
				bySeed[m] = append(bySeed[m], html.SeedSeries{Seed: e.Seed, Points: pts})
			}
		}
	}
	cc := &html.ConfigCurves{Label: c.Label, Metrics: map[string]*html.Curve{}}
	for _, m := range metrics {
		if curve, _ := html.BuildCurve(bySeed[m], html.MaxCurvePoints); curve != nil {
			cc.Metrics[m] = curve
		}
	}
	if len(cc.Metrics) == 0 {
		return nil, failed
	}
	return cc, failed
}

// parallelOf lays out the configs of a sweep as lines across an axis per
// param and one for the ranking metric: the default branch's configs as
// one side, the others' as the other. An experiment whose configs never
// differ has none.
func parallelOf(v *Experiment, metrics []html.Metric) *html.Parallel {
	all := append(append([]*Config(nil), v.Configs...), v.Others...)
	names := map[string]bool{}
	points := map[string]bool{}
	for _, c := range all {
		for k := range c.params {
			names[k] = true
		}
		points[canonicalParams(c.params)] = true
	}
	if len(points) < 2 || len(names) == 0 || v.Metric == "" {
		return nil
	}
	p := &html.Parallel{Metric: v.Metric, Goal: v.Goal, Lines: []html.Line{}}
	for k := range names {
		p.Params = append(p.Params, k)
	}
	sort.Strings(p.Params)
	for _, c := range all {
		vals := make([]any, 0, len(p.Params)+1)
		for _, k := range p.Params {
			vals = append(vals, html.AxisValue(c.params[k]))
		}
		var mean any
		if c.hasVal {
			mean = c.mean
		}
		side, label := compare.SideHead, c.Label
		if c.Rank == 0 {
			side, label = compare.SideBase, c.Origin+" · "+c.Label
		}
		p.Lines = append(p.Lines, html.Line{Side: side, Config: c.Index, Label: label, Values: append(vals, mean)})
	}
	return p
}

// trendOf is each metric's nightly history: for the config the nights
// ran most, the mean over each night's scheduled runs that count.
func trendOf(entries []*results.Entry, b *Branch, metrics []string, pm paramsMemo) []html.Trend {
	type night struct {
		sum float64
		n   int
	}
	byConfig := map[string]map[string]map[string]*night{} // config → metric → date
	nights := map[string]map[string]bool{}
	for _, e := range entries {
		if e.Trigger != runner.TriggerSchedule || e.Status != runner.StatusSucceeded || !b.Counts(e) {
			continue
		}
		cfg := pm.key(e.Params)
		date := e.Started.UTC().Format("2006-01-02")
		if byConfig[cfg] == nil {
			byConfig[cfg], nights[cfg] = map[string]map[string]*night{}, map[string]bool{}
		}
		nights[cfg][date] = true
		for _, m := range metrics {
			val, ok := e.Metrics[m]
			if !ok || !finite(val) {
				continue
			}
			if byConfig[cfg][m] == nil {
				byConfig[cfg][m] = map[string]*night{}
			}
			nt := byConfig[cfg][m][date]
			if nt == nil {
				nt = &night{}
				byConfig[cfg][m][date] = nt
			}
			nt.sum += val
			nt.n++
		}
	}
	best := ""
	for cfg := range nights {
		if best == "" || len(nights[cfg]) > len(nights[best]) || (len(nights[cfg]) == len(nights[best]) && cfg < best) {
			best = cfg
		}
	}
	if best == "" {
		return nil
	}
	var out []html.Trend
	for _, m := range metrics {
		byDate := byConfig[best][m]
		if len(byDate) == 0 {
			continue
		}
		t := html.Trend{Metric: m}
		for date, nt := range byDate {
			t.Points = append(t.Points, html.TrendPoint{Date: date, Value: nt.sum / float64(nt.n), N: nt.n})
		}
		sort.Slice(t.Points, func(i, j int) bool { return t.Points[i].Date < t.Points[j].Date })
		out = append(out, t)
	}
	return out
}

// recentRuns lists the newest runs, every kind.
func recentRuns(entries []*results.Entry, b *Branch, metric string) []*RunRow {
	var out []*RunRow
	for i := len(entries) - 1; i >= 0 && len(out) < RecentRuns; i-- {
		out = append(out, RunRowOf(entries[i], b, metric))
	}
	return out
}

// RunRowOf is a run as lists show it, with its value of metric.
func RunRowOf(e *results.Entry, b *Branch, metric string) *RunRow {
	r := &RunRow{
		RunID: e.RunID, Experiment: e.Experiment, Status: string(e.Status), Config: compare.ParamsLabel(e.Params),
		Commit: e.SourceCommit, Trigger: e.Trigger, Seed: e.Seed, PR: e.PR, Started: e.Started, Counts: b.Counts(e),
		Value: Cell{Text: "—"},
	}
	if val, ok := e.Metrics[metric]; ok {
		r.Value = Cell{Text: Num(val), Sort: strconv.FormatFloat(val, 'g', -1, 64)}
	}
	return r
}

// originOf says where a run that does not count came from.
func originOf(e *results.Entry) string {
	switch {
	case e.PR > 0:
		return fmt.Sprintf("PR #%d", e.PR)
	case e.SourceCommit != "":
		return "commit " + ShortCommit(e.SourceCommit)
	}
	return "unknown commit"
}

func canonicalParams(p map[string]any) string {
	b, err := json.Marshal(p)
	if err != nil || p == nil {
		return "{}"
	}
	return string(b)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

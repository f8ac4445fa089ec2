package ui

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
)

// maxHistoryPoints bounds the history chart: the newest runs are drawn.
const maxHistoryPoints = 5000

// experimentView is the experiment page.
type experimentView struct {
	Name               string
	Runs, Succeeded    int
	First, Last        time.Time
	Metric, Goal       string
	MetricNames        []string
	Notes              []string
	HasHistory, Curves bool
	Configs            []*configRow
	Shown              int
}

// configRow is one param point of the experiment, over its latest run of
// each seed.
type configRow struct {
	Rank     int
	Label    string
	Runs     int
	Values   []cellValue
	Last     time.Time
	LastSort string

	params string
	latest map[int64]*results.Entry
	mean   float64
	hasVal bool
}

// pageData is the JSON a page's charts read.
type pageData struct {
	Base        *html.Ref          `json:"base,omitempty"`
	Head        *html.Ref          `json:"head,omitempty"`
	Experiments []*html.Experiment `json:"experiments"`
	History     *historyData       `json:"history,omitempty"`
}

type historyData struct {
	Metric string         `json:"metric"`
	Goal   string         `json:"goal,omitempty"`
	Points []historyPoint `json:"points"`
}

type historyPoint struct {
	T       string  `json:"t"`
	V       float64 `json:"v"`
	Run     string  `json:"run"`
	Trigger string  `json:"trigger"`
	Label   string  `json:"label"`
}

func dataJS(d any) (template.JS, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	return template.JS(b), nil
}

// metricsOf returns the metrics an experiment is shown with: the spec's,
// else every metric its runs reported; and the one it ranks by.
func (s *Server) metricsOf(name string, entries []*results.Entry) (names []string, primary, goal string, metrics []html.Metric) {
	if e := s.specs[name]; e != nil && len(e.Metrics) > 0 {
		p := e.PrimaryMetric()
		for _, m := range e.Metrics {
			names = append(names, m.Name)
			metrics = append(metrics, html.Metric{Name: m.Name, Goal: m.Goal, Primary: m == p})
		}
		if p != nil {
			return names, p.Name, p.Goal, metrics
		}
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

func canonicalParams(p map[string]any) string {
	b, err := json.Marshal(p)
	if err != nil || p == nil {
		return "{}"
	}
	return string(b)
}

func (s *Server) experimentPage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	idx, ok := s.index(w, r)
	if !ok {
		return
	}
	entries := idx.ByExperiment(name)
	if len(entries) == 0 {
		s.fail(w, r, http.StatusNotFound, fmt.Sprintf("The results branch has no runs of experiment %q.", name),
			"Pick an experiment from the runs explorer; results appear here once `assay run` has recorded them.")
		return
	}
	v := experimentView{Name: name, Runs: len(entries), First: entries[0].Started, Last: entries[0].Started}
	var metrics []html.Metric
	v.MetricNames, v.Metric, v.Goal, metrics = s.metricsOf(name, entries)

	// Configs keep each seed's latest succeeded run.
	byParams := map[string]*configRow{}
	var configs []*configRow
	hist := &historyData{Metric: v.Metric, Goal: v.Goal}
	for _, e := range entries {
		if e.Started.Before(v.First) {
			v.First = e.Started
		}
		if e.Started.After(v.Last) {
			v.Last = e.Started
		}
		if e.Status != runner.StatusSucceeded {
			continue
		}
		v.Succeeded++
		label := compare.ParamsLabel(e.Params)
		if val, ok := e.Metrics[v.Metric]; ok && finite(val) {
			hist.Points = append(hist.Points, historyPoint{
				T: e.Started.UTC().Format(time.RFC3339), V: val, Run: e.RunID, Trigger: e.Trigger, Label: label,
			})
		}
		pj := canonicalParams(e.Params)
		c := byParams[pj]
		if c == nil {
			c = &configRow{Label: label, params: pj, latest: map[int64]*results.Entry{}}
			byParams[pj] = c
			configs = append(configs, c)
		}
		c.Runs++
		if old := c.latest[e.Seed]; old == nil || !e.Finished.Before(old.Finished) {
			c.latest[e.Seed] = e
		}
		if e.Started.After(c.Last) {
			c.Last = e.Started
		}
	}
	if len(hist.Points) > maxHistoryPoints {
		hist.Points = hist.Points[len(hist.Points)-maxHistoryPoints:]
	}
	v.HasHistory = len(hist.Points) > 0
	for _, c := range configs {
		c.LastSort = c.Last.UTC().Format(time.RFC3339)
		for _, m := range v.MetricNames {
			sample := compare.NewSample(c.values(m))
			if m == v.Metric && sample.N > 0 {
				c.mean, c.hasVal = sample.Mean, true
			}
			c.Values = append(c.Values, sampleCell(sample))
		}
	}
	lowerBetter := v.Goal == "minimize"
	sort.SliceStable(configs, func(i, j int) bool {
		a, b := configs[i], configs[j]
		if a.hasVal != b.hasVal {
			return a.hasVal
		}
		if lowerBetter {
			return a.mean < b.mean
		}
		return a.mean > b.mean
	})
	for i, c := range configs {
		c.Rank = i + 1
	}
	v.Configs = configs
	if len(configs) == 0 {
		v.Notes = append(v.Notes, "No run of this experiment has succeeded yet.")
	}

	data := pageData{History: hist}
	v.Shown = 1
	if n, err := strconv.Atoi(r.URL.Query().Get("config")); err == nil && n >= 1 && n <= len(configs) {
		v.Shown = n
	}
	if len(configs) > 0 {
		c := configs[v.Shown-1]
		exp := &html.Experiment{ID: "x0", Name: name, Metrics: metrics, Rows: []*html.Row{},
			Headline: &html.Row{BaseIndex: -1, HeadIndex: 0, Head: c.Label}}
		if cc, note := s.configCurves(c.Label, c.runs(), v.MetricNames); cc != nil {
			exp.Curves = map[string]map[int]*html.ConfigCurves{compare.SideHead: {0: cc}}
			v.Curves = true
		} else if note != "" {
			v.Notes = append(v.Notes, note)
		}
		data.Experiments = []*html.Experiment{exp}
	}
	js, err := dataJS(data)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The page's chart data cannot be encoded: "+err.Error(), "")
		return
	}
	s.render(w, r, http.StatusOK, "experiment-page", page{Title: name, Nav: "runs", Data: js, Body: v})
}

func (c *configRow) runs() []*results.Entry {
	out := make([]*results.Entry, 0, len(c.latest))
	for _, e := range c.latest {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seed < out[j].Seed })
	return out
}

func (c *configRow) values(metric string) []float64 {
	var out []float64
	for _, e := range c.runs() {
		if v, ok := e.Metrics[metric]; ok {
			out = append(out, v)
		}
	}
	return out
}

func sampleCell(s *compare.Sample) cellValue {
	switch {
	case s.N == 0:
		return cellValue{Text: "—"}
	case s.N == 1:
		return cellValue{Text: num(s.Mean) + " (n=1)", Sort: strconv.FormatFloat(s.Mean, 'g', -1, 64)}
	}
	return cellValue{Text: fmt.Sprintf("%s ± %s (n=%d)", num(s.Mean), num(s.SD), s.N), Sort: strconv.FormatFloat(s.Mean, 'g', -1, 64)}
}

// configCurves reads the series of runs and lays each metric's out over
// seeds. A run whose series cannot be read is left out and named.
func (s *Server) configCurves(label string, runs []*results.Entry, metrics []string) (*html.ConfigCurves, string) {
	bySeed := map[string][]html.SeedSeries{}
	var failed []string
	for _, e := range runs {
		d, err := s.opts.Store.Run(e.RunID)
		if err != nil {
			failed = append(failed, e.RunID)
			continue
		}
		for _, m := range metrics {
			if pts := d.Series[m]; len(pts) > 0 {
				bySeed[m] = append(bySeed[m], html.SeedSeries{Seed: e.Seed, Points: pts})
			}
		}
	}
	note := ""
	if len(failed) > 0 {
		note = fmt.Sprintf("The series of %d run(s) could not be read: %s.", len(failed), strings.Join(failed, ", "))
	}
	cc := &html.ConfigCurves{Label: label, Metrics: map[string]*html.Curve{}}
	for _, m := range metrics {
		if c, _ := html.BuildCurve(bySeed[m], html.MaxCurvePoints); c != nil {
			cc.Metrics[m] = c
		}
	}
	if len(cc.Metrics) == 0 {
		return nil, note
	}
	return cc, note
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

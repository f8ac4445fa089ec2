package html

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/runner"
)

// Defaults of the report's size budget.
const (
	// DefaultMaxCurveValues bounds the values of all curves of a report
	// together: about 1 MB of data, which with the chart library keeps
	// a report of 1,000 runs under 3 MB.
	DefaultMaxCurveValues = 150_000
	// MaxCurvePoints is the most steps one curve keeps: more than a
	// chart's width in pixels can show apart.
	MaxCurvePoints = 300
	// MinCurvePoints is the fewest steps a curve is cut to, however
	// many curves share the budget.
	MinCurvePoints = 24
)

// Source is where the report finds the runs behind each config and their
// metric series. The comparison itself keeps only summaries.
type Source struct {
	// Input is what the comparison was built from: each side's trials
	// and the lookup of recorded runs. nil draws no curves.
	Input *compare.Input
	// Series reads a run's metric series, as the results branch keeps
	// them. nil draws no curves.
	Series func(r *runner.Result) (map[string][]runner.Point, error)
	// Artifacts lists a run's files as they stand (uploads completed
	// since the run was recorded applied), and ReadArtifact writes the
	// bytes of one of them to w. With both (and Input), the report embeds
	// the PNG and SVG files of each experiment's headline runs; it checks
	// the bytes against the file's size and SHA-256 itself.
	Artifacts    func(r *runner.Result) ([]runner.ArtifactFile, error)
	ReadArtifact func(r *runner.Result, f runner.ArtifactFile, w io.Writer) error
}

// Options shape a report.
type Options struct {
	// Title heads the page; a title naming the two sides when empty.
	Title string
	// Generated is the footer's line on when and by what the report was
	// made; "" leaves it out.
	Generated string
	// MaxCurveValues bounds the curves' values together;
	// DefaultMaxCurveValues when 0.
	MaxCurveValues int
	// MaxImages, MaxImageBytes and MaxImagesBytes bound the images
	// embedded: how many, how large one may be, and how large all
	// together; DefaultMaxImages, DefaultMaxImageBytes and
	// DefaultMaxImagesBytes when 0.
	MaxImages                     int
	MaxImageBytes, MaxImagesBytes int64
}

// FromComparison builds the report of a comparison. Curves come from src;
// a run whose series cannot be read loses its curve, and the experiment
// notes why, but the report is still made.
func FromComparison(c *compare.Comparison, src Source, opts Options) *Report {
	r := &Report{
		Title: opts.Title, Base: refOf(c.Base), Head: refOf(c.Head), PR: c.PR,
		Result: string(c.Result), Description: c.Description, Alpha: c.Alpha, Generated: opts.Generated,
		Experiments: []*Experiment{},
	}
	if r.Title == "" {
		r.Title = fmt.Sprintf("assay: %s → %s", r.Base.Label, r.Head.Label)
		if c.PR > 0 {
			r.Title = fmt.Sprintf("assay: PR #%d, %s → %s", c.PR, r.Base.Label, r.Head.Label)
		}
	}
	inputs := map[string]*compare.ExperimentInput{}
	if src.Input != nil {
		for i := range src.Input.Experiments {
			ei := &src.Input.Experiments[i]
			inputs[ei.Name] = ei
		}
	}
	var pending []curveJob
	for i, ce := range c.Experiments {
		e := experimentOf(ce, "x"+strconv.Itoa(i))
		r.Experiments = append(r.Experiments, e)
		r.Headline = append(r.Headline, headlineLines(e, ce)...)
		if src.Input != nil && src.Series != nil {
			pending = append(pending, curveJobs(e, ce, inputs[ce.Name], src.Input.Lookup)...)
		}
	}
	if len(pending) > 0 {
		budget := opts.MaxCurveValues
		if budget <= 0 {
			budget = DefaultMaxCurveValues
		}
		r.Downsampled = drawCurves(pending, src.Series, budget)
	}
	if src.Input != nil && src.Artifacts != nil && src.ReadArtifact != nil {
		r.ImagesLeftOut = embedImages(r, c, src, opts)
	}
	return r
}

func refOf(ref compare.Ref) Ref {
	return Ref{Name: ref.Name, Commit: ref.Commit, Label: ref.Short()}
}

func experimentOf(ce *compare.Experiment, id string) *Experiment {
	e := &Experiment{
		ID: id, Name: ce.Name, File: ce.File, Status: ce.Status, Verdict: string(ce.Verdict), Sweep: ce.Sweep,
		Metrics: []Metric{}, Rows: []*Row{}, Notes: append([]string(nil), ce.Notes...), Spent: spentText(ce),
	}
	for _, m := range ce.Metrics {
		e.Metrics = append(e.Metrics, Metric{Name: m.Name, Goal: m.Goal, Primary: m.Primary})
	}
	for _, ch := range ce.Changes {
		e.Changes = append(e.Changes, Change{Field: ch.Field, Base: ch.Base, Head: ch.Head})
	}
	if ce.Headline != nil {
		e.Headline = rowOf(ce.Headline)
	}
	for _, row := range ce.Configs {
		e.Rows = append(e.Rows, rowOf(row))
	}
	for _, f := range ce.Failures {
		e.Failures = append(e.Failures, Failure{
			Side: f.Side, Config: f.Config, RunID: f.RunID, Status: f.Status, LogTail: f.LogTail,
			Seed: f.Seed, ExitCode: f.ExitCode,
		})
	}
	for _, h := range ce.History {
		t := Trend{Metric: h.Metric}
		for _, p := range h.Points {
			t.Points = append(t.Points, TrendPoint{Date: p.Date, Value: p.Value, N: p.N})
		}
		e.Trend = append(e.Trend, t)
	}
	if ce.Sweep {
		e.Parallel = parallelOf(ce)
	}
	return e
}

func rowOf(row *compare.Row) *Row {
	r := &Row{BaseIndex: -1, HeadIndex: -1, Pairing: row.Pairing, Verdict: string(row.Verdict)}
	if row.Base != nil {
		r.Base, r.BaseIndex = row.Base.Label, row.Base.Index
	}
	if row.Head != nil {
		r.Head, r.HeadIndex = row.Head.Label, row.Head.Index
	}
	for _, m := range row.Metrics {
		r.Cells = append(r.Cells, cellOf(m))
	}
	return r
}

func headlineLines(e *Experiment, ce *compare.Experiment) []HeadlineLine {
	if ce.Headline == nil || len(ce.Headline.Metrics) == 0 {
		return []HeadlineLine{{
			Experiment: e.Name, Configs: ce.HeadlineConfigs(), Anchor: e.ID, ExperimentVerdict: e.Verdict,
			Cell: Cell{Base: "—", Head: "—", Delta: "—", P: "—", Verdict: e.Verdict},
		}}
	}
	primary := map[string]bool{}
	for _, m := range e.Metrics {
		primary[m.Name] = m.Primary
	}
	var out []HeadlineLine
	for _, m := range ce.Headline.Metrics {
		out = append(out, HeadlineLine{
			Experiment: e.Name, Configs: ce.HeadlineConfigs(), Anchor: e.ID, Metric: m.Name, Primary: primary[m.Name],
			Cell: cellOf(m), ExperimentVerdict: e.Verdict,
		})
	}
	return out
}

// parallelOf lays out a sweep's configs for parallel coordinates: an
// axis per param (the union over both sides) and one for the primary
// metric's mean.
func parallelOf(ce *compare.Experiment) *Parallel {
	var primary *compare.MetricSpec
	for i := range ce.Metrics {
		if ce.Metrics[i].Primary {
			primary = &ce.Metrics[i]
		}
	}
	if primary == nil && len(ce.Metrics) > 0 {
		primary = &ce.Metrics[0]
	}
	if primary == nil {
		return nil
	}
	p := &Parallel{Metric: primary.Name, Goal: primary.Goal, Lines: []Line{}}
	type cfgParams struct {
		side   string
		cfg    *compare.Config
		params map[string]any
		value  any
	}
	var cfgs []cfgParams
	names := map[string]bool{}
	for _, row := range ce.Configs {
		for _, side := range []string{compare.SideBase, compare.SideHead} {
			cfg := row.Base
			if side == compare.SideHead {
				cfg = row.Head
			}
			if cfg == nil {
				continue
			}
			var params map[string]any
			_ = json.Unmarshal(cfg.Params, &params)
			for k := range params {
				names[k] = true
			}
			var value any
			for _, m := range row.Metrics {
				s := m.Base
				if side == compare.SideHead {
					s = m.Head
				}
				if m.Name == primary.Name && s != nil && s.N > 0 {
					value = s.Mean
				}
			}
			cfgs = append(cfgs, cfgParams{side: side, cfg: cfg, params: params, value: value})
		}
	}
	for k := range names {
		p.Params = append(p.Params, k)
	}
	sort.Strings(p.Params)
	for _, c := range cfgs {
		vals := make([]any, 0, len(p.Params)+1)
		for _, k := range p.Params {
			vals = append(vals, axisValue(c.params[k]))
		}
		vals = append(vals, c.value)
		p.Lines = append(p.Lines, Line{Side: c.side, Config: c.cfg.Index, Label: c.cfg.Label, Values: vals})
	}
	return p
}

// axisValue keeps numbers as numbers (a value axis) and turns anything
// else into its text (a category axis); an absent param reads "—".
func axisValue(v any) any {
	switch x := v.(type) {
	case float64:
		return x
	case nil:
		return "—"
	case string:
		return x
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

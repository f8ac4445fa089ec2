package ui

import (
	"errors"
	"net/http"
	"sort"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/pages"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
)

// runView is the run page.
type runView struct {
	Result       *runner.Result
	Path, Config string
	Metrics      []namedValue
	Curves       bool
	CurveMetrics []string
	Log          string
}

type namedValue struct {
	Name string
	cellValue
}

func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d, err := s.opts.Store.Run(id)
	var amb *results.AmbiguousError
	switch {
	case errors.Is(err, results.ErrNoRun):
		s.fail(w, r, http.StatusNotFound, "The results branch has no run "+id+".", "Find runs in the runs explorer.")
		return
	case errors.As(err, &amb):
		s.fail(w, r, http.StatusNotFound, err.Error(), "")
		return
	case err != nil:
		s.fail(w, r, http.StatusInternalServerError, "Run "+id+" cannot be read: "+err.Error(), "")
		return
	}
	res := d.Result
	v := runView{Result: res, Path: d.Path, Config: compare.ParamsLabel(res.Params), Log: string(d.Log)}
	for name, val := range res.Metrics {
		v.Metrics = append(v.Metrics, namedValue{Name: name, cellValue: valueCell(val, true)})
	}
	sort.Slice(v.Metrics, func(i, j int) bool { return v.Metrics[i].Name < v.Metrics[j].Name })

	cc := &html.ConfigCurves{Label: v.Config, Metrics: map[string]*html.Curve{}}
	var metrics []html.Metric
	for name, pts := range d.Series {
		if c, _ := html.BuildCurve([]html.SeedSeries{{Seed: res.Seed, Points: pts}}, html.MaxCurvePoints); c != nil {
			cc.Metrics[name] = c
			v.CurveMetrics = append(v.CurveMetrics, name)
		}
	}
	sort.Strings(v.CurveMetrics)
	for _, m := range v.CurveMetrics {
		metrics = append(metrics, html.Metric{Name: m})
	}
	data := pageData{}
	if len(v.CurveMetrics) > 0 {
		v.Curves = true
		data.Experiments = []*html.Experiment{{
			ID: "x0", Name: res.Experiment, Metrics: metrics, Rows: []*html.Row{},
			Headline: &html.Row{BaseIndex: -1, HeadIndex: 0, Head: v.Config},
			Curves:   map[string]map[int]*html.ConfigCurves{compare.SideHead: {0: cc}},
		}}
	}
	js, err := dataJS(data)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The page's chart data cannot be encoded: "+err.Error(), "")
		return
	}
	s.render(w, r, http.StatusOK, "run", &pages.Page{Title: res.RunID, Data: js, Body: v}, "runs")
}

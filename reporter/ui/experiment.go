package ui

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/pages"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
)

// experimentCurves is how many of the best configs the experiment page
// draws curves for (any other follows its "curves" link).
const experimentCurves = 5

// pageData is the JSON a compare or run page's charts read.
type pageData struct {
	Base        *html.Ref          `json:"base,omitempty"`
	Head        *html.Ref          `json:"head,omitempty"`
	Experiments []*html.Experiment `json:"experiments"`
}

func dataJS(d any) (template.JS, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	return template.JS(b), nil
}

func canonicalParams(p map[string]any) string {
	b, err := json.Marshal(p)
	if err != nil || p == nil {
		return "{}"
	}
	return string(b)
}

// experimentPage is the experiment's page as the site shows it
// (reporter/pages): history, nightly trend, curves, the sweep, the best
// configs of the default branch, and apart from them the configs of pull
// requests and other branches.
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
	shown, _ := strconv.Atoi(r.URL.Query().Get("config"))
	v, data := pages.BuildExperiment(pages.ExperimentInput{
		Name: name, Entries: entries, Spec: s.specs[name], Branch: s.opts.Branch, Curves: experimentCurves, Shown: shown,
		Series: func(e *results.Entry) (map[string][]runner.Point, error) {
			d, err := s.opts.Store.Run(e.RunID)
			if err != nil {
				return nil, err
			}
			return d.Series, nil
		},
	}, pages.ServerLinks)
	js, err := pages.DataJS(data)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The page's chart data cannot be encoded: "+err.Error(), "")
		return
	}
	s.render(w, r, http.StatusOK, "experiment-page", &pages.Page{Title: name, Data: js, Body: v}, "runs")
}

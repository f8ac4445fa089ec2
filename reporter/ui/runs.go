package ui

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/pages"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/reporter/results/query"
)

// Limits of the runs explorer.
const (
	// MaxRows is how many runs one explorer page lists (newest first,
	// unless sorted); the count above the table says how many matched.
	MaxRows = 500
	// maxMetricColumns bounds the metric columns of the runs table.
	maxMetricColumns = 12
)

// runsView is the runs explorer.
type runsView struct {
	Where, Sort, Experiment string
	// Fields names what an expression may read.
	Fields      string
	Experiments []string
	Error       string
	Skipped     string
	Matched     int
	Total       int
	Truncated   bool
	Warnings    int
	Metrics     []string
	Rows        []runRow
}

// runRow is one run in the explorer.
type runRow struct {
	RunID, Experiment, Status, Config, Commit, Trigger string
	Seed                                               int64
	PR                                                 int
	Started                                            time.Time
	StartedSort                                        string
	DurationS                                          float64
	Values                                             []cellValue
}

// cellValue is a number as a table shows it and sorts it.
type cellValue struct{ Text, Sort string }

func valueCell(v float64, ok bool) cellValue {
	if !ok {
		return cellValue{Text: "—"}
	}
	return cellValue{Text: num(v), Sort: strconv.FormatFloat(v, 'g', -1, 64)}
}

func (s *Server) runsPage(w http.ResponseWriter, r *http.Request) {
	idx, ok := s.index(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	v := runsView{
		Where: q.Get("where"), Sort: q.Get("sort"), Experiment: q.Get("experiment"), Fields: query.Fields,
		Total: len(idx.Entries), Warnings: len(idx.Warnings),
	}
	names := map[string]bool{}
	for _, e := range idx.Entries {
		names[e.Experiment] = true
	}
	for n := range names {
		v.Experiments = append(v.Experiments, n)
	}
	sort.Strings(v.Experiments)

	status := http.StatusOK
	var rows []*results.Entry
	res, err := query.Run(idx.Entries, query.Options{Experiment: v.Experiment, Where: v.Where, Sort: v.Sort, Limit: MaxRows})
	var qe *query.Error
	switch {
	case errors.As(err, &qe):
		v.Error = "The query is not valid: " + err.Error()
		status = http.StatusBadRequest
	case err != nil:
		s.fail(w, r, http.StatusInternalServerError, "The runs cannot be queried: "+err.Error(), "")
		return
	default:
		rows = res.Runs
		v.Matched = res.Matched
		v.Truncated = res.Matched > len(rows)
		if res.Skipped > 0 {
			v.Skipped = fmt.Sprintf("%d run(s) lack a field the expression reads and are left out (the first: %v).", res.Skipped, res.FirstSkip)
		}
	}

	metrics := map[string]bool{}
	for _, e := range rows {
		for m := range e.Metrics {
			metrics[m] = true
		}
	}
	for m := range metrics {
		v.Metrics = append(v.Metrics, m)
	}
	sort.Strings(v.Metrics)
	if len(v.Metrics) > maxMetricColumns {
		v.Metrics = v.Metrics[:maxMetricColumns]
	}
	for _, e := range rows {
		row := runRow{
			RunID: e.RunID, Experiment: e.Experiment, Status: string(e.Status), Config: compare.ParamsLabel(e.Params),
			Commit: e.SourceCommit, Trigger: e.Trigger, Seed: e.Seed, PR: e.PR, Started: e.Started,
			StartedSort: e.Started.UTC().Format(time.RFC3339), DurationS: e.DurationS,
		}
		for _, m := range v.Metrics {
			val, ok := e.Metrics[m]
			row.Values = append(row.Values, valueCell(val, ok))
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, status, "runs", &pages.Page{Title: "Runs", Body: v}, "runs")
}

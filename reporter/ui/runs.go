package ui

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/results"
)

// Limits of the runs explorer.
const (
	// MaxRows is how many runs one explorer page lists, newest first;
	// the count above the table says how many matched.
	MaxRows = 500
	// maxMetricColumns bounds the metric columns of the runs table.
	maxMetricColumns = 12
)

// runsView is the runs explorer.
type runsView struct {
	WhereEnabled bool
	Where        string
	Experiment   string
	Experiments  []string
	Error        string
	Matched      int
	Total        int
	Truncated    bool
	Warnings     int
	Metrics      []string
	Rows         []runRow
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
		WhereEnabled: s.opts.Where != nil, Where: q.Get("where"), Experiment: q.Get("experiment"),
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

	var match func(*results.Entry) (bool, error)
	status := http.StatusOK
	if v.Where != "" {
		if s.opts.Where == nil {
			v.Error = "This server was started without the --where language; the filter was ignored."
		} else if m, err := s.opts.Where(v.Where); err != nil {
			v.Error = "The --where expression is not valid: " + err.Error()
			status = http.StatusBadRequest
		} else {
			match = m
		}
	}
	var evalErrs int
	var firstErr error
	var rows []*results.Entry
	for i := len(idx.Entries) - 1; i >= 0; i-- {
		e := idx.Entries[i]
		if v.Experiment != "" && e.Experiment != v.Experiment {
			continue
		}
		if match != nil {
			ok, err := match(e)
			if err != nil {
				evalErrs++
				if firstErr == nil {
					firstErr = fmt.Errorf("run %s: %w", e.RunID, err)
				}
				continue
			}
			if !ok {
				continue
			}
		}
		v.Matched++
		if len(rows) < MaxRows {
			rows = append(rows, e)
		}
	}
	v.Truncated = v.Matched > len(rows)
	if evalErrs > 0 && v.Error == "" {
		v.Error = fmt.Sprintf("%d run(s) could not be tested against the expression and are left out; the first: %v", evalErrs, firstErr)
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
	s.render(w, r, status, "runs", page{Title: "Runs", Nav: "runs", Body: v})
}

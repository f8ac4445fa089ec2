package site

import (
	"bytes"
	"sort"
	"time"

	"github.com/assaylab/assay/reporter/pages"
	"github.com/assaylab/assay/reporter/results"
)

// latestReports finds each pull request's newest interactive report on
// the branch: the report of its latest head commit, what the comment
// summarises.
func (b *builder) latestReports() (map[int]results.ReportFile, error) {
	files, err := b.opts.Store.Reports()
	if err != nil {
		return nil, err
	}
	out := map[int]results.ReportFile{}
	for _, f := range files { // newest first
		if _, seen := out[f.PR]; !seen && f.Format == "html" {
			out[f.PR] = f
		}
	}
	return out, nil
}

// copyReport writes a report as it is on the branch: the same
// self-contained file the pull request's comment summarises.
func (b *builder) copyReport(p string, f results.ReportFile) error {
	var buf bytes.Buffer
	if err := b.opts.Store.ReadReport(f, &buf); err != nil {
		return err
	}
	return b.file(p, buf.Bytes())
}

// prRow is a pull request in the site's list.
type prRow struct {
	PR          int
	Report      bool
	HeadSHA     string
	Written     time.Time
	Runs        int
	Failed      int
	Latest      time.Time
	Experiments []string
	Where       string
}

// prPages writes each pull request's page (its latest report) and the
// list of pull requests.
func (b *builder) prPages(entries []*results.Entry, reports map[int]results.ReportFile) ([]*prRow, error) {
	rows := map[int]*prRow{}
	row := func(n int) *prRow {
		r := rows[n]
		if r == nil {
			r = &prRow{PR: n, Where: "pr == " + itoa(n)}
			rows[n] = r
		}
		return r
	}
	exps := map[int]map[string]bool{}
	for _, e := range entries {
		if e.PR <= 0 {
			continue
		}
		r := row(e.PR)
		r.Runs++
		if e.Status != "succeeded" {
			r.Failed++
		}
		if e.Started.After(r.Latest) {
			r.Latest = e.Started
		}
		if exps[e.PR] == nil {
			exps[e.PR] = map[string]bool{}
		}
		exps[e.PR][e.Experiment] = true
	}
	for n, f := range reports {
		if err := b.copyReport(pages.PRPath(n), f); err != nil {
			return nil, err
		}
		r := row(n)
		r.Report, r.HeadSHA, r.Written = true, f.HeadSHA, f.Written
		if f.Written.After(r.Latest) {
			r.Latest = f.Written
		}
	}
	out := make([]*prRow, 0, len(rows))
	for n, r := range rows {
		for e := range exps[n] {
			r.Experiments = append(r.Experiments, e)
		}
		sort.Strings(r.Experiments)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Latest.Equal(out[j].Latest) {
			return out[i].Latest.After(out[j].Latest)
		}
		return out[i].PR > out[j].PR
	})
	pg := b.frame("Pull requests", 0, "prs")
	pg.Body = out
	return out, b.page("prs.html", "prs", pg)
}

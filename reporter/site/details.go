package site

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
)

// detailRuns is how many runs one detail file holds.
const detailRuns = 50

// runDetail is what a run page shows beyond the run index: its curves,
// its log tail and the parts of its record the index leaves out.
type runDetail struct {
	Curves   map[string]*html.Curve `json:"curves,omitempty"`
	Log      string                 `json:"log,omitempty"`
	Command  []string               `json:"command,omitempty"`
	Workdir  string                 `json:"workdir,omitempty"`
	Error    string                 `json:"error,omitempty"`
	Warnings []string               `json:"warnings,omitempty"`
	Labels   []string               `json:"labels,omitempty"`
	GPUModel string                 `json:"gpu_model,omitempty"`
	Executor string                 `json:"executor,omitempty"`
	Path     string                 `json:"path,omitempty"`
}

// details gathers the runs whose details the site keeps: first those
// the experiment pages read for their curves, then the newest, and
// writes them in files of detailRuns.
type details struct {
	b     *builder
	runs  map[string]*runDetail
	order []string
	// file maps a run id to the detail file that holds it (after write).
	file map[string]int
}

func newDetails(b *builder) *details {
	return &details{b: b, runs: map[string]*runDetail{}, file: map[string]int{}}
}

// read reads a run from the branch once and keeps its details.
func (d *details) read(e *results.Entry) (*results.RunDetail, error) {
	rd, err := d.b.opts.Store.Run(e.RunID)
	if err != nil {
		return nil, err
	}
	if _, ok := d.runs[e.RunID]; !ok {
		d.runs[e.RunID] = detailOf(rd)
		d.order = append(d.order, e.RunID)
	}
	return rd, nil
}

// series is the experiment pages' Series: it reads a run for its curves
// and keeps its details on the way.
func (d *details) series(e *results.Entry) (map[string][]runner.Point, error) {
	rd, err := d.read(e)
	if err != nil {
		return nil, err
	}
	return rd.Series, nil
}

// newest adds the newest runs until limit runs are kept. A run that
// cannot be read keeps no details; the run page then says so.
func (d *details) newest(entries []*results.Entry, limit int) error {
	for i := len(entries) - 1; i >= 0 && len(d.runs) < limit; i-- {
		if _, ok := d.runs[entries[i].RunID]; ok {
			continue
		}
		if _, err := d.read(entries[i]); err != nil {
			d.b.opts.Logf("assay site: run %s: %v; its page shows its record only", entries[i].RunID, err)
		}
	}
	return nil
}

func detailOf(rd *results.RunDetail) *runDetail {
	r := rd.Result
	out := &runDetail{
		Log: string(rd.Log), Command: r.Command, Workdir: r.Workdir, Error: r.Error, Warnings: r.Warnings,
		Labels: r.Labels, GPUModel: r.System.GPUModel, Executor: r.Executor, Path: rd.Path,
	}
	names := make([]string, 0, len(rd.Series))
	for m := range rd.Series {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, m := range names {
		c, _ := html.BuildCurve([]html.SeedSeries{{Seed: r.Seed, Points: rd.Series[m]}}, html.MaxCurvePoints)
		if c == nil {
			continue
		}
		if out.Curves == nil {
			out.Curves = map[string]*html.Curve{}
		}
		out.Curves[m] = c
	}
	return out
}

// write puts the kept details in files of detailRuns runs, by run id.
func (d *details) write() error {
	ids := append([]string(nil), d.order...)
	sort.Strings(ids)
	for n := 0; n*detailRuns < len(ids); n++ {
		part := ids[n*detailRuns : min((n+1)*detailRuns, len(ids))]
		m := make(map[string]*runDetail, len(part))
		for _, id := range part {
			m[id] = d.runs[id]
			d.file[id] = n
		}
		b, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("encoding run details: %w", err)
		}
		if err := d.b.file(detailFile(n), jsonp("detail", n, b)); err != nil {
			return err
		}
	}
	return nil
}

func detailFile(n int) string { return fmt.Sprintf("data/detail/%04d.js", n) }

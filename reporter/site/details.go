package site

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

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
// writes them in files of detailRuns. Its methods may be called from
// several goroutines at once.
type details struct {
	b    *builder
	mu   sync.Mutex // guards runs
	runs map[string]*runDetail
	// file maps a run id to the detail file that holds it (after write).
	file map[string]int
}

func newDetails(b *builder) *details {
	return &details{b: b, runs: map[string]*runDetail{}, file: map[string]int{}}
}

// read reads a run from the branch and keeps its details.
func (d *details) read(e *results.Entry) (*results.RunDetail, error) {
	rd, err := d.b.opts.Store.Run(e.RunID)
	if err != nil {
		return nil, err
	}
	det := detailOf(rd)
	d.mu.Lock()
	d.runs[e.RunID] = det
	d.mu.Unlock()
	return rd, nil
}

func (d *details) kept() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.runs)
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
func (d *details) newest(entries []*results.Entry, limit int) {
	next := len(entries) - 1
	for next >= 0 {
		need := limit - d.kept()
		if need <= 0 {
			return
		}
		var batch []*results.Entry
		d.mu.Lock()
		for ; next >= 0 && len(batch) < need; next-- {
			if _, ok := d.runs[entries[next].RunID]; !ok {
				batch = append(batch, entries[next])
			}
		}
		d.mu.Unlock()
		_ = forEach(len(batch), func(i int) error {
			if _, err := d.read(batch[i]); err != nil {
				d.b.opts.Logf("assay site: run %s: %v; its page shows its record only", batch[i].RunID, err)
			}
			return nil
		})
	}
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
	ids := make([]string, 0, len(d.runs))
	for id := range d.runs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for i, id := range ids {
		d.file[id] = i / detailRuns
	}
	files := (len(ids) + detailRuns - 1) / detailRuns
	return forEach(files, func(n int) error {
		part := ids[n*detailRuns : min((n+1)*detailRuns, len(ids))]
		m := make(map[string]*runDetail, len(part))
		for _, id := range part {
			m[id] = d.runs[id]
		}
		b, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("encoding run details: %w", err)
		}
		return d.b.file(detailFile(n), jsonp("detail", n, b))
	})
}

func detailFile(n int) string { return fmt.Sprintf("data/detail/%04d.js", n) }

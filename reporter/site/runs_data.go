package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/assaylab/assay/reporter/pages"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/reporter/results/query"
)

// DefaultChunkRuns is how many runs one file of the run index holds: the
// run page loads one, the search page all of them.
const DefaultChunkRuns = 2000

// manifest is data/runs/manifest.js: what the search and run pages need
// before they load any chunk.
type manifest struct {
	// Schema names the run fields of assay ls's --where language and
	// their kinds, for the browser's query checker (query.Schema).
	Schema map[string]string `json:"schema"`
	// Chunks are the files of the run index, in run id order; First is
	// each one's first run id, so a run's chunk is found by bisection.
	Chunks []chunkRef `json:"chunks"`
	Runs   int        `json:"runs"`
	// Experiments, Statuses and Triggers are the tables the chunks'
	// columns index.
	Experiments []string `json:"experiments"`
	Statuses    []string `json:"statuses"`
	Triggers    []string `json:"triggers"`
	// ExperimentFiles are the experiments' page file names, in
	// Experiments order.
	ExperimentFiles []string `json:"experiment_files"`
	// Branch names the default branch.
	Branch string `json:"branch"`
	// Reports are the pull requests with a page on the site.
	Reports []int `json:"reports"`
}

type chunkRef struct {
	File  string `json:"file"`
	First string `json:"first"`
	Runs  int    `json:"runs"`
}

// chunk is one file of the run index: every field of assay ls's --where
// language for its runs, as columns. Numbers keep every digit (the
// browser must reach the same verdict as assay ls); times are
// milliseconds since 1970 (an unset time is Go's zero time, year 1, as
// assay ls sees it).
type chunk struct {
	ID       []string         `json:"id"`
	Key      []string         `json:"key"`
	Exp      []int            `json:"exp"`
	Status   []int            `json:"status"`
	ExitCode []int            `json:"exit_code"`
	Attempt  []int            `json:"attempt"`
	Seed     []int64          `json:"seed"`
	Config   []int            `json:"config"`
	Configs  []map[string]any `json:"configs"`
	// Metrics holds a column per metric name, null where a run lacks it.
	Metrics  map[string][]*float64 `json:"metrics"`
	Started  []int64               `json:"started"`
	Finished []int64               `json:"finished"`
	Duration []float64             `json:"duration"`
	Host     []int                 `json:"host"`
	Hosts    []string              `json:"hosts"`
	GPUs     []int                 `json:"gpus"`
	Source   []int                 `json:"source"`
	Sources  []string              `json:"sources"`
	Trigger  []int                 `json:"trigger"`
	PR       []int                 `json:"pr"`
	// Other is 1 for a run that does not speak for the default branch.
	Other []int `json:"other"`
	// Detail is the detail file that holds the run's curves and log
	// tail, -1 for none.
	Detail []int `json:"detail"`
}

// table numbers distinct strings in order of first use.
type table struct {
	ids  map[string]int
	list []string
}

func (t *table) id(s string) int {
	if t.ids == nil {
		t.ids = map[string]int{}
	}
	if i, ok := t.ids[s]; ok {
		return i
	}
	t.ids[s] = len(t.list)
	t.list = append(t.list, s)
	return len(t.list) - 1
}

// runIndex lays the runs out as chunks and their manifest.
type runIndex struct {
	man    manifest
	chunks [][]byte
}

func buildRunIndex(entries []*results.Entry, branch *pages.Branch, detail map[string]int, chunkRuns int, reports []int) (*runIndex, error) {
	if chunkRuns <= 0 {
		chunkRuns = DefaultChunkRuns
	}
	var exps, statuses, triggers table
	sorted := make([]string, 0)
	seen := map[string]bool{}
	for _, e := range entries {
		if !seen[e.Experiment] {
			seen[e.Experiment] = true
			sorted = append(sorted, e.Experiment)
		}
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		exps.id(n)
	}
	x := &runIndex{man: manifest{
		Schema: query.Schema(), Runs: len(entries), Branch: branch.Label(), Chunks: []chunkRef{}, Reports: reports,
	}}
	if x.man.Reports == nil {
		x.man.Reports = []int{}
	}
	for start := 0; start < len(entries); start += chunkRuns {
		part := entries[start:min(start+chunkRuns, len(entries))]
		c := newChunk(len(part))
		var configs, hosts, sources table
		for _, e := range part {
			c.ID = append(c.ID, e.RunID)
			c.Key = append(c.Key, e.TrialKey)
			c.Exp = append(c.Exp, exps.id(e.Experiment))
			c.Status = append(c.Status, statuses.id(string(e.Status)))
			c.ExitCode = append(c.ExitCode, e.ExitCode)
			c.Attempt = append(c.Attempt, e.Attempt)
			c.Seed = append(c.Seed, e.Seed)
			pj, err := json.Marshal(e.Params)
			if err != nil || e.Params == nil {
				pj = []byte("{}")
			}
			ci := configs.id(string(pj))
			if ci == len(c.Configs) {
				p := e.Params
				if p == nil {
					p = map[string]any{}
				}
				c.Configs = append(c.Configs, p)
			}
			c.Config = append(c.Config, ci)
			c.Started = append(c.Started, millis(e.Started))
			c.Finished = append(c.Finished, millis(e.Finished))
			c.Duration = append(c.Duration, finiteOr0(e.DurationS))
			c.Host = append(c.Host, hosts.id(e.Host))
			c.GPUs = append(c.GPUs, e.GPUs)
			c.Source = append(c.Source, sources.id(e.SourceCommit))
			c.Trigger = append(c.Trigger, triggers.id(e.Trigger))
			c.PR = append(c.PR, e.PR)
			other := 0
			if !branch.Counts(e) {
				other = 1
			}
			c.Other = append(c.Other, other)
			d, ok := detail[e.RunID]
			if !ok {
				d = -1
			}
			c.Detail = append(c.Detail, d)
		}
		i := 0
		for _, e := range part {
			for m, v := range e.Metrics {
				col := c.Metrics[m]
				if col == nil {
					col = make([]*float64, len(part))
					c.Metrics[m] = col
				}
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					col[i] = &v
				}
			}
			i++
		}
		c.Hosts, c.Sources = hosts.list, sources.list
		b, err := json.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("encoding the run index: %w", err)
		}
		n := len(x.chunks)
		x.chunks = append(x.chunks, jsonp("chunk", n, b))
		x.man.Chunks = append(x.man.Chunks, chunkRef{File: chunkFile(n), First: part[0].RunID, Runs: len(part)})
	}
	x.man.Experiments, x.man.Statuses, x.man.Triggers = nonNil(exps.list), nonNil(statuses.list), nonNil(triggers.list)
	for _, n := range x.man.Experiments {
		x.man.ExperimentFiles = append(x.man.ExperimentFiles, pages.FileName(n))
	}
	if x.man.ExperimentFiles == nil {
		x.man.ExperimentFiles = []string{}
	}
	return x, nil
}

func newChunk(n int) *chunk {
	return &chunk{Metrics: map[string][]*float64{}, Configs: []map[string]any{}, Hosts: []string{}, Sources: []string{},
		ID: make([]string, 0, n)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// manifestJS is data/runs/manifest.js.
func (x *runIndex) manifestJS() ([]byte, error) {
	b, err := json.Marshal(x.man)
	if err != nil {
		return nil, err
	}
	return jsonp("manifest", 0, b), nil
}

func chunkFile(n int) string { return fmt.Sprintf("data/runs/%04d.js", n) }

// jsonp wraps JSON as a script that hands it to the page
// (assaySite.load), so the site's data loads with <script src>, which
// browsers allow from file:// where fetch is refused.
func jsonp(kind string, n int, b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b) + 48)
	fmt.Fprintf(&out, "assaySite.load(%q,%d,", kind, n)
	out.Write(b)
	out.WriteString(");\n")
	return out.Bytes()
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func finiteOr0(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

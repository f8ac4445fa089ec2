package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
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

// A chunk is one file of the run index: every field of assay ls's
// --where language for its runs, as columns:
//
//	id, key        run ids and trial keys
//	exp, status, trigger   indexes into the manifest's tables
//	exit_code, attempt, seed, gpus, pr
//	config, configs        each run's index into configs, the chunk's
//	                       distinct params sets
//	metrics        a column per metric name, null where a run lacks it
//	started, finished      milliseconds since 1970 (an unset time is Go's
//	                       zero time, year 1, as assay ls sees it)
//	duration       seconds
//	host, hosts, source, sources   indexes into the chunk's own tables
//	other          1 for a run that does not speak for the default branch
//	detail         the detail file with the run's curves and log, -1 for none
//
// Numbers keep every digit: the browser must reach the same verdict as
// assay ls. chunkJSON writes it by hand (encoding/json's reflection over
// 100,000 runs was a tenth of a site build), byte for byte as
// encoding/json would (TestChunkJSONMatchesEncodingJSON).

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

// runIndex is the run index laid out: the manifest, and what each chunk
// is encoded from. Chunks may be encoded concurrently.
type runIndex struct {
	man       manifest
	entries   []*results.Entry
	chunkRuns int
	branch    *pages.Branch
	detail    map[string]int
	// exps, statuses and triggers are the manifest's tables, filled
	// before any chunk is encoded and only read after.
	exps, statuses, triggers table
}

func newRunIndex(entries []*results.Entry, branch *pages.Branch, detail map[string]int, chunkRuns int, reports []int) *runIndex {
	if chunkRuns <= 0 {
		chunkRuns = DefaultChunkRuns
	}
	x := &runIndex{entries: entries, chunkRuns: chunkRuns, branch: branch, detail: detail, man: manifest{
		Schema: query.Schema(), Runs: len(entries), Branch: branch.Label(), Chunks: []chunkRef{}, Reports: reports,
	}}
	if x.man.Reports == nil {
		x.man.Reports = []int{}
	}
	var names []string
	seen := map[string]bool{}
	for _, e := range entries {
		if !seen[e.Experiment] {
			seen[e.Experiment] = true
			names = append(names, e.Experiment)
		}
		x.statuses.id(string(e.Status))
		x.triggers.id(e.Trigger)
	}
	sort.Strings(names)
	for _, n := range names {
		x.exps.id(n)
	}
	for start := 0; start < len(entries); start += chunkRuns {
		n := len(x.man.Chunks)
		x.man.Chunks = append(x.man.Chunks, chunkRef{File: chunkFile(n), First: entries[start].RunID, Runs: min(chunkRuns, len(entries)-start)})
	}
	x.man.Experiments, x.man.Statuses, x.man.Triggers = nonNil(x.exps.list), nonNil(x.statuses.list), nonNil(x.triggers.list)
	for _, n := range x.man.Experiments {
		x.man.ExperimentFiles = append(x.man.ExperimentFiles, pages.FileName(n))
	}
	if x.man.ExperimentFiles == nil {
		x.man.ExperimentFiles = []string{}
	}
	return x
}

// chunk is the file of chunk n, as a script.
func (x *runIndex) chunk(n int) []byte {
	start := n * x.chunkRuns
	part := x.entries[start:min(start+x.chunkRuns, len(x.entries))]
	return jsonp("chunk", n, x.chunkJSON(part))
}

// chunkJSON encodes a chunk's runs (see "A chunk is" above).
func (x *runIndex) chunkJSON(part []*results.Entry) []byte {
	var configs, hosts, sources table
	// Runs of one config share their params map (results.Entry.Params):
	// each map is encoded once per chunk.
	configOf := map[uintptr]int{}
	config := make([]int, len(part))
	for i, e := range part {
		id := reflect.ValueOf(e.Params).Pointer()
		c, ok := configOf[id]
		if !ok || e.Params == nil {
			pj, err := json.Marshal(e.Params)
			if err != nil || e.Params == nil {
				pj = []byte("{}")
			}
			c = configs.id(string(pj))
			if e.Params != nil {
				configOf[id] = c
			}
		}
		config[i] = c
	}
	var metricNames []string
	seenMetric := map[string]bool{}
	for _, e := range part {
		for m := range e.Metrics {
			if !seenMetric[m] {
				seenMetric[m] = true
				metricNames = append(metricNames, m)
			}
		}
	}
	sort.Strings(metricNames)

	b := make([]byte, 0, 220*len(part)+1024)
	col := func(name string, first bool, each func(b []byte, e *results.Entry) []byte) {
		if !first {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":[`...)
		for i, e := range part {
			if i > 0 {
				b = append(b, ',')
			}
			b = each(b, e)
		}
		b = append(b, ']')
	}
	ints := func(name string, v func(e *results.Entry) int64) {
		col(name, false, func(b []byte, e *results.Entry) []byte { return strconv.AppendInt(b, v(e), 10) })
	}
	strs := func(list []string) {
		b = append(b, '[')
		for i, s := range list {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		b = append(b, ']')
	}
	b = append(b, '{')
	col("id", true, func(b []byte, e *results.Entry) []byte { return appendJSONString(b, e.RunID) })
	col("key", false, func(b []byte, e *results.Entry) []byte { return appendJSONString(b, e.TrialKey) })
	ints("exp", func(e *results.Entry) int64 { return int64(x.exps.ids[e.Experiment]) })
	ints("status", func(e *results.Entry) int64 { return int64(x.statuses.ids[string(e.Status)]) })
	ints("exit_code", func(e *results.Entry) int64 { return int64(e.ExitCode) })
	ints("attempt", func(e *results.Entry) int64 { return int64(e.Attempt) })
	ints("seed", func(e *results.Entry) int64 { return e.Seed })
	b = append(b, `,"config":[`...)
	for i, c := range config {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(c), 10)
	}
	b = append(b, `],"configs":[`...)
	for i, pj := range configs.list {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, pj...)
	}
	b = append(b, `],"metrics":{`...)
	for mi, m := range metricNames {
		if mi > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, m)
		b = append(b, `:[`...)
		for i, e := range part {
			if i > 0 {
				b = append(b, ',')
			}
			if v, ok := e.Metrics[m]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
				b = appendJSONFloat(b, v)
			} else {
				b = append(b, "null"...)
			}
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	ints("started", func(e *results.Entry) int64 { return millis(e.Started) })
	ints("finished", func(e *results.Entry) int64 { return millis(e.Finished) })
	col("duration", false, func(b []byte, e *results.Entry) []byte { return appendJSONFloat(b, finiteOr0(e.DurationS)) })
	ints("host", func(e *results.Entry) int64 { return int64(hosts.id(e.Host)) })
	b = append(b, `,"hosts":`...)
	strs(hosts.list)
	ints("gpus", func(e *results.Entry) int64 { return int64(e.GPUs) })
	ints("source", func(e *results.Entry) int64 { return int64(sources.id(e.SourceCommit)) })
	b = append(b, `,"sources":`...)
	strs(sources.list)
	ints("trigger", func(e *results.Entry) int64 { return int64(x.triggers.ids[e.Trigger]) })
	ints("pr", func(e *results.Entry) int64 { return int64(e.PR) })
	ints("other", func(e *results.Entry) int64 {
		if x.branch.Counts(e) {
			return 0
		}
		return 1
	})
	ints("detail", func(e *results.Entry) int64 {
		if d, ok := x.detail[e.RunID]; ok {
			return int64(d)
		}
		return -1
	})
	return append(b, '}')
}

// appendJSONString appends s as encoding/json writes it. Run ids, trial
// keys, hosts and commits are plain ASCII; anything else goes through
// encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONFloat appends a finite f as encoding/json writes a float64:
// the shortest digits that read back as f, in exponent form only for
// very small or very large magnitudes.
func appendJSONFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
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

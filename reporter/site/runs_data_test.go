package site

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/pages"
	"github.com/assaylab/assay/reporter/results"
)

// TestChunkJSONMatchesEncodingJSON: the run index's hand-written chunks
// are byte for byte what encoding/json writes for the same columns,
// through strings that need escaping, floats of every magnitude, missing
// and non-finite metrics, shared and absent params.
func TestChunkJSONMatchesEncodingJSON(t *testing.T) {
	shared := map[string]any{"lr": 1e-7, "opt": "adam <w>"}
	var entries []*results.Entry
	floats := []float64{0, 1, -2.5, 1e-7, 3e21, 0.1 + 0.2, 123456789.125, math.NaN(), math.Inf(1)}
	for i, f := range floats {
		e := &results.Entry{
			RunID: "20260301T0000" + string(rune('0'+i)) + "0.000Z-x", TrialKey: "k\"é" + string(rune('a'+i)), Experiment: []string{"b", "a"}[i%2],
			Status: "succeeded", Seed: int64(i), Params: shared, Metrics: map[string]float64{"m": f},
			Started: time.Date(2026, 3, 1, 0, i, 0, 0, time.UTC), DurationS: f, Host: "h\u2028" + string(rune('0'+i%2)),
			SourceCommit: "c", Trigger: []string{"push", "pr"}[i%2], PR: i % 2,
		}
		if i == 2 {
			e.Params, e.Metrics = nil, nil
		}
		if i == 3 {
			e.Params = map[string]any{"nested": map[string]any{"x": []any{1.0, "y"}}}
		}
		entries = append(entries, e)
	}
	x := newRunIndex(entries, &pages.Branch{Name: "main", Commits: map[string]bool{}}, map[string]int{entries[1].RunID: 0}, 0, nil)

	// The reference: the same columns, through encoding/json.
	type ref struct {
		ID       []string              `json:"id"`
		Key      []string              `json:"key"`
		Exp      []int                 `json:"exp"`
		Status   []int                 `json:"status"`
		ExitCode []int                 `json:"exit_code"`
		Attempt  []int                 `json:"attempt"`
		Seed     []int64               `json:"seed"`
		Config   []int                 `json:"config"`
		Configs  []json.RawMessage     `json:"configs"`
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
		Other    []int                 `json:"other"`
		Detail   []int                 `json:"detail"`
	}
	r := ref{Metrics: map[string][]*float64{}}
	var configs, hosts, sources table
	for i, e := range entries {
		r.ID, r.Key = append(r.ID, e.RunID), append(r.Key, e.TrialKey)
		r.Exp, r.Status = append(r.Exp, x.exps.ids[e.Experiment]), append(r.Status, x.statuses.ids[string(e.Status)])
		r.ExitCode, r.Attempt, r.Seed = append(r.ExitCode, e.ExitCode), append(r.Attempt, e.Attempt), append(r.Seed, e.Seed)
		pj := []byte("{}")
		if e.Params != nil {
			pj, _ = json.Marshal(e.Params)
		}
		c := configs.id(string(pj))
		if c == len(r.Configs) {
			r.Configs = append(r.Configs, pj)
		}
		r.Config = append(r.Config, c)
		if v, ok := e.Metrics["m"]; ok || i == 0 {
			if r.Metrics["m"] == nil {
				r.Metrics["m"] = make([]*float64, len(entries))
			}
			if ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
				r.Metrics["m"][i] = &v
			}
		}
		r.Started, r.Finished = append(r.Started, e.Started.UnixMilli()), append(r.Finished, e.Finished.UnixMilli())
		r.Duration = append(r.Duration, finiteOr0(e.DurationS))
		r.Host, r.GPUs = append(r.Host, hosts.id(e.Host)), append(r.GPUs, e.GPUs)
		r.Source, r.Trigger, r.PR = append(r.Source, sources.id(e.SourceCommit)), append(r.Trigger, x.triggers.ids[e.Trigger]), append(r.PR, e.PR)
		other := 0
		if !x.branch.Counts(e) {
			other = 1
		}
		d, ok := x.detail[e.RunID]
		if !ok {
			d = -1
		}
		r.Other, r.Detail = append(r.Other, other), append(r.Detail, d)
	}
	r.Hosts, r.Sources = hosts.list, sources.list
	want, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := x.chunkJSON(entries); string(got) != string(want) {
		t.Errorf("chunk differs from encoding/json's:\n got %s\nwant %s", got, want)
	}
}

package drift

import (
	"testing"
	"time"
)

// Two scheduled runs on one day are two nights when they carry batches;
// runs without a batch fall back to their UTC date.
func TestBatchesAreNights(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 3, 8, h, m, 0, 0, time.UTC) }
	p := map[string]any{"lr": 0.1}
	obs := []Observation{
		{Params: p, Started: time.Date(2026, 3, 7, 3, 0, 0, 0, time.UTC), Metrics: map[string]float64{"acc": 0.90}},
		{Params: p, Started: at(3, 1), Batch: "github-1", Metrics: map[string]float64{"acc": 0.91}},
		{Params: p, Started: at(3, 0), Batch: "github-1", Metrics: map[string]float64{"acc": 0.92}},
		{Params: p, Started: at(9, 30), Batch: "github-2", Metrics: map[string]float64{"acc": 0.80}},
		{Params: p, Started: at(9, 30), Batch: "github-3", Metrics: map[string]float64{"acc": 0.81}},
	}
	series := BuildSeries("e", []Metric{{Name: "acc", Goal: "maximize"}}, obs)
	if len(series) != 1 {
		t.Fatalf("%d series", len(series))
	}
	var got []string
	for _, n := range series[0].Nights {
		got = append(got, n.Date)
	}
	want := []string{"2026-03-07", "2026-03-08T03:00:00Z github-1", "2026-03-08T09:30:00Z github-2"}
	want = append(want, "2026-03-08T09:30:00Z github-3") // same second, another batch
	if len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("nights %v, want %v", got, want)
	}
	if v := series[0].Nights[1].Values; len(v) != 2 {
		t.Errorf("batch github-1 has %d values, want both shards' runs", len(v))
	}
}

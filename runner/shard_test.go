package runner

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/runner/gitrepo/gittest"
	"github.com/assaylab/assay/spec"
)

// shardRepo has experiments on three label sets: 3 × gpu (8 trials each),
// 1 × cpu (8 trials), 1 × gpu,a100 (4 trials).
func shardRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	exp := func(name, labels string, seeds string) string {
		return fmt.Sprintf(`experiment %q {
  command = ["python", "train.py", "--lr=${param.lr}"]
  inputs  = ["train.py"]
  params  = { lr = 0.1 }
  sweep {
    param "lr" { values = [0.1, 0.01] }
  }
  seeds  = %s
  runner { labels = %s }
}
`, name, seeds, labels)
	}
	r.Write("train.py", "x\n")
	r.Write("experiments/g1.hcl", exp("g1", `["gpu"]`, "[1, 2, 3, 4]"))
	r.Write("experiments/g2.hcl", exp("g2", `["gpu"]`, "[1, 2, 3, 4]"))
	r.Write("experiments/g3.hcl", exp("g3", `["gpu"]`, "[1, 2, 3, 4]"))
	r.Write("experiments/c.hcl", exp("c", `["cpu"]`, "[1, 2, 3, 4]"))
	r.Write("experiments/big.hcl", exp("big", `["a100", "gpu"]`, "[1, 2]"))
	r.Commit("experiments")
	return r
}

func keysOf(ts []*spec.Trial) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Key
	}
	return out
}

// The shards of n partition the trials to run; each holds one label set;
// a fresh plan on the same commit gives the same shards.
func TestShardsPartitionDeterministically(t *testing.T) {
	t.Parallel()
	r := shardRepo(t)
	p := buildPlan(t, r.Dir, PlanOptions{All: true})
	again := buildPlan(t, r.Dir, PlanOptions{All: true})
	for _, n := range []int{3, 4, 7, 36, 50} {
		seen := map[string]int{}
		for i := 1; i <= n; i++ {
			ts, err := p.Shard(i, n)
			if err != nil {
				t.Fatalf("Shard(%d, %d): %v", i, n, err)
			}
			labels := map[string]bool{}
			for _, tr := range ts {
				seen[tr.Key]++
				labels[strings.Join(tr.Runner.Labels, ",")] = true
			}
			if len(labels) > 1 {
				t.Errorf("shard %d/%d mixes label sets %v", i, n, labels)
			}
			other, _ := again.Shard(i, n)
			if strings.Join(keysOf(ts), " ") != strings.Join(keysOf(other), " ") {
				t.Errorf("shard %d/%d differs between two plans of the same commit", i, n)
			}
		}
		for _, tr := range p.ToRun() {
			if seen[tr.Key] != 1 {
				t.Errorf("n=%d: trial %s in %d shards", n, tr.ShortKey(), seen[tr.Key])
			}
		}
		if len(seen) != 36 {
			t.Errorf("n=%d: %d trials sharded, want 36", n, len(seen))
		}
	}
	if _, err := p.Shard(1, 2); err == nil || !strings.Contains(err.Error(), "at least 3 shards") {
		t.Errorf("fewer shards than label sets: %v", err)
	}
	if _, err := p.Shard(0, 3); err == nil {
		t.Error("shard 0 must be refused: shards count from 1")
	}
}

// With no history every trial weighs the same: shards of a group differ
// by at most one trial, and shards go to groups by their size.
func TestShardsBalanceCounts(t *testing.T) {
	t.Parallel()
	p := buildPlan(t, shardRepo(t).Dir, PlanOptions{All: true})
	l, err := p.layout(9)
	if err != nil {
		t.Fatal(err)
	}
	// Groups in label order: (a100,gpu) 4 trials, (cpu) 8, (gpu) 24.
	var counts []int
	for _, g := range l.groups {
		counts = append(counts, g.count)
	}
	if fmt.Sprint(counts) != "[1 2 6]" {
		t.Errorf("shards per group %v, want [1 2 6] (D'Hondt on 4, 8, 24 trials)", counts)
	}
	for _, g := range l.groups {
		sizes := map[int]int{}
		for _, tr := range g.trials {
			sizes[l.shard[tr]]++
		}
		lo, hi := 1<<30, 0
		for _, n := range sizes {
			lo, hi = min(lo, n), max(hi, n)
		}
		if hi-lo > 1 {
			t.Errorf("group %v: shard sizes %v", g.labels, sizes)
		}
	}
}

// With estimates, the longest trials are spread first: no shard carries
// more than the lightest plus one trial's time.
func TestShardsBalanceEstimates(t *testing.T) {
	t.Parallel()
	r := shardRepo(t)
	est := func(tr *spec.Trial) time.Duration {
		if tr.Experiment == "g1" {
			return time.Hour
		}
		if tr.Experiment == "g2" {
			return 0 // unknown: counts as the mean
		}
		return time.Duration(tr.Seed) * time.Minute
	}
	p := buildPlan(t, r.Dir, PlanOptions{All: true, Estimate: est})
	n := 8
	l, err := p.layout(n)
	if err != nil {
		t.Fatal(err)
	}
	w := p.weights(p.Selected())
	for _, g := range l.groups {
		loads := map[int]int64{}
		var heaviest int64
		for _, tr := range g.trials {
			loads[l.shard[tr]] += w[tr]
			heaviest = max(heaviest, w[tr])
		}
		lo, hi := int64(1<<62), int64(0)
		for _, v := range loads {
			lo, hi = min(lo, v), max(hi, v)
		}
		if hi-lo > heaviest {
			t.Errorf("group %v: loads %v spread by more than the heaviest trial", g.labels, loads)
		}
	}
	// The matrix reports estimates once there are any.
	m, err := p.Matrix(MatrixOptions{MaxShards: n})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range m.Include {
		if e.EstimateS <= 0 {
			t.Errorf("entry %s has no estimate", e.Shard)
		}
	}
}

// A shard means the same trials after other jobs recorded some of them
// (GitHub's "re-run failed jobs" replays the old matrix): recorded
// trials drop out of their shard, nothing moves between shards.
func TestShardsStableAsResultsArrive(t *testing.T) {
	t.Parallel()
	r := shardRepo(t)
	before := buildPlan(t, r.Dir, PlanOptions{All: true})
	const n = 6
	shard := map[string]int{}
	for i := 1; i <= n; i++ {
		ts, _ := before.Shard(i, n)
		for _, tr := range ts {
			shard[tr.Key] = i
		}
	}
	done := recordedKeys{}
	for i, tr := range before.ToRun() {
		if i%3 == 0 {
			done[tr.Key] = true
		}
	}
	after := buildPlan(t, r.Dir, PlanOptions{All: true, Recorded: done})
	for i := 1; i <= n; i++ {
		ts, _ := after.Shard(i, n)
		for _, tr := range ts {
			if done[tr.Key] {
				t.Errorf("recorded trial %s still to run", tr.ShortKey())
			}
			if shard[tr.Key] != i {
				t.Errorf("trial %s moved from shard %d to %d", tr.ShortKey(), shard[tr.Key], i)
			}
		}
	}
}

// KeepShard narrows the plan itself, as assay plan --shard shows it.
func TestKeepShard(t *testing.T) {
	t.Parallel()
	p := buildPlan(t, shardRepo(t).Dir, PlanOptions{All: true})
	want, _ := p.Shard(2, 5)
	if err := p.KeepShard(2, 5); err != nil {
		t.Fatal(err)
	}
	if strings.Join(keysOf(p.ToRun()), " ") != strings.Join(keysOf(want), " ") || p.OnlyShard != "2/5" {
		t.Errorf("KeepShard kept %d trials, Shard says %d", len(p.ToRun()), len(want))
	}
	// The summary counts the experiments with trials in this shard only.
	in := map[string]bool{}
	for _, tr := range want {
		in[tr.Experiment] = true
	}
	if s := p.Summary(); s.Selected != len(in) || s.Selected == len(p.Experiments) || s.ToRun != len(want) {
		t.Errorf("summary %+v: want %d selected experiments (of %d), %d trials", s, len(in), len(p.Experiments), len(want))
	}
	if d := p.Document(); d.Selection.Shard != "2/5" || len(d.Trials) != len(want) {
		t.Errorf("document: shard %q, %d trials", d.Selection.Shard, len(d.Trials))
	}
}

func TestParseShard(t *testing.T) {
	for in, want := range map[string][2]int{"1/1": {1, 1}, "2/5": {2, 5}, "256/256": {256, 256}} {
		i, n, err := ParseShard(in)
		if err != nil || i != want[0] || n != want[1] {
			t.Errorf("ParseShard(%q) = %d, %d, %v", in, i, n, err)
		}
	}
	for _, in := range []string{"", "1", "0/3", "4/3", "a/b", "1/0", "-1/2", "1/2/3"} {
		if _, _, err := ParseShard(in); err == nil {
			t.Errorf("ParseShard(%q) accepted", in)
		}
	}
}

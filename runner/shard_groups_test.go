package runner

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/runner/gitrepo/gittest"
	"github.com/assaylab/assay/spec"
)

// twoKindsRepo has two experiments of two seeds each: "c" on a runner
// with no labels, "g" on ["gpu"].
func twoKindsRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	r.Write("train.py", "x\n")
	r.Write("experiments/c.hcl", `experiment "c" {
  command = ["python", "train.py", "--seed=${seed}"]
  inputs  = ["train.py"]
  seeds   = [1, 2]
}
`)
	r.Write("experiments/g.hcl", `experiment "g" {
  command = ["python", "train.py", "--seed=${seed}"]
  inputs  = ["train.py"]
  seeds   = [1, 2]
  runner { labels = ["gpu"] }
}
`)
	r.Commit("experiments")
	return r
}

// shardsOf names the trials of each of n shards as experiment/seed.
func shardsOf(t *testing.T, p *Plan, n int) string {
	t.Helper()
	var out []string
	for i := 1; i <= n; i++ {
		ts, err := p.Shard(i, n)
		if err != nil {
			t.Fatalf("Shard(%d, %d): %v", i, n, err)
		}
		var names []string
		for _, tr := range ts {
			names = append(names, fmt.Sprintf("%s/%d", tr.Experiment, tr.Seed))
		}
		out = append(out, "["+strings.Join(names, " ")+"]")
	}
	return strings.Join(out, " ")
}

// How shards go to runner kinds, as the matrix shows it: a tie in time
// per shard goes to the group first in label order, a group never gets
// more shards than it has trials (the rest stay empty, at the end), and
// too few shards is an error that names every label set.
func TestShardsPerLabelSet(t *testing.T) {
	t.Parallel()
	p := buildPlan(t, twoKindsRepo(t).Dir, PlanOptions{All: true})
	for _, tc := range []struct {
		n    int
		want string
	}{
		{2, "[c/1 c/2] [g/1 g/2]"},
		// Both groups weigh the same per shard: the third shard goes to
		// the first in label order (no labels sorts before gpu).
		{3, "[c/1] [c/2] [g/1 g/2]"},
		{4, "[c/1] [c/2] [g/1] [g/2]"},
		// Four trials, five shards: one shard per trial, the fifth empty.
		{5, "[c/1] [c/2] [g/1] [g/2] []"},
	} {
		if got := shardsOf(t, p, tc.n); got != tc.want {
			t.Errorf("%d shards: %s, want %s", tc.n, got, tc.want)
		}
	}
	want := "the plan's trials need at least 2 shards, one per runner label set (no labels; gpu); 1 is too few"
	if _, err := p.Shard(1, 1); err == nil || err.Error() != want {
		t.Errorf("one shard for two label sets: %v, want %q", err, want)
	}
}

// Shard numbers run from 1 to n, both ends included; outside them Shard
// and KeepShard refuse, and inside them KeepShard keeps what Shard gives.
func TestShardNumbersAtTheirBounds(t *testing.T) {
	t.Parallel()
	r := seedsRepo(t, 3)
	for _, tc := range []struct {
		i, n int
		want string // the seeds kept, or "error"
	}{
		{1, 1, "[1 2 3]"},
		{1, 3, "[1]"},
		{3, 3, "[3]"},
		{0, 3, "error"},
		{4, 3, "error"},
		{1, 0, "error"},
		{0, 0, "error"},
	} {
		p := buildPlan(t, r.Dir, PlanOptions{All: true})
		seeds := func(ts []*spec.Trial) string {
			var s []int64
			for _, tr := range ts {
				s = append(s, tr.Seed)
			}
			return fmt.Sprint(s)
		}
		got := "error"
		if ts, err := p.Shard(tc.i, tc.n); err == nil {
			got = seeds(ts)
		}
		if got != tc.want {
			t.Errorf("Shard(%d, %d) = %s, want %s", tc.i, tc.n, got, tc.want)
		}
		kept := "error"
		if err := p.KeepShard(tc.i, tc.n); err == nil {
			kept = seeds(p.ToRun())
			if p.OnlyShard != fmt.Sprintf("%d/%d", tc.i, tc.n) {
				t.Errorf("KeepShard(%d, %d): the plan says shard %q", tc.i, tc.n, p.OnlyShard)
			}
		}
		if kept != tc.want {
			t.Errorf("KeepShard(%d, %d) kept %s, want %s", tc.i, tc.n, kept, tc.want)
		}
	}
}

// The matrix: each entry's estimate is the sum of its trials' estimates;
// --shard-size met exactly at the last candidate count needs no note, and
// a matrix asked for no shard size has none.
func TestMatrixEstimatesAndNotes(t *testing.T) {
	t.Parallel()
	r := shardRepo(t)
	est := func(tr *spec.Trial) time.Duration { return time.Duration(tr.Seed) * time.Minute }
	p := buildPlan(t, r.Dir, PlanOptions{All: true, Estimate: est})
	m, err := p.Matrix(MatrixOptions{MaxShards: 8})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Notes) != 0 {
		t.Errorf("notes %v without --shard-size", m.Notes)
	}
	for _, e := range m.Include {
		i, n, _ := ParseShard(e.Shard)
		ts, _ := p.Shard(i, n)
		var want time.Duration
		for _, tr := range ts {
			want += est(tr)
		}
		if e.EstimateS != want.Seconds() {
			t.Errorf("entry %s: estimate %gs, want %gs, the sum of its trials'", e.Shard, e.EstimateS, want.Seconds())
		}
	}
	// 36 trials at one per shard: 36 shards, the most that 36 trials can
	// have, meet it.
	m, err = p.Matrix(MatrixOptions{ShardSize: 1, MaxShards: 40})
	if err != nil {
		t.Fatal(err)
	}
	if m.Shards != 36 || len(m.Include) != 36 || len(m.Notes) != 0 {
		t.Errorf("--shard-size 1: %d shards, %d entries, notes %v; want 36, 36, none", m.Shards, len(m.Include), m.Notes)
	}
}

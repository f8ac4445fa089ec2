package runner

import (
	"encoding/json"
	"strings"
	"testing"
)

// Each matrix entry is a shard that assay run --shard selects exactly;
// runs-on is self-hosted plus the labels; the matrix stays within bounds.
func TestMatrixEntriesAreShards(t *testing.T) {
	t.Parallel()
	p := buildPlan(t, shardRepo(t).Dir, PlanOptions{All: true})
	for _, o := range []MatrixOptions{{}, {MaxShards: 3}, {MaxShards: 10}, {MaxShards: 256}, {ShardSize: 5}, {ShardSize: 1, MaxShards: 40}} {
		m, err := p.Matrix(o)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		limit := o.MaxShards
		if limit == 0 {
			limit = DefaultMaxShards
		}
		if m.Shards > limit || len(m.Include) > m.Shards {
			t.Errorf("%+v: %d shards, %d entries", o, m.Shards, len(m.Include))
		}
		total := 0
		for _, e := range m.Include {
			i, n, err := ParseShard(e.Shard)
			if err != nil || n != m.Shards {
				t.Fatalf("entry shard %q: %v", e.Shard, err)
			}
			ts, err := p.Shard(i, n)
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != e.Trials || e.Trials == 0 {
				t.Errorf("%+v: entry %s promises %d trials, Shard gives %d", o, e.Shard, e.Trials, len(ts))
			}
			labels := strings.Join(ts[0].Runner.Labels, ",")
			if e.RunsOn[0] != "self-hosted" || strings.Join(e.RunsOn[1:], ",") != labels || e.Labels != labels {
				t.Errorf("entry %s runs-on %v for labels %q", e.Shard, e.RunsOn, labels)
			}
			if o.ShardSize > 0 && e.Trials > o.ShardSize {
				t.Errorf("%+v: entry %s has %d trials", o, e.Shard, e.Trials)
			}
			total += e.Trials
		}
		if total != 36 {
			t.Errorf("%+v: entries cover %d trials, want 36", o, total)
		}
	}
	// --shard-size picks the fewest shards that meet it: 36 trials in
	// groups of 4, 8 and 24 at ≤ 4 per shard is 1 + 2 + 6.
	if m, _ := p.Matrix(MatrixOptions{ShardSize: 4, MaxShards: 50}); m.Shards != 9 {
		t.Errorf("--shard-size 4: %d shards, want 9", m.Shards)
	}
	// A bound that cannot be met is said, not ignored.
	if m, _ := p.Matrix(MatrixOptions{ShardSize: 1, MaxShards: 5}); len(m.Notes) != 1 {
		t.Errorf("notes %v", m.Notes)
	}
	if _, err := p.Matrix(MatrixOptions{MaxShards: 2}); err == nil || !strings.Contains(err.Error(), "raise --max-shards to 3") {
		t.Errorf("three label sets in two shards: %v", err)
	}
	if _, err := p.Matrix(MatrixOptions{MaxShards: 257}); err == nil {
		t.Error("more than GitHub's 256 jobs must be refused")
	}
}

// The JSON is what strategy.matrix takes, and an empty plan is an empty
// include list that a workflow can test.
func TestMatrixJSON(t *testing.T) {
	t.Parallel()
	r := shardRepo(t)
	p := buildPlan(t, r.Dir, PlanOptions{})
	m, err := p.Matrix(MatrixOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(m)
	if string(b) != `{"include":[]}` {
		t.Errorf("empty plan: %s", b)
	}
	p = buildPlan(t, r.Dir, PlanOptions{All: true, Experiments: []string{"big"}})
	m, _ = p.Matrix(MatrixOptions{MaxShards: 2})
	b, _ = json.Marshal(m)
	want := `{"include":[{"runs-on":["self-hosted","a100","gpu"],"shard":"1/2","trials":2,"base_trials":0,"estimate_s":0,"labels":"a100,gpu","experiments":["big"]},` +
		`{"runs-on":["self-hosted","a100","gpu"],"shard":"2/2","trials":2,"base_trials":0,"estimate_s":0,"labels":"a100,gpu","experiments":["big"]}]}`
	if string(b) != want {
		t.Errorf("matrix\n %s\nwant\n %s", b, want)
	}
}

package runner

import (
	"testing"
	"time"

	"github.com/assaylab/assay/runner/gitrepo/gittest"
	"github.com/assaylab/assay/spec"
)

// TestShardsGoWhereTimePerShardIsHighest: each shard beyond the first of
// each runner kind goes to the kind with the most estimated time per
// shard, counted again after every shard given. "c" (no labels) has four
// trials of 2h30m, 10h in all; "g" (gpu) two of 2h, 4h. With five shards
// c gets the first two spare shards (10h/1, then 10h/2 = 5h, both above
// g's 4h), and the last goes to g (4h above c's 10h/3 = 3h20m): c 3, g 2.
func TestShardsGoWhereTimePerShardIsHighest(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Write("train.py", "x\n")
	r.Write("experiments/c.hcl", `experiment "c" {
  command = ["python", "train.py", "--seed=${seed}"]
  inputs  = ["train.py"]
  seeds   = [1, 2, 3, 4]
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
	est := func(tr *spec.Trial) time.Duration {
		if tr.Experiment == "c" {
			return 150 * time.Minute
		}
		return 2 * time.Hour
	}
	p := buildPlan(t, r.Dir, PlanOptions{All: true, Estimate: est})
	want := "[c/1 c/4] [c/2] [c/3] [g/1] [g/2]"
	if got := shardsOf(t, p, 5); got != want {
		t.Errorf("5 shards: %s, want %s (c three shards, g two)", got, want)
	}
}

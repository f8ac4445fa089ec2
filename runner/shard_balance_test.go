package runner

import (
	"fmt"
	"testing"
	"time"

	"github.com/assaylab/assay/runner/gitrepo/gittest"
	"github.com/assaylab/assay/spec"
)

// seedsRepo has one experiment of one config over seeds 1..n.
func seedsRepo(t *testing.T, n int) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	seeds := "1"
	for s := 2; s <= n; s++ {
		seeds += fmt.Sprintf(", %d", s)
	}
	r.Write("train.py", "x\n")
	r.Write("experiments/e.hcl", fmt.Sprintf(`experiment "e" {
  command = ["python", "train.py", "--seed=${seed}"]
  inputs  = ["train.py"]
  seeds   = [%s]
}
`, seeds))
	r.Commit("experiments")
	return r
}

// shardSeeds returns the seeds of each of n shards and each shard's
// estimated time.
func shardSeeds(t *testing.T, p *Plan, n int, est func(*spec.Trial) time.Duration) ([]string, []time.Duration) {
	t.Helper()
	var seeds []string
	var loads []time.Duration
	for i := 1; i <= n; i++ {
		ts, err := p.Shard(i, n)
		if err != nil {
			t.Fatal(err)
		}
		var s []int64
		var load time.Duration
		for _, tr := range ts {
			s = append(s, tr.Seed)
			load += est(tr)
		}
		seeds, loads = append(seeds, fmt.Sprint(s)), append(loads, load)
	}
	return seeds, loads
}

// TestShardsPlaceTheLongestFirst: the longest trials are placed first,
// each on the least loaded shard. Placed in plan order instead, six 1-hour
// trials would fill both shards to 3 hours before the 6-hour one lands on
// top of one of them: 9 hours for that runner where 6 are enough.
func TestShardsPlaceTheLongestFirst(t *testing.T) {
	t.Parallel()
	r := seedsRepo(t, 7)
	est := func(tr *spec.Trial) time.Duration {
		if tr.Seed == 7 {
			return 6 * time.Hour
		}
		return time.Hour
	}
	p := buildPlan(t, r.Dir, PlanOptions{All: true, Estimate: est})
	seeds, loads := shardSeeds(t, p, 2, est)
	if fmt.Sprint(seeds) != "[[7] [1 2 3 4 5 6]]" || fmt.Sprint(loads) != "[6h0m0s 6h0m0s]" {
		t.Errorf("shards %v, loads %v; want the 6-hour seed 7 alone on shard 1, the six 1-hour seeds on shard 2", seeds, loads)
	}
}

// TestShardsTieBreaks: trials of equal estimate go in plan order, each to
// the least loaded shard and, between equal loads, the lower one; a trial
// with no estimate weighs the mean of the known ones.
func TestShardsTieBreaks(t *testing.T) {
	t.Parallel()
	r := seedsRepo(t, 5)
	// Known: 4h, 1h, 1h, 1h, mean 1h45m; seed 2 is unknown and counts as
	// 1h45m, placed after the 4h and before the 1h trials.
	hours := map[int64]time.Duration{1: 4 * time.Hour, 2: 0, 3: time.Hour, 4: time.Hour, 5: time.Hour}
	est := func(tr *spec.Trial) time.Duration { return hours[tr.Seed] }
	p := buildPlan(t, r.Dir, PlanOptions{All: true, Estimate: est})
	seeds, _ := shardSeeds(t, p, 3, est)
	// 4h → shard 1; 1h45m (seed 2) → shard 2; 1h (seed 3) → shard 3;
	// seed 4 → shard 3 (1h < 1h45m); seed 5 → shard 2 (1h45m < 2h).
	if fmt.Sprint(seeds) != "[[1] [2 5] [3 4]]" {
		t.Errorf("shards %v, want [[1] [2 5] [3 4]]", seeds)
	}
	// With no estimates at all the split is round-robin.
	none := func(*spec.Trial) time.Duration { return 0 }
	p = buildPlan(t, r.Dir, PlanOptions{All: true, Estimate: none})
	if seeds, _ := shardSeeds(t, p, 2, none); fmt.Sprint(seeds) != "[[1 3 5] [2 4]]" {
		t.Errorf("with no estimates: shards %v, want round-robin [[1 3 5] [2 4]]", seeds)
	}
}

// A trial with no estimate (0: no history) weighs the mean of those that
// have one, in the matrix's estimate too; with none known, the matrix
// shows no estimate at all.
func TestUnknownEstimatesCountAsTheMean(t *testing.T) {
	t.Parallel()
	r := seedsRepo(t, 4)
	for _, c := range []struct {
		name  string
		est   func(*spec.Trial) time.Duration
		wantS float64
	}{
		{"two of four known", func(tr *spec.Trial) time.Duration {
			if tr.Seed <= 2 {
				return 10 * time.Minute
			}
			return 0
		}, 4 * 600},
		{"none known", func(*spec.Trial) time.Duration { return 0 }, 0},
	} {
		p := buildPlan(t, r.Dir, PlanOptions{All: true, Estimate: c.est})
		m, err := p.Matrix(MatrixOptions{MaxShards: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Include) != 1 || m.Include[0].EstimateS != c.wantS {
			t.Errorf("%s: matrix %+v, want one shard of %vs", c.name, m.Include, c.wantS)
		}
	}
}

package runner

import (
	"fmt"
	"time"

	"github.com/assaylab/assay/spec"
)

// MaxMatrixJobs is the most jobs GitHub Actions allows one matrix to make.
const MaxMatrixJobs = 256

// DefaultMaxShards is how many shards a matrix splits into unless told:
// enough to spread a sweep over a pool of runners, few enough that each
// job's setup (checkout, environment) stays small next to its trials.
const DefaultMaxShards = 16

// MatrixOptions bound a GitHub Actions matrix.
type MatrixOptions struct {
	// MaxShards caps the number of shards; 0 means DefaultMaxShards. It is
	// never more than MaxMatrixJobs.
	MaxShards int
	// ShardSize, when set, asks for shards of at most this many trials to
	// run: the fewest shards that meet it (up to MaxShards).
	ShardSize int
}

// Matrix is the JSON a GitHub Actions strategy.matrix takes:
// fromJSON(needs.plan.outputs.matrix). An empty plan has no entries
// ({"include":[]}), which a workflow tests with
// fromJSON(needs.plan.outputs.matrix).include[0] != null.
type Matrix struct {
	Include []MatrixEntry `json:"include"`
	// Shards is n: the total shard count every entry's "i/n" uses. Not
	// part of the JSON.
	Shards int `json:"-"`
	// Notes explain where a bound could not be met.
	Notes []string `json:"-"`
}

// MatrixEntry is one job of the matrix: one shard.
type MatrixEntry struct {
	// RunsOn is "self-hosted" and the trials' runner labels.
	RunsOn []string `json:"runs-on"`
	// Shard is "i/n", for assay run --shard.
	Shard string `json:"shard"`
	// Trials is how many trials the shard runs, both sides.
	Trials int `json:"trials"`
	// BaseTrials is how many of them are the base side's: base-commit
	// trials a comparison lacks, run from the base commit's files.
	BaseTrials int `json:"base_trials"`
	// EstimateS is the shard's estimated run time in seconds (its trials
	// one after another); 0 until history gives estimates.
	EstimateS float64 `json:"estimate_s"`
	// Labels are the runner labels joined with commas, for job names.
	Labels string `json:"labels"`
	// Experiments are the names of the experiments the shard runs.
	Experiments []string `json:"experiments"`
}

// Matrix lays the plan's trials out as shards for a GitHub Actions
// matrix: one entry per shard that has trials to run. Shards are numbered
// as Shard numbers them, so entry "i/n" is exactly what
// assay run --shard i/n selects.
func (p *Plan) Matrix(o MatrixOptions) (*Matrix, error) {
	m := &Matrix{Include: []MatrixEntry{}}
	if len(p.allToRun()) == 0 {
		return m, nil
	}
	maxShards := o.MaxShards
	if maxShards <= 0 {
		maxShards = DefaultMaxShards
	}
	if maxShards > MaxMatrixJobs {
		return nil, fmt.Errorf("--max-shards %d is more than the %d jobs GitHub Actions allows in one matrix", maxShards, MaxMatrixJobs)
	}
	if o.ShardSize < 0 {
		return nil, fmt.Errorf("--shard-size %d must be positive", o.ShardSize)
	}
	sel := p.sharded()
	w := p.weights(sel)
	groups := p.groups(sel, w)
	if len(groups) > maxShards {
		return nil, fmt.Errorf("the plan's trials need %d different runner label sets, so at least %d shards (one per label set); raise --max-shards to %d or more",
			len(groups), len(groups), len(groups))
	}
	hi := min(maxShards, len(sel))
	n := hi
	var l *shardLayout
	if o.ShardSize > 0 {
		for c := len(groups); c <= hi; c++ {
			cand, err := layoutGroups(groups, w, c)
			if err != nil {
				return nil, err
			}
			if largestShard(p, cand) <= o.ShardSize {
				n, l = c, cand
				break
			}
		}
	}
	if l == nil {
		var err error
		if l, err = layoutGroups(groups, w, n); err != nil {
			return nil, err
		}
		if o.ShardSize > 0 {
			m.Notes = append(m.Notes, fmt.Sprintf("--shard-size %d cannot be met within %d shards: the largest shard runs %d trials; raise --max-shards",
				o.ShardSize, n, largestShard(p, l)))
		}
	}
	m.Shards = n
	known := len(p.estimates) > 0
	base := map[*spec.Trial]bool{}
	for _, t := range p.BaseToRun() {
		base[t] = true
	}
	for _, g := range l.groups {
		for s := g.first; s < g.first+g.count; s++ {
			trials := l.toRun(p, s)
			if len(trials) == 0 {
				continue
			}
			e := MatrixEntry{
				RunsOn: append([]string{"self-hosted"}, g.labels...),
				Shard:  fmt.Sprintf("%d/%d", s, n),
				Trials: len(trials),
				Labels: joinLabels(g.labels),
			}
			seen := map[string]bool{}
			var est int64
			for _, t := range trials {
				if !seen[t.Experiment] {
					seen[t.Experiment] = true
					e.Experiments = append(e.Experiments, t.Experiment)
				}
				est += w[t]
				if base[t] {
					e.BaseTrials++
				}
			}
			if known {
				e.EstimateS = (time.Duration(est) * time.Millisecond).Seconds()
			}
			m.Include = append(m.Include, e)
		}
	}
	return m, nil
}

func largestShard(p *Plan, l *shardLayout) int {
	counts := map[int]int{}
	most := 0
	for _, t := range p.allToRun() {
		s := l.shard[t]
		counts[s]++
		most = max(most, counts[s])
	}
	return most
}

func joinLabels(labels []string) string {
	out := ""
	for i, l := range labels {
		if i > 0 {
			out += ","
		}
		out += l
	}
	return out
}

package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/assaylab/assay/reporter/compare"
)

// outcome is what one scenario measured over its replicates.
type outcome struct {
	// fail: the pull request's status was failure.
	fail rate
	// hit: the scenario's event (see scenario.hit).
	hit rate
	// labels: "improved" and "regressed" labels per comment.
	labels mean
}

// claim is a target a scenario must meet: a rate (fail or hit) at most or
// at least a value, or the mean number of labels at most a value.
type claim struct {
	what   string // "fail", "hit" or "labels"
	atMost bool
	target float64
}

func (c claim) String() string {
	op := "≥"
	if c.atMost {
		op = "≤"
	}
	if c.what == "labels" {
		return fmt.Sprintf("labels %s %g", op, c.target)
	}
	return fmt.Sprintf("%s %s %g%%", c.what, op, 100*c.target)
}

// scenario is one synthetic situation run through the real comparison.
type scenario struct {
	id, title string
	// fast and full are the replicate counts of `go test` and of
	// make bench-stats.
	fast, full int
	// run measures reps replicates.
	run    func(rng *rand.Rand, reps int) outcome
	hitIs  string // what hit counts, for the table
	claims []claim
}

// measurePR runs reps replicates of w with values v; hit says whether a
// replicate's comparison shows the scenario's event.
func measurePR(w *world, v values, hit func(*compare.Comparison) bool) func(*rand.Rand, int) outcome {
	return func(rng *rand.Rand, reps int) outcome {
		var o outcome
		o.fail.n, o.hit.n = reps, reps
		for range reps {
			c := w.run(rng, v)
			if c.Result == compare.ResultFailure {
				o.fail.k++
			}
			if hit != nil && hit(c) {
				o.hit.k++
			}
			o.labels.add(float64(labels(c)))
		}
		return o
	}
}

// lazyWorld builds a world once, when a scenario first runs.
func lazyWorld(build func() *world) func() *world {
	var w *world
	return func() *world {
		if w == nil {
			w = build()
		}
		return w
	}
}

func pr(build func() *world, v values, hit func(*compare.Comparison) bool) func(*rand.Rand, int) outcome {
	get := lazyWorld(build)
	return func(rng *rand.Rand, reps int) outcome { return measurePR(get(), v, hit)(rng, reps) }
}

// regressed: the first experiment's headline val_acc regressed and the
// status failed.
func regressed(c *compare.Comparison) bool {
	return c.Result == compare.ResultFailure && headlineVerdict(c, "exp-01", "val_acc") == compare.Regressed
}

// accLabel: any val_acc label, improved or regressed, in the comment.
func accLabel(c *compare.Comparison) bool {
	for _, e := range c.Experiments {
		rows := append([]*compare.Row{e.Headline}, e.Configs...)
		for _, r := range rows {
			if r == nil {
				continue
			}
			for _, m := range r.Metrics {
				if m.Name == "val_acc" && (m.Verdict == compare.Improved || m.Verdict == compare.Regressed) {
					return true
				}
			}
		}
	}
	return false
}

// uncorrected: any config of the first experiment would have been
// labelled "regressed" by its own test at α = 0.05, uncorrected (raw p,
// against the goal, beyond tolerance), on the named metrics: what a
// per-config status would do.
func uncorrected(metrics ...string) func(*compare.Comparison) bool {
	return func(c *compare.Comparison) bool {
		for _, e := range c.Experiments {
			for _, r := range e.Configs {
				for _, m := range r.Metrics {
					if !slices.Contains(metrics, m.Name) || m.Test == nil || m.Test.P >= 0.05 || m.Delta == nil {
						continue
					}
					d := compare.RoundSig(*m.Delta, compare.DeltaDigits)
					against := (m.Goal == "maximize" && d < 0) || (m.Goal == "minimize" && d > 0)
					if against && math.Abs(d) > m.Tolerance {
						return true
					}
				}
			}
		}
		return false
	}
}

// scenarios are the situations the guarantees of docs/compare.md are
// stated for, with their targets.
func scenarios() []scenario {
	var out []scenario
	out = append(out,
		scenario{
			id: "uncorrected-1x12-acc", title: "A/A, one 12-config sweep, n = 3: twelve uncorrected tests of val_acc",
			fast: 0, full: 10000, hitIs: "a config would be \"regressed\"",
			run: pr(func() *world { return prWorld(1, 12, 3) }, aa(normal), uncorrected("val_acc")),
		},
		scenario{
			id: "uncorrected-1x12-both", title: "the same, val_acc and train_loss: 24 uncorrected tests",
			fast: 0, full: 10000, hitIs: "a config would be \"regressed\"",
			run: pr(func() *world { return prWorld(1, 12, 3) }, aa(normal), uncorrected("val_acc", "train_loss")),
		},
	)
	for _, n := range []int{3, 5, 10} {
		sc := scenario{
			id:    fmt.Sprintf("aa-40x12x2-n%d", n),
			title: fmt.Sprintf("A/A, 40 experiments × 12 configs × 2 metrics, n = %d", n),
			fast:  0, full: 2000,
			run: pr(func() *world { return prWorld(40, 12, n) }, aa(normal), nil),
		}
		if n == 5 {
			sc.fast, sc.full = 200, 4000
			sc.claims = []claim{{"fail", true, 0.05}, {"labels", true, 0.1}}
		}
		out = append(out, sc)
	}
	out = append(out,
		scenario{
			id: "aa-40x12x2-n5-t3", title: "A/A as above, heavy tails (t, 3 df), n = 5",
			fast: 60, full: 2000,
			run:    pr(func() *world { return prWorld(40, 12, 5) }, aa(studentT3), nil),
			claims: []claim{{"fail", true, 0.05}, {"labels", true, 0.1}},
		},
		scenario{
			id: "aa-40x1x2-n3", title: "A/A, 40 experiments × 1 config × 2 metrics, n = 3",
			fast: 0, full: 10000,
			run: pr(func() *world { return prWorld(40, 1, 3) }, aa(normal), nil),
		},
		scenario{
			id: "worse-40x12x2-n5", title: "one experiment 2σ worse (all 12 configs) among 40 A/A, n = 5",
			fast: 40, full: 2000, hitIs: "its headline regressed",
			run:    pr(func() *world { return prWorld(40, 12, 5) }, worse(normal, 0, 2), regressed),
			claims: []claim{{"fail", false, 0.8}, {"hit", false, 0.8}},
		},
		scenario{
			id: "worse-40x12x2-n3", title: "the same at n = 3",
			fast: 0, full: 2000, hitIs: "its headline regressed",
			run: pr(func() *world { return prWorld(40, 12, 3) }, worse(normal, 0, 2), regressed),
		},
		scenario{
			id: "worse-40x1x2-n5", title: "one single-config experiment 2σ worse among 40 A/A, n = 5",
			fast: 0, full: 10000, hitIs: "its headline regressed",
			run: pr(func() *world { return prWorld(40, 1, 5) }, worse(normal, 0, 2), regressed),
		},
	)
	for _, n := range []int{3, 5, 10} {
		out = append(out, scenario{
			id: fmt.Sprintf("worse-1x1x2-n%d", n), title: fmt.Sprintf("a PR of one single-config experiment, 2σ worse, n = %d", n),
			fast: 0, full: 10000, hitIs: "its headline regressed",
			run: pr(func() *world { return prWorld(1, 1, n) }, worse(normal, 0, 2), regressed),
		})
	}
	for _, n := range []int{5, 10} {
		sc := scenario{
			id: fmt.Sprintf("diverged-1x1x2-n%d", n), title: fmt.Sprintf("diverged seeds (20%%), main mode 2σ worse, one experiment, n = %d", n),
			fast: 0, full: 10000, hitIs: "its headline regressed",
			run: pr(func() *world { return prWorld(1, 1, n) }, diverging(0.2, 2), regressed),
		}
		if n == 10 {
			sc.fast = 300
			sc.claims = []claim{{"fail", false, 0.6}}
		}
		out = append(out, sc)
		sc = scenario{
			id: fmt.Sprintf("diverged-aa-1x1x2-n%d", n), title: fmt.Sprintf("diverged seeds (20%%), A/A, one experiment, n = %d", n),
			fast: 0, full: 10000, hitIs: "any val_acc label",
			run: pr(func() *world { return prWorld(1, 1, n) }, diverging(0.2, 0), accLabel),
		}
		if n == 10 {
			sc.fast = 300
			sc.claims = []claim{{"fail", true, 0.05}, {"hit", true, 0.05}}
		}
		out = append(out, sc)
	}
	out = append(out, scenario{
		id: "diverged-aa-40x12x2-n10", title: "diverged seeds (20%), A/A, 40 experiments × 12 configs, n = 10",
		fast: 0, full: 1000,
		run: pr(func() *world { return prWorld(40, 12, 10) }, diverging(0.2, 0), nil),
	})
	for _, p := range []float64{0.9, 0.985} {
		for _, n := range []int{2, 3, 5} {
			out = append(out, scenario{
				id:    fmt.Sprintf("discrete-%g-n%d", p, n),
				title: fmt.Sprintf("accuracy on 100 examples (true %g), A/A, one experiment, n = %d", p, n),
				fast:  400, full: 20000, hitIs: "any val_acc label",
				run:    pr(func() *world { return prWorld(1, 1, n) }, discrete(100, p), accLabel),
				claims: []claim{{"hit", true, 0.05}, {"fail", true, 0.05}},
			})
		}
	}
	out = append(out, scenario{
		id: "discrete-40x12x2-n3", title: "accuracy on 100 examples (true 0.9), A/A, 40 experiments × 12 configs, n = 3",
		fast: 0, full: 1000,
		run: pr(func() *world { return prWorld(40, 12, 3) }, discrete(100, 0.9), nil),
	})
	for _, n := range []int{3, 5} {
		out = append(out, scenario{
			id: fmt.Sprintf("narrow-n%d", n), title: fmt.Sprintf("a 12-config sweep narrowed to base's best config, rerun, A/A, n = %d", n),
			fast: 0, full: 10000,
			run: narrowing(n),
		})
	}
	for _, k := range []float64{0, 2} {
		title := "quickstart-like: one lr value of a 2-config sweep replaced, A/A, n = 3"
		if k > 0 {
			title = "the same, the replacing config 2σ worse"
		}
		out = append(out, scenario{
			id: fmt.Sprintf("replaced-%g", k), title: title, hitIs: "its headline regressed",
			fast: 0, full: 10000,
			run: replaced(3, k),
		})
	}
	return out
}

// narrowing is a pull request that keeps only the config base ranked best
// of a 12-config sweep and reruns it (its key changed with the inputs):
// the winner's curse makes the rerun look worse.
func narrowing(n int) func(*rand.Rand, int) outcome {
	var w *world
	var heads []*compare.SideInput
	lrs := lrValues(12, 0)
	return func(rng *rand.Rand, reps int) outcome {
		if w == nil {
			w = newWorld()
			src := experimentSrc("exp-01", lrs, n)
			base := loadSide(src, "exp-01", "base")
			for i := range lrs {
				heads = append(heads, loadSide(experimentSrc("exp-01", lrs[i:i+1], n), "exp-01", "head"))
			}
			w.add("exp-01", base, nil)
			for i, h := range heads {
				w.add(fmt.Sprint("head-", i), nil, h)
			}
			w.in.Experiments = w.in.Experiments[:1]
		}
		var o outcome
		o.fail.n, o.hit.n = reps, reps
		for range reps {
			v := aa(normal)
			sums := make([]float64, 12)
			for _, s := range w.slots {
				acc, loss := v(rng, s)
				s.res.Metrics["val_acc"], s.res.Metrics["train_loss"] = acc, loss
				if !s.head {
					sums[s.cfg] += acc
				}
			}
			best := 0
			for i := range sums {
				if sums[i] > sums[best] {
					best = i
				}
			}
			// A head config's level is its base config's.
			for _, s := range w.slots {
				if s.head && s.exp == 1+best {
					acc, loss := v(rng, &slot{exp: 0, cfg: best})
					s.res.Metrics["val_acc"], s.res.Metrics["train_loss"] = acc, loss
				}
			}
			w.in.Experiments[0].Head = heads[best]
			c, err := compare.Compare(w.in)
			if err != nil {
				panic(err)
			}
			if c.Result == compare.ResultFailure {
				o.fail.k++
			}
			o.labels.add(float64(labels(c)))
		}
		return o
	}
}

// replaced is the quickstart's change: a 2-config sweep whose first lr
// value changes; the other config keeps its key (same inputs), the new one
// is tested against the one it replaced, k σ worse.
func replaced(n int, k float64) func(*rand.Rand, int) outcome {
	get := lazyWorld(func() *world {
		w := newWorld()
		base := loadSide(experimentSrc("exp-01", []string{"0.1", "0.03"}, n), "exp-01", "same")
		head := loadSide(experimentSrc("exp-01", []string{"0.3", "0.03"}, n), "exp-01", "same")
		w.add("exp-01", base, head)
		return w
	})
	return func(rng *rand.Rand, reps int) outcome {
		w := get()
		v := func(rng *rand.Rand, s *slot) (float64, float64) {
			acc, loss := accLevel(&slot{}), lossLevel(&slot{})
			acc, loss = acc+accSD*rng.NormFloat64(), loss+lossSD*rng.NormFloat64()
			if s.head && s.res.Params["lr"] == 0.3 {
				acc -= k * accSD
			}
			return acc, loss
		}
		return measurePR(w, v, regressed)(rng, reps)
	}
}

// selected returns the scenarios whose id is in ids (all when empty).
func selected(all []scenario, ids []string) []scenario {
	if len(ids) == 0 {
		return all
	}
	var out []scenario
	for _, s := range all {
		if slices.Contains(ids, s.id) {
			out = append(out, s)
		}
	}
	return out
}

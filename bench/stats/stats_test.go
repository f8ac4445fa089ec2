package main

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/assaylab/assay/reporter/drift"
)

// impossible is the probability below which a count refutes a target: a
// correct implementation fails this test less than once in a million
// runs of any seed, however the replicates fall.
const impossible = 1e-6

// TestTargets runs every scenario that carries a target with its fast
// replicate count and checks the target with a one-sided test: the run
// fails only when the count is impossible under the target. The figures
// of docs/compare.md come from the full run (make bench-stats).
func TestTargets(t *testing.T) {
	for _, s := range scenarios() {
		if s.fast == 0 || len(s.claims) == 0 {
			continue
		}
		t.Run(s.id, func(t *testing.T) {
			o := s.run(stream(16, s.id), s.fast)
			t.Logf("%s: status fails %s; labels per comment %s", s.title, o.fail, o.labels)
			if s.hitIs != "" {
				t.Logf("%s: %s", s.hitIs, o.hit)
			}
			for _, c := range s.claims {
				var p float64
				switch c.what {
				case "labels":
					// Labels are counted per comment; their sum over the
					// replicates is taken as Poisson, which the full run's
					// spread supports (variance ≈ mean).
					p = distuv.Poisson{Lambda: c.target * float64(o.labels.n)}.Survival(o.labels.sum - 1)
				default:
					r := o.fail
					if c.what == "hit" {
						r = o.hit
					}
					if c.atMost {
						p = binomialUpper(r.k, r.n, c.target)
					} else {
						p = binomialLower(r.k, r.n, c.target)
					}
				}
				if p < impossible {
					t.Errorf("%s: target %s refuted (p = %.2g)", s.id, c, p)
				}
			}
		})
	}
	for _, s := range driftScenarios() {
		if s.fast == 0 || s.target == 0 {
			continue
		}
		t.Run(s.id, func(t *testing.T) {
			d := s.run(stream(16, s.id), s.fast)
			t.Logf("%s: %s", s.title, d)
			var p float64
			if s.atMost {
				p = distuv.Poisson{Lambda: s.target * float64(d.issues.n)}.Survival(d.issues.sum - 1)
			} else {
				p = binomialLower(d.rate.k, d.rate.n, s.target)
			}
			if p < impossible {
				t.Errorf("%s: target refuted (p = %.2g): %s", s.id, p, d)
			}
		})
	}
}

// The harness replays the nightly job from JudgeAll; it must say, night
// by night, what Rule.Evaluate says the morning after.
func TestFindingsReplayEvaluate(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 7))
	series := canary{seeds: 3}.nights(rng, 60, 40, 4)
	got := findings(drift.Rule{}, series)
	for n := range got {
		cut := make([]drift.Series, len(series))
		for i, s := range series {
			cut[i] = s
			cut[i].Nights = s.Nights[:n+1]
		}
		if want := (drift.Rule{}).Evaluate("canary", cut).Verdict; got[n] != want {
			t.Fatalf("night %d: replay says %s, Evaluate %s", n, got[n], want)
		}
	}
	if got[45] != drift.Drifting {
		t.Errorf("a 4σ drop is %s on its sixth night", got[45])
	}
}

func TestWilson(t *testing.T) {
	// Wilson's interval for 0 of 10 and 5 of 10 (Newcombe 1998, table I).
	for _, c := range []struct {
		r      rate
		lo, hi float64
	}{{rate{0, 10}, 0, 0.2775}, {rate{5, 10}, 0.2366, 0.7634}} {
		lo, hi := c.r.wilson()
		if diff(lo, c.lo) > 5e-4 || diff(hi, c.hi) > 5e-4 {
			t.Errorf("%d/%d: [%.4f, %.4f], want [%.4f, %.4f]", c.r.k, c.r.n, lo, hi, c.lo, c.hi)
		}
	}
}

func diff(a, b float64) float64 {
	if a > b {
		return a - b
	}
	return b - a
}

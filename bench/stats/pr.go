package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing/fstest"
	"time"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// template declares the metrics every synthetic experiment judges: the
// quickstart's template, val_acc with a tolerance and train_loss without.
const template = `
template "train" {
  runner {
    labels = ["gpu"]
    gpus   = 1
  }
  metric "val_acc" {
    goal      = "maximize"
    summary   = "max"
    tolerance = 0.005
  }
  metric "train_loss" {
    goal = "minimize"
  }
}
`

// Commits of the synthetic sides.
var (
	baseRef = compare.Ref{Name: "main", Commit: strings.Repeat("1", 40)}
	headRef = compare.Ref{Name: "change", Commit: strings.Repeat("2", 40)}
)

// experimentSrc is one experiment sweeping lr over the given values with
// seeds 1..n; one value means no sweep.
func experimentSrc(name string, lrs []string, seeds int) string {
	ss := make([]string, seeds)
	for i := range ss {
		ss[i] = fmt.Sprint(i + 1)
	}
	sweep := ""
	if len(lrs) > 1 {
		sweep = fmt.Sprintf("sweep {\n    param \"lr\" { values = [%s] }\n  }", strings.Join(lrs, ", "))
	}
	return fmt.Sprintf(`
experiment %q {
  extends = template.train
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
  params  = { lr = %s }
  %s
  seeds   = [%s]
}
`, name, lrs[0], sweep, strings.Join(ss, ", "))
}

// lrValues are n distinct learning rates.
func lrValues(n int, offset int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("0.%03d", 100+i+offset)
	}
	return out
}

// loadSide decodes src (after the template) and expands experiment name at
// the given inputs fingerprint, exactly as the plan would.
func loadSide(src, name, inputs string) *compare.SideInput {
	fsys := fstest.MapFS{"experiments/spec.hcl": &fstest.MapFile{Data: []byte(template + src)}}
	p, diags := spec.Load(fsys, spec.LoadOptions{})
	if diags.HasErrors() {
		panic(diags.Error())
	}
	for _, e := range p.Experiments {
		if e.Name == name {
			ts, diags := e.Trials(inputs)
			if diags.HasErrors() {
				panic(diags.Error())
			}
			return &compare.SideInput{Spec: e, Trials: ts}
		}
	}
	panic("no experiment " + name)
}

// slot is one trial's recorded run, whose metrics each replicate rewrites.
type slot struct {
	exp, cfg, seed int
	head           bool
	res            *runner.Result
}

// world is a synthetic pull request: its comparison input and one run per
// trial, reused from replicate to replicate.
type world struct {
	in    compare.Input
	slots []*slot
	runs  map[string][]*runner.Result
}

func newWorld() *world {
	w := &world{runs: map[string][]*runner.Result{}}
	w.in = compare.Input{Base: baseRef, Head: headRef, PR: 1, Lookup: func(k string) []*runner.Result { return w.runs[k] }}
	return w
}

// add adds an experiment's two sides and a run slot for each trial.
func (w *world) add(name string, base, head *compare.SideInput) {
	exp := len(w.in.Experiments)
	w.in.Experiments = append(w.in.Experiments, compare.ExperimentInput{Name: name, Base: base, Head: head})
	for _, side := range []*compare.SideInput{base, head} {
		if side == nil {
			continue
		}
		isHead := side == head
		ref := baseRef
		if isHead {
			ref = headRef
		}
		for _, t := range side.Trials {
			if len(w.runs[t.Key]) > 0 {
				continue // the same trial on both sides: one record
			}
			r := &runner.Result{
				Schema: runner.ResultSchema, RunID: fmt.Sprintf("r%06d", len(w.slots)), TrialKey: t.Key,
				Experiment: name, Params: t.Params, Seed: t.Seed, Status: runner.StatusSucceeded,
				Metrics: map[string]float64{}, Started: time.Unix(0, 0), Finished: time.Unix(60, 0), DurationS: 60,
				GPUs: []string{"0"}, SourceCommit: ref.Commit, Trigger: runner.TriggerPR,
			}
			w.runs[t.Key] = []*runner.Result{r}
			w.slots = append(w.slots, &slot{exp: exp, cfg: t.Config, seed: int(t.Seed), head: isHead, res: r})
		}
	}
}

// prWorld is a pull request touching experiments experiments of configs
// configs and seeds seeds each, where every trial key changed (as a change
// to shared code makes them).
func prWorld(experiments, configs, seeds int) *world {
	w := newWorld()
	var src strings.Builder
	names := make([]string, experiments)
	for i := range names {
		names[i] = fmt.Sprintf("exp-%02d", i+1)
		src.WriteString(experimentSrc(names[i], lrValues(configs, 0), seeds))
	}
	for _, name := range names {
		w.add(name, loadSide(src.String(), name, "base"), loadSide(src.String(), name, "head"))
	}
	return w
}

// values draws one run's metrics.
type values func(rng *rand.Rand, s *slot) (acc, loss float64)

// fill draws every slot's metrics.
func (w *world) fill(rng *rand.Rand, v values) {
	for _, s := range w.slots {
		acc, loss := v(rng, s)
		s.res.Metrics["val_acc"], s.res.Metrics["train_loss"] = acc, loss
	}
}

// run compares one replicate.
func (w *world) run(rng *rand.Rand, v values) *compare.Comparison {
	w.fill(rng, v)
	c, err := compare.Compare(w.in)
	if err != nil {
		panic(err)
	}
	return c
}

// labels counts the "improved" and "regressed" labels a comment shows:
// every headline and config metric, each row once.
func labels(c *compare.Comparison) int {
	n := 0
	for _, e := range c.Experiments {
		rows := e.Configs
		if e.Headline != nil && (len(rows) == 0 || rows[0] != e.Headline) {
			rows = append([]*compare.Row{e.Headline}, rows...)
		}
		for _, r := range rows {
			for _, m := range r.Metrics {
				if m.Verdict == compare.Improved || m.Verdict == compare.Regressed {
					n++
				}
			}
		}
	}
	return n
}

// headlineVerdict is the verdict of metric on experiment name's headline.
func headlineVerdict(c *compare.Comparison, name, metric string) compare.Verdict {
	for _, e := range c.Experiments {
		if e.Name != name || e.Headline == nil {
			continue
		}
		for _, m := range e.Headline.Metrics {
			if m.Name == metric {
				return m.Verdict
			}
		}
	}
	return ""
}

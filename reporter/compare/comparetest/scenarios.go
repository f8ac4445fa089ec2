package comparetest

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// The refs every scenario compares.
var (
	BaseRef = compare.Ref{Name: "main", Commit: "1111111111111111111111111111111111111111"}
	HeadRef = compare.Ref{Name: "feature", Commit: "2222222222222222222222222222222222222222"}
)

// PR is the pull request every scenario belongs to.
const PR = 42

// Template is the metric and runner template the scenarios extend.
const Template = `
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
  metric "throughput" {
    pattern = "imgs/s=([0-9.]+)"
  }
}
`

// Scenario is a named comparison input.
type Scenario struct {
	Name  string
	Input func(t testing.TB) compare.Input
}

// Scenarios are the cases every renderer's golden files cover.
func Scenarios() []Scenario {
	return []Scenario{
		{"single", Single},
		{"sweep", Sweep},
		{"regression", Regression},
		{"missing", MissingBaseline},
		{"failures", Failures},
		{"n1", SingleSeed},
		{"edges", Edges},
		{"added_removed", AddedRemoved},
		{"forty", Forty},
		{"replaced", Replaced},
		{"extremes", Extremes},
	}
}

// builder assembles one scenario's input.
type builder struct {
	t     testing.TB
	store *Store
	in    compare.Input
}

func newBuilder(t testing.TB) *builder {
	s := NewStore()
	return &builder{t: t, store: s, in: compare.Input{
		Base: BaseRef, Head: HeadRef, PR: PR, Lookup: s.Lookup, LogTail: s.LogTail,
	}}
}

// experiment adds an experiment whose base and head specs are the given
// HCL bodies (after the shared template); "" leaves that side out.
func (b *builder) experiment(name, baseSrc, headSrc string) (base, head *compare.SideInput) {
	ei := compare.ExperimentInput{Name: name}
	if baseSrc != "" {
		ei.Base = Side(b.t, Load(b.t, Template+baseSrc)[name], "inputs-base")
	}
	if headSrc != "" {
		ei.Head = Side(b.t, Load(b.t, Template+headSrc)[name], "inputs-head")
	}
	b.in.Experiments = append(b.in.Experiments, ei)
	return ei.Base, ei.Head
}

// values maps a trial to its metrics, or nil to record nothing.
type values func(t *spec.Trial) map[string]float64

// record records a succeeded run of every trial of side at a commit.
func (b *builder) record(side *compare.SideInput, ref compare.Ref, v values) {
	for _, t := range side.Trials {
		m := v(t)
		if m == nil {
			continue
		}
		b.store.Record(t, b.run(ref, m))
	}
}

func (b *builder) run(ref compare.Ref, m map[string]float64) Run {
	r := Run{Metrics: m, Commit: ref.Commit, GPUs: 1, Duration: 50 * time.Minute, Trigger: runner.TriggerPush}
	if ref == HeadRef {
		r.Trigger, r.PR = runner.TriggerPR, PR
	}
	return r
}

// bySeed picks the value for a trial's seed (seeds count from 1).
func bySeed(t *spec.Trial, vals ...float64) float64 { return vals[(int(t.Seed)-1)%len(vals)] }

func metrics3(t *spec.Trial, acc, loss, tput []float64) map[string]float64 {
	return map[string]float64{"val_acc": bySeed(t, acc...), "train_loss": bySeed(t, loss...), "throughput": bySeed(t, tput...)}
}

const resnet = `
experiment "resnet18" {
  extends = template.train
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
  params  = { lr = %s, batch_size = 128 }
  seeds   = [1, 2, 3]
}
`

// Single is one experiment with one config whose lr changed: the configs
// pair although their params differ; accuracy improves.
func Single(t testing.TB) compare.Input {
	b := newBuilder(t)
	base, head := b.experiment("resnet18", fmt.Sprintf(resnet, "0.1"), fmt.Sprintf(resnet, "0.03"))
	b.record(base, BaseRef, func(t *spec.Trial) map[string]float64 {
		return metrics3(t, []float64{0.912, 0.915, 0.910}, []float64{0.310, 0.300, 0.320}, []float64{1200, 1210, 1190})
	})
	b.record(head, HeadRef, func(t *spec.Trial) map[string]float64 {
		return metrics3(t, []float64{0.921, 0.925, 0.919}, []float64{0.305, 0.310, 0.300}, []float64{1100, 1105, 1098})
	})
	return b.in
}

const sweepSpec = `
experiment "resnet-sweep" {
  extends  = template.train
  command  = ["python", "train.py", "--lr=${param.lr}", "--bs=${param.batch_size}", "--seed=${seed}"]
  params   = { lr = 0.1, batch_size = 128 }
  schedule = "nightly"
  sweep {
    param "lr"         { values = [%s] }
    param "batch_size" { values = [64, 128] }
  }
  seeds = [1, 2, 3]
}
`

// Sweep is a 2×2 grid whose lr values change from [0.1, 0.03] to
// [0.1, 0.01]: two configs pair (and are reused, same keys), one is new,
// one removed; the best config of each side makes the headline, and the
// base's best has a week of nightly history.
func Sweep(t testing.TB) compare.Input {
	b := newBuilder(t)
	baseSrc, headSrc := fmt.Sprintf(sweepSpec, "0.1, 0.03"), fmt.Sprintf(sweepSpec, "0.1, 0.01")
	ei := compare.ExperimentInput{Name: "resnet-sweep"}
	// Same inputs fingerprint at both sides: the lr=0.1 trials keep their
	// keys, so head reuses base's records.
	ei.Base = Side(t, Load(t, Template+baseSrc)["resnet-sweep"], "inputs")
	ei.Head = Side(t, Load(t, Template+headSrc)["resnet-sweep"], "inputs")
	b.in.Experiments = append(b.in.Experiments, ei)
	acc := map[string]float64{
		`{"batch_size":64,"lr":0.1}`: 0.900, `{"batch_size":128,"lr":0.1}`: 0.895,
		`{"batch_size":64,"lr":0.03}`: 0.915, `{"batch_size":128,"lr":0.03}`: 0.910,
		`{"batch_size":64,"lr":0.01}`: 0.925, `{"batch_size":128,"lr":0.01}`: 0.918,
	}
	v := func(t *spec.Trial) map[string]float64 {
		a := acc[t.ParamsJSON] + bySeed(t, 0.002, -0.001, 0.0)
		return map[string]float64{"val_acc": a, "train_loss": 1 - a + bySeed(t, 0.01, 0.02, 0.015), "throughput": 1000 + 100*bySeed(t, 1, 2, 3)}
	}
	b.record(ei.Base, BaseRef, v)
	for _, tr := range ei.Head.Trials {
		if len(b.store.Lookup(tr.Key)) == 0 {
			b.store.Record(tr, b.run(HeadRef, v(tr)))
		}
	}
	// Nightly reruns of the base's best config, drifting down.
	for day := range 7 {
		for _, tr := range ei.Base.Trials {
			if tr.ParamsJSON != `{"batch_size":64,"lr":0.03}` {
				continue
			}
			b.store.Record(tr, Run{
				Metrics: map[string]float64{"val_acc": 0.918 - 0.001*float64(day) + bySeed(tr, 0.001, 0, -0.001), "train_loss": 0.1},
				Commit:  BaseRef.Commit, Trigger: runner.TriggerSchedule, GPUs: 1, Duration: 50 * time.Minute,
				Started: Epoch.AddDate(0, 0, -7+day).Add(time.Duration(tr.Seed) * time.Hour),
			})
		}
	}
	return b.in
}

const resnetCmd = `
experiment "resnet18" {
  extends = template.train
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"%s]
  params  = { lr = 0.1, batch_size = 128 }
  seeds   = [1, 2, 3]
}
`

// Regression changes the command (same params): accuracy drops by 0.022,
// far beyond the 0.005 tolerance, so the check fails.
func Regression(t testing.TB) compare.Input {
	b := newBuilder(t)
	base, head := b.experiment("resnet18", fmt.Sprintf(resnetCmd, ""), fmt.Sprintf(resnetCmd, `, "--aug=none"`))
	b.record(base, BaseRef, func(t *spec.Trial) map[string]float64 {
		return metrics3(t, []float64{0.912, 0.915, 0.910}, []float64{0.310, 0.300, 0.320}, []float64{1200, 1210, 1190})
	})
	b.record(head, HeadRef, func(t *spec.Trial) map[string]float64 {
		return metrics3(t, []float64{0.890, 0.893, 0.888}, []float64{0.330, 0.340, 0.335}, []float64{1300, 1290, 1310})
	})
	return b.in
}

const envSpec = `
experiment "%s" {
  extends = template.train
  command = ["python", "train.py", "--seed=${seed}"]
  env     = { DATASET = "%s" }
  seeds   = [1, 2, 3]
}
`

// MissingBaseline has an experiment whose base was never run and another
// whose head is one seed short: both name the command that fills the gap.
func MissingBaseline(t testing.TB) compare.Input {
	b := newBuilder(t)
	_, head := b.experiment("vit", fmt.Sprintf(envSpec, "vit", "imagenet-1k"), fmt.Sprintf(envSpec, "vit", "imagenet-21k"))
	b.record(head, HeadRef, func(t *spec.Trial) map[string]float64 {
		return metrics3(t, []float64{0.81, 0.82, 0.815}, []float64{0.6, 0.61, 0.59}, []float64{300, 305, 298})
	})
	base2, head2 := b.experiment("bert", fmt.Sprintf(envSpec, "bert", "wiki"), fmt.Sprintf(envSpec, "bert", "books"))
	b.record(base2, BaseRef, func(t *spec.Trial) map[string]float64 {
		return metrics3(t, []float64{0.88, 0.881, 0.879}, []float64{0.4, 0.41, 0.39}, []float64{500, 505, 498})
	})
	b.record(head2, HeadRef, func(t *spec.Trial) map[string]float64 {
		if t.Seed == 3 {
			return nil
		}
		return metrics3(t, []float64{0.884, 0.885}, []float64{0.39, 0.4}, []float64{501, 499})
	})
	return b.in
}

// Failures has head trials that failed and timed out, with log tails full
// of characters markdown must escape, and a second experiment whose base
// crashed and whose head fixes it (not an error).
func Failures(t testing.TB) compare.Input {
	b := newBuilder(t)
	base, head := b.experiment("gpt-small", fmt.Sprintf(envSpec, "gpt-small", "owt"), fmt.Sprintf(envSpec, "gpt-small", "owt2"))
	b.record(base, BaseRef, func(t *spec.Trial) map[string]float64 {
		return metrics3(t, []float64{0.41, 0.42, 0.415}, []float64{3.1, 3.0, 3.05}, []float64{80, 81, 79})
	})
	for _, tr := range head.Trials {
		r := b.run(HeadRef, metrics3(tr, []float64{0.43}, []float64{2.9}, []float64{82}))
		switch tr.Seed {
		case 2:
			r.Status, r.ExitCode, r.Metrics = runner.StatusFailed, 1, nil
			r.Log = "step 120 | loss=2.95\nTraceback (most recent call last):\n  File \"train.py\", line 88, in <module>\n    x = model(batch)  # `batch` was <None>\n```\nRuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB | 79.2 GiB total\n"
		case 3:
			r.Status, r.ExitCode, r.Metrics = runner.StatusTimedOut, -1, nil
			r.Log = "step 9000 | loss=2.90\nkilled after 2h0m0s (timeout)\n"
		}
		b.store.Record(tr, r)
	}
	base2, head2 := b.experiment("lstm", fmt.Sprintf(envSpec, "lstm", "ptb"), fmt.Sprintf(envSpec, "lstm", "ptb-fixed"))
	for _, tr := range base2.Trials {
		r := b.run(BaseRef, metrics3(tr, []float64{0.61, 0.62, 0.615}, []float64{1.1, 1.2, 1.15}, []float64{50}))
		if tr.Seed == 1 {
			r.Status, r.ExitCode, r.Metrics = runner.StatusFailed, 137, nil
			r.Log = "Killed\n"
		}
		b.store.Record(tr, r)
	}
	b.record(head2, HeadRef, func(t *spec.Trial) map[string]float64 {
		return metrics3(t, []float64{0.66, 0.665, 0.662}, []float64{1.0, 1.05, 1.02}, []float64{51, 52, 50})
	})
	return b.in
}

const oneSeed = `
experiment "%s" {
  extends = template.train
  command = ["python", "train.py", "--lr=${param.lr}"]
  params  = { lr = %s }
  %s
}
`

// SingleSeed compares one seed against one seed, and one against three:
// no p-value is possible, the verdict is inconclusive and says why.
func SingleSeed(t testing.TB) compare.Input {
	b := newBuilder(t)
	base, head := b.experiment("mlp", fmt.Sprintf(oneSeed, "mlp", "0.1", ""), fmt.Sprintf(oneSeed, "mlp", "0.05", ""))
	b.record(base, BaseRef, func(*spec.Trial) map[string]float64 {
		return map[string]float64{"val_acc": 0.91, "train_loss": 0.3, "throughput": 2000}
	})
	b.record(head, HeadRef, func(*spec.Trial) map[string]float64 {
		return map[string]float64{"val_acc": 0.85, "train_loss": 0.35, "throughput": 2100}
	})
	base2, head2 := b.experiment("cnn", fmt.Sprintf(oneSeed, "cnn", "0.1", ""), fmt.Sprintf(oneSeed, "cnn", "0.1", "seeds = [1, 2, 3]"))
	b.record(base2, BaseRef, func(*spec.Trial) map[string]float64 {
		return map[string]float64{"val_acc": 0.80, "train_loss": 0.5, "throughput": 900}
	})
	b.record(head2, HeadRef, func(t *spec.Trial) map[string]float64 {
		return metrics3(t, []float64{0.79, 0.81, 0.80}, []float64{0.5, 0.52, 0.51}, []float64{905, 899, 902})
	})
	return b.in
}

const edgeSpec = `
experiment "%s" {
  extends = template.train
  command = ["python", "train.py", "--arch=${param.arch}", "--seed=${seed}"]
  params  = { arch = %q }
  env     = { RUN = "%s" }
  seeds   = [1, 2, 3]
}
`

// Edges covers the statistics' corner cases, each as its own experiment:
// constant samples that differ (deterministic training: a real
// difference), constant samples one float apart (no difference), constant
// samples one step apart on a coarse grid (not significant), identical
// varying samples (p = 1), one side constant, a NaN and an absent value, a
// significant drop within tolerance, and params full of markdown.
func Edges(t testing.TB) compare.Input {
	b := newBuilder(t)
	pair := func(name, arch string, baseVals, headVals map[string][]float64) {
		base, head := b.experiment(name, fmt.Sprintf(edgeSpec, name, arch, "a"), fmt.Sprintf(edgeSpec, name, arch, "b"))
		pick := func(vals map[string][]float64) values {
			return func(t *spec.Trial) map[string]float64 {
				out := map[string]float64{"train_loss": 0.25, "throughput": 1000}
				for k, vs := range vals {
					if v := bySeed(t, vs...); math.IsInf(v, -1) {
						delete(out, k)
					} else {
						out[k] = v
					}
				}
				return out
			}
		}
		b.record(base, BaseRef, pick(baseVals))
		b.record(head, HeadRef, pick(headVals))
	}
	absent := math.Inf(-1) // a value the run does not report at all
	pair("deterministic", "resnet", map[string][]float64{"val_acc": {0.9137}, "train_loss": {0.2}}, map[string][]float64{"val_acc": {0.8921}, "train_loss": {0.2}})
	pair("one-ulp", "resnet", map[string][]float64{"val_acc": {0.9417}}, map[string][]float64{"val_acc": {0.9416999999999999}})
	pair("coarse-grid", "resnet", map[string][]float64{"val_acc": {0.99}}, map[string][]float64{"val_acc": {0.98}})
	pair("identical", "resnet", map[string][]float64{"val_acc": {0.91, 0.92, 0.93}}, map[string][]float64{"val_acc": {0.91, 0.92, 0.93}})
	pair("one-side-constant", "resnet", map[string][]float64{"val_acc": {0.9}}, map[string][]float64{"val_acc": {0.91, 0.92, 0.93}})
	pair("nan", "resnet", map[string][]float64{"val_acc": {0.91, 0.92, 0.93}, "train_loss": {0.3, 0.31, 0.32}},
		map[string][]float64{"val_acc": {math.NaN(), 0.92, 0.93}, "train_loss": {0.3, absent, 0.31}})
	pair("within-tolerance", "resnet", map[string][]float64{"val_acc": {0.9100, 0.9101, 0.9099}}, map[string][]float64{"val_acc": {0.9070, 0.9071, 0.9069}})
	pair("markup", "res|net `x` <b>&", map[string][]float64{"val_acc": {0.5, 0.51, 0.52}}, map[string][]float64{"val_acc": {0.5, 0.51, 0.52}})
	return b.in
}

// AddedRemoved has an experiment only head declares and one only base
// declares.
func AddedRemoved(t testing.TB) compare.Input {
	b := newBuilder(t)
	_, head := b.experiment("new-exp", "", fmt.Sprintf(envSpec, "new-exp", "x"))
	b.record(head, HeadRef, func(t *spec.Trial) map[string]float64 {
		return metrics3(t, []float64{0.7, 0.71, 0.72}, []float64{0.5, 0.49, 0.48}, []float64{100, 101, 99})
	})
	base, _ := b.experiment("old-exp", fmt.Sprintf(envSpec, "old-exp", "y"), "")
	b.record(base, BaseRef, func(t *spec.Trial) map[string]float64 {
		return metrics3(t, []float64{0.6, 0.61, 0.62}, []float64{0.6, 0.59, 0.58}, []float64{90, 91, 89})
	})
	return b.in
}

// Forty is a pull request that touches 40 experiments, as a change to a
// shared data loader would: most unchanged, two improved, one regressed,
// one with a failed trial; every fourth is a two-config sweep.
func Forty(t testing.TB) compare.Input {
	return Large(t, 40, []string{"0.1", "0.03"}, []string{"0.0"}, func(exp int) string {
		switch exp {
		case 7:
			return "regressed"
		case 13, 29:
			return "improved"
		case 21:
			return "failed"
		}
		return "unchanged"
	}, func(exp int) int {
		if exp%4 == 0 {
			return 2
		}
		return 1
	})
}

// Large generates n experiments, each a grid over lrs × wds (the first
// configs(i) lr values) with three seeds, whose outcome per experiment is
// "unchanged", "improved", "regressed" or "failed".
func Large(t testing.TB, n int, lrs, wds []string, outcome func(exp int) string, configs func(exp int) int) compare.Input {
	b := newBuilder(t)
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("exp-%02d", i)
		use := lrs
		if configs != nil {
			use = lrs[:min(configs(i), len(lrs))]
		}
		src := func(inputs string) string {
			return fmt.Sprintf(`
experiment %q {
  extends = template.train
  command = ["python", "train.py", "--lr=${param.lr}", "--wd=${param.wd}", "--seed=${seed}", "--data=%s"]
  params  = { lr = 0.1, wd = 0.0 }
  sweep {
    param "lr" { values = [%s] }
    param "wd" { values = [%s] }
  }
  seeds = [1, 2, 3]
}
`, name, inputs, strings.Join(use, ", "), strings.Join(wds, ", "))
		}
		base, head := b.experiment(name, src("v1"), src("v2"))
		kind := outcome(i)
		level := func(t *spec.Trial) float64 {
			return 0.8 + 0.01*float64(i%7) + 0.003*float64(t.Config) + bySeed(t, 0.001, -0.001, 0.0005)
		}
		b.record(base, BaseRef, func(t *spec.Trial) map[string]float64 {
			a := level(t)
			return map[string]float64{"val_acc": a, "train_loss": 1.2 - a + bySeed(t, 0.002, 0, -0.002), "throughput": 1000 + float64(i)}
		})
		for _, tr := range head.Trials {
			a := level(tr)
			switch kind {
			case "improved":
				a += 0.02
			case "regressed":
				a -= 0.02
			}
			r := b.run(HeadRef, map[string]float64{"val_acc": a, "train_loss": 1.2 - a + bySeed(tr, 0.002, 0, -0.002), "throughput": 1000 + float64(i) + bySeed(tr, 3, -2, 1)})
			if kind == "failed" && tr.Seed == 2 && tr.Config == 0 {
				r.Status, r.ExitCode, r.Metrics = runner.StatusFailed, 2, nil
				r.Log = "ValueError: shapes (32,10) and (12,) not aligned\n"
			}
			b.store.Record(tr, r)
		}
	}
	sort.Slice(b.in.Experiments, func(i, j int) bool { return b.in.Experiments[i].Name < b.in.Experiments[j].Name })
	return b.in
}

const quickstartSpec = `
experiment "logreg" {
  extends = template.train
  command = ["python3", "train.py", "--lr=${param.lr}", "--l2=${param.l2}", "--seed=${seed}"]
  params  = { lr = %[1]s, l2 = 0.001 }
  sweep {
    param "lr" { values = [%[1]s, 0.03] }
    param "l2" { values = [0.001, 0.01] }
  }
  seeds = [1, 2, 3]
}
`

// Replaced is the quickstart's change: lr 0.1 → 0.3 in a 2 × 2 grid. The
// lr=0.03 configs keep their keys; each lr=0.3 config scores below the
// lr=0.1 config it replaced and is tested against it.
func Replaced(t testing.TB) compare.Input {
	b := newBuilder(t)
	ei := compare.ExperimentInput{Name: "logreg"}
	ei.Base = Side(t, Load(t, Template+fmt.Sprintf(quickstartSpec, "0.1"))["logreg"], "inputs")
	ei.Head = Side(t, Load(t, Template+fmt.Sprintf(quickstartSpec, "0.3"))["logreg"], "inputs")
	b.in.Experiments = append(b.in.Experiments, ei)
	acc := map[float64]float64{0.1: 0.941, 0.3: 0.927, 0.03: 0.935}
	v := func(t *spec.Trial) map[string]float64 {
		a := acc[t.Params["lr"].(float64)] + bySeed(t, 0.002, -0.002, 0.0) + 0.001*float64(t.Config%2)
		return map[string]float64{"val_acc": a, "train_loss": 1.1 - a + bySeed(t, 0.003, 0, -0.003), "throughput": 500 + 10*bySeed(t, 1, 2, 3)}
	}
	b.record(ei.Base, BaseRef, v)
	for _, tr := range ei.Head.Trials {
		if len(b.store.Lookup(tr.Key)) == 0 {
			b.store.Record(tr, b.run(HeadRef, v(tr)))
		}
	}
	return b.in
}

// Extremes has values at float64's limits: a loss of 1e200 (whose
// square overflows), one that underflows, and a difference too large for
// a float64, which cannot be compared.
func Extremes(t testing.TB) compare.Input {
	b := newBuilder(t)
	pair := func(name string, base, head []float64) {
		bs, hs := b.experiment(name, fmt.Sprintf(envSpec, name, "a"), fmt.Sprintf(envSpec, name, "b"))
		b.record(bs, BaseRef, func(t *spec.Trial) map[string]float64 {
			return map[string]float64{"val_acc": 0.9, "train_loss": bySeed(t, base...)}
		})
		b.record(hs, HeadRef, func(t *spec.Trial) map[string]float64 {
			return map[string]float64{"val_acc": 0.9, "train_loss": bySeed(t, head...)}
		})
	}
	pair("huge", []float64{0.5, 0.4, 0.6}, []float64{1e200, 2e200, 3e200})
	pair("tiny", []float64{1e-300, 2e-300, 3e-300}, []float64{4e-300, 5e-300, 6e-300})
	pair("overflow", []float64{-1.7e308, -1.6e308, -1.5e308}, []float64{1.5e308, 1.6e308, 1.7e308})
	return b.in
}

package spec

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestGridOrderAndInterpolation(t *testing.T) {
	trials := trialsOf(t, `
experiment "e" {
  command = ["train", "--a=${param.a}", "--b=${param.b}", "--seed=${seed}"]
  workdir = "runs/${param.b}"
  env     = { SEED = seed, A = param.a }
  params  = { a = 1, b = "x", fixed = true }
  sweep {
    param "a" { values = [1, 2] }
    param "b" { values = ["x", "y", "z"] }
  }
  seeds = [7, 8]
}`, LoadOptions{})
	var got []string
	for _, tr := range trials {
		got = append(got, fmt.Sprintf("%d/%d %s %s %s A=%s SEED=%s", tr.Index, tr.Config, tr.ParamsJSON,
			strings.Join(tr.Command[1:], " "), tr.Workdir, tr.Env["A"], tr.Env["SEED"]))
	}
	want := []string{
		`0/0 {"a":1,"b":"x","fixed":true} --a=1 --b=x --seed=7 runs/x A=1 SEED=7`,
		`1/0 {"a":1,"b":"x","fixed":true} --a=1 --b=x --seed=8 runs/x A=1 SEED=8`,
		`2/1 {"a":1,"b":"y","fixed":true} --a=1 --b=y --seed=7 runs/y A=1 SEED=7`,
		`3/1 {"a":1,"b":"y","fixed":true} --a=1 --b=y --seed=8 runs/y A=1 SEED=8`,
		`4/2 {"a":1,"b":"z","fixed":true} --a=1 --b=z --seed=7 runs/z A=1 SEED=7`,
		`5/2 {"a":1,"b":"z","fixed":true} --a=1 --b=z --seed=8 runs/z A=1 SEED=8`,
		`6/3 {"a":2,"b":"x","fixed":true} --a=2 --b=x --seed=7 runs/x A=2 SEED=7`,
		`7/3 {"a":2,"b":"x","fixed":true} --a=2 --b=x --seed=8 runs/x A=2 SEED=8`,
		`8/4 {"a":2,"b":"y","fixed":true} --a=2 --b=y --seed=7 runs/y A=2 SEED=7`,
		`9/4 {"a":2,"b":"y","fixed":true} --a=2 --b=y --seed=8 runs/y A=2 SEED=8`,
		`10/5 {"a":2,"b":"z","fixed":true} --a=2 --b=z --seed=7 runs/z A=2 SEED=7`,
		`11/5 {"a":2,"b":"z","fixed":true} --a=2 --b=z --seed=8 runs/z A=2 SEED=8`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trials (-want +got):\n%s", diff)
	}
	if v, ok := trials[0].Params["fixed"].(bool); !ok || !v {
		t.Errorf("Params[fixed] = %#v", trials[0].Params["fixed"])
	}
}

func TestDefaultsWithoutSweep(t *testing.T) {
	trials := trialsOf(t, `experiment "e" { command = "echo hi | cat" }`, LoadOptions{})
	if len(trials) != 1 || trials[0].Seed != 0 || trials[0].Workdir != "." || trials[0].ParamsJSON != "{}" {
		t.Fatalf("got %+v", trials[0])
	}
	if diff := cmp.Diff([]string{"sh", "-c", "echo hi | cat"}, trials[0].Command); diff != "" {
		t.Error(diff)
	}
}

const randomSpec = `
experiment "e" {
  command = ["train"]
  params  = { lr = 0.1, wd = 0, layers = 1, opt = "sgd" }
  sweep {
    method  = "random"
    samples = 200
    seed    = SEED
    param "lr" {
      distribution = "log_uniform"
      min          = 1e-5
      max          = 1e-1
    }
    param "wd" {
      distribution = "uniform"
      min          = -1
      max          = 1
    }
    param "layers" {
      distribution = "int_uniform"
      min          = 2
      max          = 4
    }
    param "opt" { values = ["sgd", "adam"] }
  }
}`

func TestRandomSweep(t *testing.T) {
	a := trialsOf(t, strings.Replace(randomSpec, "SEED", "1", 1), LoadOptions{})
	b := trialsOf(t, strings.Replace(randomSpec, "SEED", "1", 1), LoadOptions{})
	c := trialsOf(t, strings.Replace(randomSpec, "SEED", "2", 1), LoadOptions{})
	if keys(a) != keys(b) {
		t.Error("the same sweep seed drew different points")
	}
	if keys(a) == keys(c) {
		t.Error("different sweep seeds drew the same points")
	}
	layers, opts := map[float64]int{}, map[string]int{}
	minLR, maxLR := math.Inf(1), math.Inf(-1)
	for _, tr := range a {
		lr := tr.Params["lr"].(float64)
		wd := tr.Params["wd"].(float64)
		l := tr.Params["layers"].(float64)
		if lr < 1e-5 || lr > 1e-1 || wd < -1 || wd > 1 || l != math.Trunc(l) || l < 2 || l > 4 {
			t.Errorf("point out of range: %s", tr.ParamsJSON)
		}
		minLR, maxLR = math.Min(minLR, lr), math.Max(maxLR, lr)
		layers[l]++
		opts[tr.Params["opt"].(string)]++
	}
	// 200 draws: every integer and every value shows up, and log_uniform
	// spans orders of magnitude rather than clustering near max.
	if len(layers) != 3 || len(opts) != 2 {
		t.Errorf("draws miss values: layers %v opts %v", layers, opts)
	}
	if minLR > 1e-4 || maxLR < 1e-2 {
		t.Errorf("log_uniform draws span only [%g, %g]", minLR, maxLR)
	}
}

// TestRandomSweepIsPinned guards the random sweep's points across
// releases: a change here would silently change every random sweep's keys.
func TestRandomSweepIsPinned(t *testing.T) {
	a := trialsOf(t, strings.Replace(randomSpec, "SEED", "42", 1), LoadOptions{})
	got := a[0].ParamsJSON
	// Computed independently by a Python transcription of PCG-DXSM
	// (128-bit LCG state (42, 0x6173736179)) and of the mappings in
	// randomPoints: u = (x >> 11) / 2^53, one draw per param in order.
	const want = `{"layers":3,"lr":0.00021224659106564565,"opt":"adam","wd":0.3608025890161064}`
	if got != want {
		t.Errorf("first point = %s, want %s", got, want)
	}
}

func TestMaxTrialsExplicit(t *testing.T) {
	src := `
experiment "e" {
  command = ["t"]
  params  = { a = 0 }
  sweep {
    max_trials = 20000
    param "a" { values = flatten([for i in range(15) : [for j in range(1000) : i * 1000 + j]]) }
  }
}`
	if got := len(trialsOf(t, src, LoadOptions{})); got != 15000 {
		t.Errorf("got %d trials", got)
	}
}

func TestExtendsMerge(t *testing.T) {
	p := loadValid(t, "testdata/valid/extends_chain.hcl")
	child := p.Experiment("child")
	if child == nil {
		t.Fatal("child missing")
	}
	if child.Runner.Retries != 2 || child.Runner.Timeout.Minutes() != 30 || child.Runner.Labels[0] != "cpu" {
		t.Errorf("runner not merged through the chain: %+v", child.Runner)
	}
	acc := child.Metric("acc")
	if acc == nil || acc.Goal != "maximize" || acc.Summary != "max" || acc.Tolerance != 0.01 {
		t.Errorf("metric not merged by label: %+v", acc)
	}
	if child.Extends != "experiment.parent" {
		t.Errorf("Extends = %q", child.Extends)
	}
	trials, _ := child.Trials("")
	if trials[0].ParamsJSON != `{"depth":50}` || trials[0].Command[2] != "--depth=50" {
		t.Errorf("child's params must win: %s %v", trials[0].ParamsJSON, trials[0].Command)
	}
	if child.PrimaryMetric() != acc {
		t.Error("the first metric with a goal is primary")
	}
}

func loadValid(t *testing.T, path string) *Project {
	t.Helper()
	_, p, diags := loadCase(t, path)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return p
}

func TestFunctionsReadTheRepository(t *testing.T) {
	p := loadValid(t, "testdata/valid/project")
	e := p.Experiment("mlp")
	if e.Description != "An MLP over every config." {
		t.Errorf("file(): description = %q", e.Description)
	}
	trials, _ := e.Trials("")
	var configs []string
	for _, tr := range trials {
		configs = append(configs, tr.Params["config"].(string))
	}
	if diff := cmp.Diff([]string{"configs/large.json", "configs/small.json"}, configs); diff != "" {
		t.Errorf("fileset() configs (-want +got):\n%s", diff)
	}
	if trials[0].Workdir != "models/mlp" || trials[0].Runner.GPUs != 1 {
		t.Errorf("template from another file not applied: %+v", trials[0])
	}
	if p.Settings.ResultsBranch != "ml/results" || p.Settings.MaxTrials != 5000 || p.GitHub.ApprovalLabel != DefaultApprovalLabel {
		t.Errorf("settings: %+v %+v", p.Settings, p.GitHub)
	}
	s := p.Executor("slurm")
	if s == nil || s.Partition != "gpu" || s.GresTypes["a100"] != "a100" || s.PollInterval.Seconds() != 10 {
		t.Errorf("slurm executor: %+v", s)
	}
	if l := p.Executor("local"); l == nil || len(l.GPUs) != 2 || l.Parallel != 4 {
		t.Errorf("local executor: %+v", l)
	}
}

// TestSeedSubstitutionMatchesEvaluation: the once-per-config shortcut for
// interpolated seeds yields what evaluating each trial yields.
func TestSeedSubstitutionMatchesEvaluation(t *testing.T) {
	fast := trialsOf(t, `
experiment "e" {
  command = ["t", "--seed=${seed}", seed, "${param.a}-${seed}", "x${seed}y${seed}"]
  env     = { S = seed, T = "s${seed}", C = "const" }
  params  = { a = 1 }
  sweep {
    param "a" { values = [1, 2] }
  }
  seeds = [3, -4, 5000000000]
}`, LoadOptions{})
	slow := trialsOf(t, `
experiment "e" {
  command = ["t", "--seed=${seed + 0}", seed + 0, "${param.a}-${seed + 0}", "x${seed + 0}y${seed * 1}"]
  env     = { S = seed + 0, T = "s${seed + 0}", C = "const" }
  params  = { a = 1 }
  sweep {
    param "a" { values = [1, 2] }
  }
  seeds = [3, -4, 5000000000]
}`, LoadOptions{})
	if keys(fast) != keys(slow) {
		for i := range fast {
			t.Logf("fast %v %v\nslow %v %v", fast[i].Command, fast[i].Env, slow[i].Command, slow[i].Env)
		}
		t.Fatal("substituted seeds differ from evaluated seeds")
	}
	if got := strings.Join(fast[1].Command, " "); got != "t --seed=-4 -4 1--4 x-4y-4" {
		t.Errorf("command = %q", got)
	}
	for _, tr := range fast {
		if strings.Contains(strings.Join(tr.Command, ""), seedSentinel) {
			t.Fatal("sentinel leaked")
		}
	}
}

func TestExpandAllMatchesTrials(t *testing.T) {
	p := loadValid(t, "testdata/valid/random_sweep.hcl")
	all, diags := ExpandAll(p.Experiments, func(e *Experiment) string { return "fp-" + e.Name })
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for i, e := range p.Experiments {
		one, _ := e.Trials("fp-" + e.Name)
		if keys(one) != keys(all[i]) {
			t.Errorf("%s: ExpandAll differs from Trials", e.Name)
		}
	}
}

// StaticWorkdir knows the workdir without expanding exactly when the
// spec writes it as a plain path, and it agrees with the trials'.
func TestStaticWorkdir(t *testing.T) {
	t.Parallel()
	cases := []struct {
		attr string
		want string
		ok   bool
	}{
		{"", ".", true},
		{`workdir = "models/resnet/"`, "models/resnet", true},
		{`workdir = "./models//resnet"`, "models/resnet", true},
		{`workdir = "models/${param.m}"`, "", false},
		{`workdir = "models/s${seed}"`, "", false},
		{`workdir = upper("m")`, "", false},
		{`workdir = "../outside"`, "", false},
	}
	for _, c := range cases {
		src := "experiment \"e\" {\n  command = [\"true\"]\n  params = { m = \"a\" }\n  " + c.attr + "\n}\n"
		p, diags := Load(fstest.MapFS{"experiments/e.hcl": {Data: []byte(src)}}, LoadOptions{})
		e := p.Experiment("e")
		if e == nil {
			t.Fatalf("%s: %v", c.attr, diags)
		}
		got, ok := e.StaticWorkdir()
		if got != c.want || ok != c.ok {
			t.Errorf("%q: StaticWorkdir() = %q, %v; want %q, %v", c.attr, got, ok, c.want, c.ok)
		}
		if ts, d := e.Trials(""); ok && !d.HasErrors() && ts[0].Workdir != got {
			t.Errorf("%q: trials run in %q, StaticWorkdir says %q", c.attr, ts[0].Workdir, got)
		}
	}
}

// TestEachTrialEvaluatesItsOwnSeed: a seed used other than as a plain
// interpolation (arithmetic, a function) is evaluated once per trial, in
// whichever of command, env and workdir uses it, the other two staying
// the same for every trial.
func TestEachTrialEvaluatesItsOwnSeed(t *testing.T) {
	for _, c := range []struct {
		name, attrs string
		want        func(tr *Trial) string
		wants       []string
	}{
		{"command", `command = ["t", "--seed=${seed + 1}"]
  env = { C = "const" }`, func(tr *Trial) string { return strings.Join(tr.Command, " ") + " " + tr.Env["C"] + " " + tr.Workdir },
			[]string{"t --seed=4 const .", "t --seed=8 const ."}},
		{"env", `command = ["t"]
  env = { S = seed * 2 }`, func(tr *Trial) string { return strings.Join(tr.Command, " ") + " " + tr.Env["S"] + " " + tr.Workdir },
			[]string{"t 6 .", "t 14 ."}},
		{"workdir", `command = ["t"]
  workdir = "runs/s${seed - 1}"`, func(tr *Trial) string { return strings.Join(tr.Command, " ") + " " + tr.Workdir },
			[]string{"t runs/s2", "t runs/s6"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			trials := trialsOf(t, "experiment \"e\" {\n  "+c.attrs+"\n  seeds = [3, 7]\n}\n", LoadOptions{})
			var got []string
			for _, tr := range trials {
				got = append(got, c.want(tr))
			}
			if strings.Join(got, "|") != strings.Join(c.wants, "|") {
				t.Errorf("trials = %q, want %q", got, c.wants)
			}
		})
	}
}

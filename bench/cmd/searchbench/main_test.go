package main

import (
	"math"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The test functions have their known minima (Dixon and Szegő 1978).
func TestProblemsKnownMinima(t *testing.T) {
	if v := branin(math.Pi, 2.275); math.Abs(v-0.397887) > 1e-6 {
		t.Errorf("branin(π, 2.275) = %.7f, want 0.397887", v)
	}
	if v := branin(-math.Pi, 12.275); math.Abs(v-0.397887) > 1e-6 {
		t.Errorf("branin(-π, 12.275) = %.7f, want 0.397887", v)
	}
	x := [6]float64{0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573}
	if v := hartmann6(x); math.Abs(v+3.32237) > 1e-5 {
		t.Errorf("hartmann6(x*) = %.6f, want -3.32237", v)
	}
}

var row = regexp.MustCompile(`(?m)^(\S+) +(random \(assay\)|assay tpe, batch [14]|optuna tpe|asha|median) +(-?[0-9.e+-]+) \[`)

// The benchmark at a tiny size, so that it keeps working: every problem
// and every method gives a row of finite numbers, and the targets are
// checked. The quickstart's trainer runs when Python 3 is here, Optuna
// when Python has it.
func TestTinyBenchmark(t *testing.T) {
	var out strings.Builder
	args := []string{"-reps", "2", "-budget", "8", "-problems", "branin,hartmann6", "-asha", "synthetic,crossing", "-optuna", ""}
	py, err := exec.LookPath("python3")
	if err == nil {
		args = []string{"-reps", "2", "-budget", "8", "-problems", "branin,hartmann6,quickstart", "-asha", "synthetic,crossing,quickstart",
			"-python", py, "-trainer", "../../search_trainer.py", "-optuna", ""}
		if exec.Command(py, "-c", "import optuna").Run() == nil {
			args[len(args)-1] = "../../search_optuna.py"
		} else {
			t.Logf("%s has no optuna module: Optuna's TPE is left out (apt-get install python3-optuna)", py)
		}
	} else {
		t.Log("no python3: the quickstart's trainer and Optuna are left out")
	}
	if err := run(args, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	t.Log("\n" + got)
	rows := row.FindAllStringSubmatch(got, -1)
	want := map[string]bool{}
	for _, m := range rows {
		want[m[1]+"/"+m[2]] = true
	}
	for _, p := range []string{"branin", "hartmann6"} {
		for _, m := range []string{"random (assay)", "assay tpe, batch 1", "assay tpe, batch 4"} {
			if !want[p+"/"+m] {
				t.Errorf("no row for %s, %s", p, m)
			}
		}
	}
	for _, c := range []string{"synthetic", "crossing"} {
		for _, r := range []string{"asha", "median"} {
			if !want[c+"/"+r] {
				t.Errorf("no row for %s, %s", c, r)
			}
		}
	}
	if strings.Contains(got, "NaN") || strings.Contains(got, "Inf") {
		t.Error("a number is not finite")
	}
	if n := strings.Count(got, "target met") + strings.Count(got, "TARGET MISSED"); n < 8 {
		t.Errorf("%d target lines", n)
	}
}

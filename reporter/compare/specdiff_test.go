package compare_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
)

func TestDiffSpecs(t *testing.T) {
	base := comparetest.Template + `
experiment "x" {
  extends = template.train
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
  env     = { DATASET = "cifar10" }
  params  = { lr = 0.1 }
  seeds   = [1, 2]
  inputs  = ["train.py"]
}
`
	head := comparetest.Template + `
experiment "x" {
  extends = template.train
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}", "--amp"]
  env     = { DATASET = "cifar100", EXTRA = "1" }
  params  = { lr = 0.1 }
  seeds   = [1, 2, 3]
  inputs  = ["train.py", "data.lock"]
  runner {
    gpus = 2
  }
  metric "val_acc" {
    goal      = "maximize"
    tolerance = 0.01
  }
}
`
	b := comparetest.Side(t, comparetest.Load(t, base)["x"], "fp-base-0123456789")
	h := comparetest.Side(t, comparetest.Load(t, head)["x"], "fp-head-0123456789")
	got := compare.DiffSpecs(b, h)
	want := []compare.Change{
		{Field: "seeds", Base: "[1,2]", Head: "[1,2,3]"},
		{Field: "command", Base: "python train.py --lr=0.1 --seed=1", Head: "python train.py --lr=0.1 --seed=1 --amp"},
		{Field: "env.DATASET", Base: "cifar10", Head: "cifar100"},
		{Field: "env.EXTRA", Base: "", Head: "1"},
		{Field: "runner.gpus", Base: "1", Head: "2"},
		{Field: "inputs", Base: "train.py", Head: "train.py, data.lock"},
		// The template's summary ("max") carries over the experiment's
		// metric block, so only the tolerance changed.
		{Field: "metric.val_acc.tolerance", Base: "0.005", Head: "0.01"},
		{Field: "inputs.fingerprint", Base: "fp-base-0123", Head: "fp-head-0123"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
	if d := compare.DiffSpecs(nil, h); d == nil || len(d) != 0 {
		t.Errorf("an added experiment has no field diff, got %v", d)
	}
}

func TestDiffSpecsCommandOnlyFromMatchingTrials(t *testing.T) {
	// The command interpolates lr; changing lr changes every command, but
	// that is the params change, not a command change.
	src := comparetest.Template + `
experiment "x" {
  extends = template.train
  command = ["python", "train.py", "--lr=${param.lr}"]
  params  = { lr = %s }
}
`
	b := comparetest.Side(t, comparetest.Load(t, fmtSrc(src, "0.1"))["x"], "fp")
	h := comparetest.Side(t, comparetest.Load(t, fmtSrc(src, "0.2"))["x"], "fp")
	want := []compare.Change{{Field: "params.lr", Base: "0.1", Head: "0.2"}}
	if diff := cmp.Diff(want, compare.DiffSpecs(b, h)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func fmtSrc(src, v string) string {
	out := []byte{}
	for i := 0; i < len(src); i++ {
		if src[i] == '%' && i+1 < len(src) && src[i+1] == 's' {
			out = append(out, v...)
			i++
			continue
		}
		out = append(out, src[i])
	}
	return string(out)
}

func TestSparkline(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want string
	}{
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8}, "▁▂▃▄▅▆▇█"},
		{[]float64{0.5, 0.5, 0.5}, "▅▅▅"},
		{[]float64{3, 1}, "█▁"},
		{nil, ""},
	} {
		if got := compare.Sparkline(c.in); got != c.want {
			t.Errorf("Sparkline(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

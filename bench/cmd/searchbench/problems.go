package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os/exec"
)

// problem is a function to minimize over a space a sweep block describes.
type problem struct {
	name string
	// params and sweep are HCL: the params object's body and the sweep's
	// param blocks.
	params, sweep string
	// metric is the metric block of the objective.
	metric string
	// eval returns the objective of one point; each goroutine gets its
	// own evaluator from newEval.
	newEval func() (evaluator, error)
}

type evaluator interface {
	eval(params map[string]any) (float64, error)
	close()
}

type funcEval func(map[string]any) float64

func (f funcEval) eval(p map[string]any) (float64, error) { return f(p), nil }
func (funcEval) close()                                   {}

func num(p map[string]any, k string) float64 { return p[k].(float64) }

// Branin-Hoo on [-5, 10] x [0, 15]; its minimum is 0.397887 at three
// points (Dixon and Szegő 1978).
func branin(x1, x2 float64) float64 {
	b, c, t := 5.1/(4*math.Pi*math.Pi), 5/math.Pi, 1/(8*math.Pi)
	return math.Pow(x2-b*x1*x1+c*x1-6, 2) + 10*(1-t)*math.Cos(x1) + 10
}

var (
	hartA = [4][6]float64{{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}}
	hartP = [4][6]float64{
		{1312, 1696, 5569, 124, 8283, 5886}, {2329, 4135, 8307, 3736, 1004, 9991},
		{2348, 1451, 3522, 2883, 3047, 6650}, {4047, 8828, 8732, 5743, 1091, 381},
	}
	hartAlpha = [4]float64{1, 1.2, 3, 3.2}
)

// Hartmann-6 on [0, 1]^6; its minimum is -3.32237 (Dixon and Szegő 1978).
func hartmann6(x [6]float64) float64 {
	s := 0.0
	for i := range 4 {
		in := 0.0
		for j := range 6 {
			d := x[j] - hartP[i][j]*1e-4
			in += hartA[i][j] * d * d
		}
		s += hartAlpha[i] * math.Exp(-in)
	}
	return -s
}

const valueMetric = `metric "value" { goal = "minimize" }`

var problems = map[string]problem{
	"branin": {
		name: "branin", params: "x1 = 0, x2 = 0", metric: valueMetric,
		sweep: `
    param "x1" {
      distribution = "uniform"
      min          = -5
      max          = 10
    }
    param "x2" {
      distribution = "uniform"
      min          = 0
      max          = 15
    }`,
		newEval: func() (evaluator, error) {
			return funcEval(func(p map[string]any) float64 { return branin(num(p, "x1"), num(p, "x2")) }), nil
		},
	},
	"hartmann6": {
		name: "hartmann6", params: "x1 = 0, x2 = 0, x3 = 0, x4 = 0, x5 = 0, x6 = 0", metric: valueMetric,
		sweep: func() string {
			s := ""
			for i := 1; i <= 6; i++ {
				s += fmt.Sprintf("\n    param \"x%d\" {\n      distribution = \"uniform\"\n      min          = 0\n      max          = 1\n    }", i)
			}
			return s
		}(),
		newEval: func() (evaluator, error) {
			return funcEval(func(p map[string]any) float64 {
				var x [6]float64
				for i := range 6 {
					x[i] = num(p, fmt.Sprintf("x%d", i+1))
				}
				return hartmann6(x)
			}), nil
		},
	},
	"quickstart": {
		name: "quickstart", params: "lr = 0.1, l2 = 0.001, epochs = 10",
		metric: `metric "val_loss" {
    goal    = "minimize"
    summary = "min"
  }`,
		sweep: `
    param "lr" {
      distribution = "log_uniform"
      min          = 0.001
      max          = 3
    }
    param "l2" {
      distribution = "log_uniform"
      min          = 1e-6
      max          = 1
    }`,
		newEval: func() (evaluator, error) { return newTrainer() },
	},
}

// trainer runs examples/quickstart/train.py through bench/search_trainer.py:
// one Python process that answers a point per line.
type trainer struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

// python and trainerScript are set from the flags.
var python, trainerScript string

func newTrainer() (*trainer, error) {
	cmd := exec.Command(python, trainerScript)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s %s: %w", python, trainerScript, err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	return &trainer{cmd: cmd, in: in, out: sc}, nil
}

// curves trains once and returns every metric's series.
func (t *trainer) curves(p map[string]any) (map[string][]float64, error) {
	b, _ := json.Marshal(p)
	if _, err := fmt.Fprintf(t.in, "%s\n", b); err != nil {
		return nil, err
	}
	if !t.out.Scan() {
		return nil, fmt.Errorf("the trainer ended: %v", t.out.Err())
	}
	var s map[string][]float64
	err := json.Unmarshal(t.out.Bytes(), &s)
	return s, err
}

// eval is the quickstart's objective: its lowest validation loss.
func (t *trainer) eval(p map[string]any) (float64, error) {
	s, err := t.curves(map[string]any{"lr": p["lr"], "l2": p["l2"], "epochs": p["epochs"], "seed": 1})
	if err != nil {
		return 0, err
	}
	best := math.Inf(1)
	for _, v := range s["val_loss"] {
		best = math.Min(best, v)
	}
	return best, nil
}

func (t *trainer) close() {
	t.in.Close()
	t.cmd.Wait()
}

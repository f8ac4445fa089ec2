package main

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// curveSource gives the learning curve of a point: its metric at steps
// 1, 2, ... as the trial would report them.
type curveSource interface {
	curve(params map[string]any) ([]float64, error)
	close()
}

// synthetic are learning curves of a made-up model, in the power-law
// form Domhan, Springenberg and Hutter (IJCAI 2015) found to fit real
// ones best ("pow3"): loss(t) = floor + t^-speed, plus noise. The floor
// is best at lr = 0.01 and width 5; higher learning rates learn faster
// (a larger exponent), so curves cross: a point that leads at the first
// rung is not always the best at the end.
type synthetic struct {
	steps int
	// crossing makes the curves exponential instead: a fast learner
	// leads for a third of the run and often ends behind, the hard case
	// for any rule that judges early.
	crossing bool
}

// syntheticSpec is the space of the synthetic curves.
const syntheticParams = "lr = 0.01, width = 4"

const syntheticSweep = `
    param "lr" {
      distribution = "log_uniform"
      min          = 1e-4
      max          = 1
    }
    param "width" {
      distribution = "int"
      min          = 1
      max          = 8
    }`

func (s synthetic) curve(p map[string]any) ([]float64, error) {
	lr, width := num(p, "lr"), num(p, "width")
	floor := 0.05 + 0.1*math.Pow(math.Log10(lr)+2, 2) + 0.01*math.Pow(width-5, 2)
	speed := 0.5 + 0.5*math.Pow(lr, 0.2)
	h := fnv.New64a()
	fmt.Fprint(h, p)
	rng := rand.New(rand.NewPCG(h.Sum64(), 1))
	out := make([]float64, s.steps)
	for t := range out {
		if s.crossing {
			out[t] = floor + math.Exp(-(0.05+0.2*math.Pow(lr, 0.3))*float64(t+1)) + 0.005*rng.NormFloat64()
			continue
		}
		out[t] = floor + math.Pow(float64(t+1), -speed) + 0.005*rng.NormFloat64()
	}
	return out, nil
}

func (synthetic) close() {}

// trainerCurves are the quickstart trainer's validation loss per epoch.
type trainerCurves struct {
	t      *trainer
	epochs int
}

func (c trainerCurves) curve(p map[string]any) ([]float64, error) {
	s, err := c.t.curves(map[string]any{"lr": p["lr"], "l2": p["l2"], "epochs": c.epochs, "seed": 1})
	if err != nil {
		return nil, err
	}
	return s["val_loss"], nil
}

func (c trainerCurves) close() { c.t.close() }

// ashaRun is one repetition: the same points run to their end, and run
// by assay's search with early stopping.
type ashaRun struct {
	fullSteps, usedSteps int
	fullBest, foundBest  float64
	stopped              int
}

// earlyStopTrace plays a search with early stopping as assay runs it:
// round after round, each trial's points go to the judge of its round in
// step order, and a trial the judge stops is recorded stopped with the
// points it had reported. The same curves run to their end give the full
// run's cost and best.
func earlyStopTrace(e *spec.Experiment, src curveSource) (ashaRun, error) {
	h := newMemHistory()
	metric := e.EarlyStopMetric()
	out := ashaRun{fullBest: math.Inf(1), foundBest: math.Inf(1)}
	for {
		s, diags := runner.ReplaySearch(e, "bench", h)
		if diags.HasErrors() {
			return out, diags
		}
		if s.Next == nil {
			return out, nil
		}
		es := s.EarlyStop()
		for _, p := range s.Next.Points {
			for i, t := range p.Trials {
				if p.Runs[i] != nil {
					continue
				}
				c, err := src.curve(t.Params)
				if err != nil {
					return out, err
				}
				final := summarize(metric.Summary, c)
				out.fullSteps += len(c)
				out.fullBest = math.Min(out.fullBest, final)
				judge := es.Follow()
				var pts []runner.Point
				status := runner.StatusSucceeded
				for step, v := range c {
					pts = append(pts, runner.Point{Step: int64(step + 1), Value: v})
					if judge(int64(step+1), v) != "" {
						status = runner.StatusStopped
						break
					}
				}
				out.usedSteps += len(pts)
				vals := make([]float64, len(pts))
				for j, q := range pts {
					vals[j] = q.Value
				}
				if status == runner.StatusStopped {
					out.stopped++
				} else {
					out.foundBest = math.Min(out.foundBest, final)
				}
				h.record(t, status, metric.Name, summarize(metric.Summary, vals), pts)
			}
		}
	}
}

// summarize reduces a series by a metric's summary rule.
func summarize(rule string, vals []float64) float64 {
	switch rule {
	case "min":
		m := vals[0]
		for _, v := range vals {
			m = math.Min(m, v)
		}
		return m
	case "max":
		m := vals[0]
		for _, v := range vals {
			m = math.Max(m, v)
		}
		return m
	case "mean":
		s := 0.0
		for _, v := range vals {
			s += v
		}
		return s / float64(len(vals))
	}
	return vals[len(vals)-1]
}

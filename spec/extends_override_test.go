package spec

import (
	"testing"
	"time"
)

// TestExtendsOverrides: what an experiment sets wins over what it
// inherits, attribute by attribute, for the runner and for a metric of the
// same name; what it leaves unset still comes from the chain.
func TestExtendsOverrides(t *testing.T) {
	p, diags := loadSrc(t, map[string]string{"experiments/x.hcl": `
template "base" {
  runner {
    labels  = ["gpu", "a100"]
    gpus    = 2
    timeout = "2h"
    retries = 1
  }
  metric "acc" {
    goal      = "maximize"
    summary   = "max"
    tolerance = 0.01
  }
  metric "loss" { goal = "minimize" }
}

template "mid" {
  extends = template.base
  runner { timeout = "1h" }
  metric "acc" { tolerance = 0.02 }
}

experiment "child" {
  extends = template.mid
  command = ["t"]
  runner {
    labels = ["cpu"]
    gpus   = 0
  }
  metric "acc" { summary = "last" }
  metric "loss" {
    goal      = "maximize"
    tolerance = 0.5
  }
}

experiment "sibling" {
  extends = template.mid
  command = ["t"]
}
`})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	e := p.Experiment("child")
	r := e.Runner
	if len(r.Labels) != 1 || r.Labels[0] != "cpu" || r.GPUs != 0 {
		t.Errorf("runner labels %q, gpus %d: the experiment's own cpu, 0 win", r.Labels, r.GPUs)
	}
	if r.Timeout != time.Hour || r.Retries != 1 {
		t.Errorf("runner timeout %s, retries %d: want mid's 1h over base's 2h, base's 1 retry", r.Timeout, r.Retries)
	}
	acc := e.Metric("acc")
	if acc.Summary != "last" || acc.Tolerance != 0.02 || acc.Goal != "maximize" {
		t.Errorf("acc %+v: want the experiment's summary, mid's tolerance, base's goal", acc)
	}
	loss := e.Metric("loss")
	if loss.Goal != "maximize" || loss.Tolerance != 0.5 {
		t.Errorf("loss %+v: the experiment's goal and tolerance win", loss)
	}
	if got := e.PrimaryMetric(); got != acc {
		t.Errorf("primary %v: the first metric with a goal, in the chain's order", got)
	}

	// A child's overrides stay its own: a sibling gets the chain's values.
	sib := p.Experiment("sibling")
	if r := sib.Runner; len(r.Labels) != 2 || r.GPUs != 2 || r.Timeout != time.Hour {
		t.Errorf("sibling runner %+v: want gpu a100, 2 GPUs, 1h", r)
	}
	if m := sib.Metric("acc"); m.Summary != "max" || m.Tolerance != 0.02 {
		t.Errorf("sibling acc %+v: want max, 0.02", m)
	}
	if m := sib.Metric("loss"); m.Goal != "minimize" || m.Tolerance != 0 {
		t.Errorf("sibling loss %+v: want minimize, no tolerance", m)
	}
}

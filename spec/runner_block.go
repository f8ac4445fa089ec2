package spec

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Runner is the runner block: what a trial needs from the machine it runs on.
type Runner struct {
	// Labels must all be offered by the executor (or GitHub runner) that
	// takes the trial.
	Labels []string
	// GPUs is how many GPUs one trial owns exclusively; 0 runs on CPU.
	GPUs int
	// Timeout stops a trial that runs longer; 0 means no limit.
	Timeout time.Duration
	// Retries is how many more times a failed or timed-out trial is run.
	Retries int
}

var runnerBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "labels"}, {Name: "gpus"}, {Name: "timeout"}, {Name: "retries"}},
}

// MaxGPUsPerTrial bounds the gpus attribute; no single machine has more.
const MaxGPUsPerTrial = 64

func decodeRunnerAttrs(attrs hcl.Attributes, ctx *hcl.EvalContext) (Runner, hcl.Diagnostics) {
	var r Runner
	var diags hcl.Diagnostics
	if a := attrs["labels"]; a != nil {
		v, ok, d := evalStringList(a, ctx)
		diags = append(diags, d...)
		if ok {
			r.Labels = v
		}
	}
	if a := attrs["gpus"]; a != nil {
		n, ok, d := evalInt(a, ctx, 0, MaxGPUsPerTrial)
		diags = append(diags, d...)
		if ok {
			r.GPUs = int(n)
		}
	}
	if a := attrs["timeout"]; a != nil {
		v, ok, d := evalDuration(a, ctx)
		diags = append(diags, d...)
		if ok {
			r.Timeout = v
		}
	}
	if a := attrs["retries"]; a != nil {
		n, ok, d := evalInt(a, ctx, 0, 100)
		diags = append(diags, d...)
		if ok {
			r.Retries = int(n)
		}
	}
	return r, diags
}

package spec

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Executor is an executor block of assay.hcl: where trials run and what that
// place offers.
type Executor struct {
	// Kind is the block label: "local" or "slurm".
	Kind string
	// Labels are what this executor offers; a trial runs here only if its
	// runner labels are a subset.
	Labels []string
	// GPUs is the local GPU inventory: nil means "auto" (ask nvidia-smi),
	// otherwise the device ids to hand out.
	GPUs []string
	// Parallel bounds concurrent CPU-only trials; 0 means the number of cores.
	Parallel int

	// Slurm settings (kind "slurm").
	Partition    string
	Account      string
	QOS          string
	ExtraArgs    []string
	PollInterval time.Duration
	SpoolDir     string
	// GresTypes maps a label to a GPU gres type, e.g. a100 → "a100".
	GresTypes map[string]string

	DeclRange hcl.Range
}

// ExecutorKinds are the executor labels assay knows.
var ExecutorKinds = []string{"local", "slurm"}

var executorSchemas = map[string]*hcl.BodySchema{
	"local": {Attributes: []hcl.AttributeSchema{
		{Name: "labels"}, {Name: "gpus"}, {Name: "parallel"},
	}},
	"slurm": {Attributes: []hcl.AttributeSchema{
		{Name: "labels"}, {Name: "partition"}, {Name: "account"}, {Name: "qos"},
		{Name: "extra_args"}, {Name: "poll_interval"}, {Name: "spool_dir"}, {Name: "gres_types"},
	}},
}

func decodeExecutorBlock(block *hcl.Block, ctx *hcl.EvalContext) (*Executor, hcl.Diagnostics) {
	e := &Executor{Kind: block.Labels[0], DeclRange: block.DefRange, PollInterval: 5 * time.Second}
	schema, ok := executorSchemas[e.Kind]
	if !ok {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unknown executor",
			Detail:   fmt.Sprintf("There is no executor %q; use one of %s.", e.Kind, quoteList(ExecutorKinds)),
			Subject:  block.LabelRanges[0].Ptr(),
		}}
	}
	content, diags := block.Body.Content(schema)
	attrs := content.Attributes
	if a := attrs["labels"]; a != nil {
		v, ok, d := evalStringList(a, ctx)
		diags = append(diags, d...)
		if ok {
			e.Labels = v
		}
	}
	if a := attrs["gpus"]; a != nil {
		diags = append(diags, decodeGPUInventory(a, ctx, e)...)
	}
	if a := attrs["parallel"]; a != nil {
		n, ok, d := evalInt(a, ctx, 1, 4096)
		diags = append(diags, d...)
		if ok {
			e.Parallel = int(n)
		}
	}
	for name, dst := range map[string]*string{"partition": &e.Partition, "account": &e.Account, "qos": &e.QOS, "spool_dir": &e.SpoolDir} {
		if a := attrs[name]; a != nil {
			v, ok, d := evalString(a, ctx)
			diags = append(diags, d...)
			if ok {
				*dst = v
			}
		}
	}
	if a := attrs["extra_args"]; a != nil {
		v, ok, d := evalStringList(a, ctx)
		diags = append(diags, d...)
		if ok {
			e.ExtraArgs = v
		}
	}
	if a := attrs["poll_interval"]; a != nil {
		v, ok, d := evalDuration(a, ctx)
		diags = append(diags, d...)
		if ok {
			e.PollInterval = v
		}
	}
	if a := attrs["gres_types"]; a != nil {
		v, ok, d := evalStringMap(a, ctx)
		diags = append(diags, d...)
		if ok {
			e.GresTypes = v
		}
	}
	return e, diags
}

// decodeGPUInventory accepts "auto" or a list of device ids (strings or
// numbers, since users write both [0, 1] and ["0", "1"]).
func decodeGPUInventory(a *hcl.Attribute, ctx *hcl.EvalContext, e *Executor) hcl.Diagnostics {
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() {
		return diags
	}
	if v.Type() == cty.String && !v.IsNull() {
		if v.AsString() == "auto" {
			return nil
		}
		return hcl.Diagnostics{typeDiag(a, `"gpus" is "auto" or a list of device ids, such as ["0", "1"].`)}
	}
	ids, ok, d := evalStringList(a, ctx)
	if !ok {
		return hcl.Diagnostics{typeDiag(a, `"gpus" is "auto" or a list of device ids, such as ["0", "1"].`)}
	}
	_ = d
	if ids == nil {
		ids = []string{}
	}
	e.GPUs = ids
	return nil
}

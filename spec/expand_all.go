package spec

import "github.com/hashicorp/hcl/v2"

// ExpandAll expands every experiment, on all cores, and returns their
// trials in the order of exps. inputs gives each experiment's inputs
// fingerprint (nil means "" for all). Experiments are independent, and a
// plan over hundreds of them should not wait on one core.
func ExpandAll(exps []*Experiment, inputs func(*Experiment) string) ([][]*Trial, hcl.Diagnostics) {
	out, diags := ExpandEach(exps, inputs)
	var all hcl.Diagnostics
	for _, d := range diags {
		all = append(all, d...)
	}
	return out, all
}

// ExpandEach is ExpandAll with each experiment's diagnostics apart.
func ExpandEach(exps []*Experiment, inputs func(*Experiment) string) ([][]*Trial, []hcl.Diagnostics) {
	out := make([][]*Trial, len(exps))
	diags := make([]hcl.Diagnostics, len(exps))
	onAllCores(len(exps), func(i int) {
		in := ""
		if inputs != nil {
			in = inputs(exps[i])
		}
		out[i], diags[i] = exps[i].Trials(in)
	})
	return out, diags
}

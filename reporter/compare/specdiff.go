package compare

import (
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// DiffSpecs lists what changed between two sides of an experiment, for a
// caller that has no plan diff: the plan's own spec diff
// (runner.DiffSpecs), plus the inputs fingerprint when it differs (the
// plan lists the changed paths instead). It returns an empty list when
// either side is absent: the status says it all.
func DiffSpecs(base, head *SideInput) []Change {
	out := []Change{}
	if base == nil || head == nil || base.Spec == nil || head.Spec == nil {
		return out
	}
	for _, c := range runner.DiffSpecs(base.Spec, head.Spec, base.Trials, head.Trials, nil, nil) {
		out = append(out, Change{Field: c.Field, Path: c.Path, Base: c.Base, Head: c.Head})
	}
	if b, h := firstInputs(base.Trials), firstInputs(head.Trials); b != h {
		out = append(out, Change{Field: "inputs.fingerprint", Base: b, Head: h})
	}
	return out
}

func firstInputs(ts []*spec.Trial) string {
	if len(ts) == 0 {
		return ""
	}
	in := ts[0].Inputs
	if len(in) > 12 {
		in = in[:12]
	}
	return in
}

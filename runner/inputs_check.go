package runner

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/assaylab/assay/spec"
)

// CheckInputs warns about each experiment whose default inputs are the
// whole repository: no inputs attribute and a trial whose workdir is the
// root. Then any edit anywhere (a README, CI config) changes its trial
// keys and reruns it. assay validate prints these.
func CheckInputs(p *spec.Project) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, e := range p.Experiments {
		if e.Inputs != nil {
			continue
		}
		var ts []*spec.Trial
		if e.WorkdirSource() == "" {
			// No workdir attribute: every trial runs in the root, no
			// need to expand them to know.
			ts = []*spec.Trial{{Workdir: "."}}
		} else if ts, _ = e.Trials(""); ts == nil {
			continue
		}
		for _, t := range ts {
			if t.Workdir != "." {
				continue
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Inputs are the whole repository",
				Detail: fmt.Sprintf("Experiment %q has no inputs and runs in the repository root, so its inputs default to every file: "+
					"any edit anywhere reruns it. List what its trials read, such as inputs = [%q, \"data/*.lock\"], or set workdir.",
					e.Name, "src/**"),
				Subject: e.DeclRange.Ptr(),
			})
			break
		}
	}
	return diags
}

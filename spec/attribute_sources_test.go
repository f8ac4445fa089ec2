package spec

import (
	"fmt"
	"testing"
)

// TestAttributeSources: the plan's diff shows where command, env and
// workdir are written, as file:line; an attribute inherited through
// extends is where the template writes it, and one that is absent is "".
// ParamNames lists the declared params, sorted.
func TestAttributeSources(t *testing.T) {
	p, diags := loadSrc(t, map[string]string{
		"experiments/base.hcl": `template "base" {
  command = ["python", "train.py"]
  params  = { lr = 0.1 }
}
`,
		"experiments/e.hcl": `experiment "child" {
  extends = template.base
  params  = { wd = 0, batch = 32, lr = 0.2 }

  env     = { SEED = seed }
  workdir = "models"
}

experiment "bare" {
  command = ["t"]
}
`,
	})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for _, c := range []struct {
		exp, command, env, workdir, params string
	}{
		{"child", "experiments/base.hcl:2", "experiments/e.hcl:5", "experiments/e.hcl:6", "[batch lr wd]"},
		{"bare", "experiments/e.hcl:10", "", "", "[]"},
	} {
		e := p.Experiment(c.exp)
		if e == nil {
			t.Fatalf("no experiment %q", c.exp)
		}
		if e.CommandSource() != c.command || e.EnvSource() != c.env || e.WorkdirSource() != c.workdir {
			t.Errorf("%s: command %q, env %q, workdir %q; want %q, %q, %q",
				c.exp, e.CommandSource(), e.EnvSource(), e.WorkdirSource(), c.command, c.env, c.workdir)
		}
		if got := fmt.Sprint(e.ParamNames()); got != c.params {
			t.Errorf("%s: params %s, want %s", c.exp, got, c.params)
		}
	}
}

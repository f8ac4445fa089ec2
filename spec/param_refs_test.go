package spec

import (
	"fmt"
	"testing"
)

// TestParamReferences: a param is read as param.lr or param["lr"], and
// every other reference to param is refused at load with what to write.
func TestParamReferences(t *testing.T) {
	for _, c := range []struct {
		name, ref string
		command   string // the first trial's command, when the spec loads
		err       string
	}{
		{"by attribute", `param.lr`, "[t --lr=0.1]", ""},
		{"by string key", `param["lr"]`, "[t --lr=0.1]", ""},
		{"an undeclared name", `param.lrx`, "",
			`Reference to undeclared param: param.lrx is not declared in params (did you mean "lr"?).`},
		{"an undeclared string key", `param["lrx"]`, "",
			`Reference to undeclared param: param.lrx is not declared in params (did you mean "lr"?).`},
		{"a number", `param[0]`, "",
			`Invalid param reference: Params are named, not numbered: refer to one by its name, as param.lr or param["lr"].`},
		{"a bool", `param[true]`, "",
			`Invalid param reference: Params are named, not numbered: refer to one by its name, as param.lr or param["lr"].`},
		{"param alone", `jsonencode(param)`, "",
			`Incomplete param reference: Refer to one param, as param.lr.`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, diags := loadSrc(t, map[string]string{
				"experiments/e.hcl": "experiment \"e\" {\n  command = [\"t\", \"--lr=${" + c.ref + "}\"]\n  params  = { lr = 0.1 }\n}\n",
			})
			var got []string
			for _, d := range diags {
				got = append(got, d.Summary+": "+d.Detail)
				if d.Subject == nil || d.Subject.Start.Line != 2 {
					t.Errorf("%s: at %v, want line 2", d.Summary, d.Subject)
				}
			}
			if c.err != "" {
				if len(got) != 1 || got[0] != c.err {
					t.Errorf("diagnostics %q, want %q", got, c.err)
				}
				return
			}
			if len(got) != 0 {
				t.Fatalf("diagnostics %q, want none", got)
			}
			trials, d := p.Experiments[0].Trials("")
			if d.HasErrors() || len(trials) != 1 {
				t.Fatalf("%d trials, %v", len(trials), d)
			}
			if cmd := fmt.Sprint(trials[0].Command); cmd != c.command {
				t.Errorf("command %s, want %s", cmd, c.command)
			}
		})
	}
}

package runner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

func changesOf(t *testing.T, r *gittest.Repo, name string) []Change {
	t.Helper()
	p := buildPlan(t, r.Dir, PlanOptions{Base: "HEAD~1", Head: "HEAD"})
	e := p.Experiment(name)
	if e == nil || e.Status != ExperimentModified {
		t.Fatalf("%s: %+v, want modified", name, e)
	}
	return e.Changes
}

func diffRepo(t *testing.T, before, after string) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	r.Write("train.py", "x\n")
	r.Write("experiments/e.hcl", before)
	r.Commit("before")
	r.Write("experiments/e.hcl", after)
	r.Commit("after")
	return r
}

const diffBase = `variable "dataset" { default = "cifar10" }
experiment "e" {
  command = ["python", "train.py", "--lr=${param.lr}"]
  inputs  = ["train.py"]
  env     = { DATASET = var.dataset }
  params  = { lr = 0.1, bs = 64 }
  sweep {
    param "bs" { values = [64, 128] }
  }
  seeds  = [1, 2]
  runner {
    labels  = ["gpu"]
    gpus    = 1
    timeout = "1h"
  }
}
`

// What a reviewer needs to see, field by field, with both values.
func TestDiffSpecFields(t *testing.T) {
	t.Parallel()
	after := strings.NewReplacer(
		`"--lr=${param.lr}"]`, `"--lr=${param.lr}", "--amp"]`,
		`default = "cifar10"`, `default = "cifar100"`,
		`values = [64, 128]`, `values = [64, 256]`,
		`seeds  = [1, 2]`, `seeds  = [1, 2, 3]`,
		`gpus    = 1`, `gpus    = 2`,
		`timeout = "1h"`, `timeout = "2h"`,
	).Replace(diffBase)
	cs := changesOf(t, diffRepo(t, diffBase, after), "e")
	want := map[string][2]string{
		"command":        {"python train.py --lr=0.1", "python train.py --lr=0.1 --amp"},
		"env.DATASET":    {"cifar10", "cifar100"},
		"sweep.bs":       {"[64, 128]", "[64, 256]"},
		"seeds":          {"[1,2]", "[1,2,3]"},
		"runner.gpus":    {"1", "2"},
		"runner.timeout": {"1h0m0s", "2h0m0s"},
	}
	for field, v := range want {
		c := findChange(cs, field, "")
		if c == nil || c.Base != v[0] || c.Head != v[1] {
			t.Errorf("%s: %+v, want %q → %q", field, c, v[0], v[1])
		}
	}
	if len(cs) != len(want) {
		t.Errorf("changes %+v: only what changed", cs)
	}
}

// When no trial has the same params at both sides, the command is shown
// as written, not as two unrelated resolved commands.
func TestDiffCommandAsWritten(t *testing.T) {
	t.Parallel()
	after := strings.NewReplacer(
		`params  = { lr = 0.1, bs = 64 }`, `params  = { lr = 0.2, bs = 64 }`,
		`"--lr=${param.lr}"]`, `"--learning-rate", "${param.lr}"]`,
	).Replace(diffBase)
	cs := changesOf(t, diffRepo(t, diffBase, after), "e")
	c := findChange(cs, "command", "")
	if c == nil || c.Base != `["python", "train.py", "--lr=${param.lr}"]` || c.Head != `["python", "train.py", "--learning-rate", "${param.lr}"]` {
		t.Errorf("command change %+v", c)
	}
	if c := findChange(cs, "params.lr", ""); c == nil || c.Base != "0.1" || c.Head != "0.2" {
		t.Errorf("params.lr %+v", c)
	}
	// Reformatting the command alone is not a change.
	reformatted := strings.Replace(diffBase, `["python", "train.py", "--lr=${param.lr}"]`, "[\n    \"python\", \"train.py\",\n    \"--lr=${param.lr}\",\n  ]", 1)
	reformatted = strings.Replace(reformatted, "lr = 0.1, bs", "lr = 0.3, bs", 1)
	for _, c := range changesOf(t, diffRepo(t, diffBase, reformatted), "e") {
		if c.Field == "command" {
			t.Errorf("a reformatted command reported as changed: %+v", c)
		}
	}
}

// Input changes name the files, found by descending only into trees whose
// ids differ; a big rewrite is cut at MaxInputChanges with a count.
func TestDiffInputPaths(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Write("experiments/m.hcl", `experiment "m" {
  command = ["python", "train.py"]
  workdir = "model"
}
`)
	r.Write("model/train.py", "1\n")
	r.Write("model/a/b/c/deep.py", "1\n")
	r.Write("model/a/b/other.py", "1\n")
	r.Write("model/old/gone.py", "1\n")
	for i := 0; i < MaxInputChanges+10; i++ {
		r.Write(fmt.Sprintf("model/data/%03d.csv", i), "1\n")
	}
	r.Commit("before")
	r.Write("model/a/b/c/deep.py", "2\n")
	r.Remove("model/old")
	r.Write("model/new/added.py", "1\n")
	r.Commit("code")
	cs := changesOf(t, r, "m")
	var got []string
	for _, c := range cs {
		got = append(got, fmt.Sprintf("%s %s→%s", c.Path, short(c.Base), short(c.Head)))
	}
	want := []string{"model/a/b/c/deep.py ok→ok", "model/new/added.py -→ok", "model/old/gone.py ok→-"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("input changes %v, want %v", got, want)
	}

	for i := 0; i < MaxInputChanges+10; i++ {
		r.Write(fmt.Sprintf("model/data/%03d.csv", i), "2\n")
	}
	r.Commit("data")
	cs = changesOf(t, r, "m")
	if len(cs) != MaxInputChanges+1 || cs[MaxInputChanges].Head != "10 more paths changed" {
		t.Errorf("%d changes, last %+v", len(cs), cs[len(cs)-1])
	}
}

func short(id string) string {
	switch len(id) {
	case 0:
		return "-"
	case 12:
		return "ok"
	}
	return id
}

// When no trial pairs, command and env are compared as written, token by
// token: layout (line breaks, comments, a trailing comma before a closing
// bracket, brace or parenthesis) is not a change, and a comma between two
// arguments is.
func TestDiffAsWrittenIgnoresOnlyLayout(t *testing.T) {
	t.Parallel()
	const cmd, env = `["python", "train.py", "--lr=${param.lr}"]`, `{ DATASET = var.dataset }`
	cases := []struct {
		name             string
		baseCmd, headCmd string
		baseEnv, headEnv string
		changed          string // the field reported, or ""
	}{
		{name: "trailing comma in a list", baseCmd: cmd, headCmd: "[\"python\", \"train.py\", \"--lr=${param.lr}\",\n  ]"},
		{name: "trailing comma in an object", baseEnv: env, headEnv: "{\n    DATASET = var.dataset, # the data\n  }"},
		{name: "trailing comma in a call",
			baseCmd: `["python", "train.py", "--lr=${max(param.lr, 0)}"]`,
			headCmd: `["python", "train.py", "--lr=${max(param.lr, 0,)}"]`},
		{name: "a comma between arguments",
			baseCmd: `["python", "train.py", "--lr=${max(param.lr, -1)}"]`,
			headCmd: `["python", "train.py", "--lr=${max(param.lr -1)}"]`, changed: "command"},
		{name: "a comma between object items",
			baseEnv: `{ DATASET = var.dataset, SPLIT = "a" }`,
			headEnv: `{ DATASET = var.dataset, SPLIT = "b" }`, changed: "env"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			spec := func(c, e, lr string) string {
				if c == "" {
					c = cmd
				}
				if e == "" {
					e = env
				}
				return strings.NewReplacer(cmd, c, env, e, "lr = 0.1", "lr = "+lr).Replace(diffBase)
			}
			// A new lr leaves no trial with the same params at both sides.
			cs := changesOf(t, diffRepo(t, spec(tc.baseCmd, tc.baseEnv, "0.1"), spec(tc.headCmd, tc.headEnv, "0.3")), "e")
			var got []string
			for _, c := range cs {
				if c.Field == "command" || c.Field == "env" || c.Field == "workdir" {
					got = append(got, c.Field)
				}
			}
			if want := tc.changed; strings.Join(got, " ") != want {
				t.Errorf("as-written changes %v, want %q (all changes %+v)", got, want, cs)
			}
		})
	}
}

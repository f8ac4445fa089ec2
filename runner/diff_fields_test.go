package runner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// TestDiffEveryField: each setting a reviewer reads in the diff, changed
// on its own, is one line with both sides' values, written as the plan
// shows it; nothing else is listed.
func TestDiffEveryField(t *testing.T) {
	t.Parallel()
	const random = `experiment "e" {
  command = ["python", "train.py", "--lr=${param.lr}"]
  inputs  = ["train.py"]
  params  = { lr = 0.1, opt = "sgd" }
  sweep {
    method  = "random"
    samples = 4
    seed    = 1
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
    param "opt" { values = ["sgd", "adam"] }
  }
}
`
	const tpe = `experiment "e" {
  command = ["python", "train.py", "--lr=${param.lr}"]
  inputs  = ["train.py"]
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  metric "acc" {
    goal      = "maximize"
    tolerance = 0.01
  }
  sweep {
    method    = "tpe"
    budget    = 8
    startup   = 2
    batch     = 2
    seed      = 3
    objective = "loss"
    param "lr" {
      distribution = "log_uniform"
      min          = 1e-5
      max          = 0.1
    }
  }
  early_stop {
    rule         = "median"
    min_steps    = 2
    grace_period = 3
  }
}
`
	const plain = `experiment "e" {
  command    = ["python", "train.py"]
  inputs     = ["train.py"]
  secret_env = ["B_KEY", "A_KEY"]
  runner {
    labels  = ["gpu", "big"]
    retries = 1
  }
}
`
	for _, tc := range []struct {
		name, before string
		edits        []string // old, new pairs
		want         []string // "field: base → head"
	}{
		{"random sweep", random, []string{
			"samples = 4", "samples = 5",
			"seed    = 1", "seed    = 2",
			`"uniform"`, `"log_uniform"`,
			"min          = 0", "min          = 1e-5",
			`["sgd", "adam"]`, `["sgd", "adamw"]`,
		}, []string{
			`sweep.lr: uniform(0, 1) → log_uniform(1e-05, 1)`,
			`sweep.opt: [sgd, adam] → [sgd, adamw]`,
			`sweep.samples: 4 → 5`,
			`sweep.seed: 1 → 2`,
		}},
		{"random to grid", random, []string{
			`method  = "random"`, `method  = "grid"`,
			"samples = 4\n", "",
			"seed    = 1\n", "",
			"param \"lr\" {\n      distribution = \"uniform\"\n      min          = 0\n      max          = 1\n    }", `param "lr" { values = [0.1] }`,
		}, []string{
			`sweep.method: random → grid`,
			`sweep.lr: uniform(0, 1) → [0.1]`,
			`sweep.samples: 4 → `,
			`sweep.seed: 1 → `,
		}},
		{"tpe search", tpe, []string{
			"budget    = 8", "budget    = 12",
			"startup   = 2", "startup   = 3",
			"batch     = 2", "batch     = 4",
			"seed      = 3", "seed      = 4",
			`objective = "loss"`, `objective = "acc"`,
		}, []string{
			`sweep.batch: 2 → 4`,
			`sweep.budget: 8 → 12`,
			`sweep.objective: loss → acc`,
			`sweep.seed: 3 → 4`,
			`sweep.startup: 2 → 3`,
			// The objective is the primary metric unless one is marked.
			`metric.acc.primary:  → true`,
			`metric.loss.primary: true → `,
		}},
		{"early stop", tpe, []string{
			`rule         = "median"`, "rule = \"asha\"\n    reduction_factor = 4\n    metric = \"acc\"",
		}, []string{
			`early_stop: median min_steps=2 grace_period=3 → asha min_steps=2 grace_period=3 reduction_factor=4 metric=acc`,
		}},
		{"metrics", tpe, []string{
			`metric "loss" { goal = "minimize" }`, `metric "loss" {` + "\n    goal    = \"minimize\"\n    summary = \"min\"\n    primary = true\n  }",
			"tolerance = 0.01", "tolerance = 0.025",
			"goal      = \"maximize\"", "goal      = \"minimize\"",
		}, []string{
			`metric.acc.goal: maximize → minimize`,
			`metric.acc.tolerance: 0.01 → 0.025`,
			`metric.loss.summary: last → min`,
		}},
		{"runner and secrets", plain, []string{
			`["B_KEY", "A_KEY"]`, `["A_KEY", "C_KEY"]`,
			`["gpu", "big"]`, `["gpu"]`,
			"retries = 1", "retries = 3",
			`inputs     = ["train.py"]`, `inputs     = ["train.py", "data/**"]`,
		}, []string{
			`secret_env: A_KEY, B_KEY → A_KEY, C_KEY`,
			`runner.labels: big, gpu → gpu`,
			`runner.retries: 1 → 3`,
			`inputs: train.py → train.py, data/**`,
		}},
		{"default inputs", plain, []string{
			"inputs     = [\"train.py\"]\n", "",
			"retries = 1", "retries = 2",
		}, []string{
			`runner.retries: 1 → 2`,
			`inputs: train.py → (default: everything in the workdir but spec files)`,
		}},
		{"a sweep added", plain, []string{
			"retries = 1\n  }\n", "retries = 1\n  }\n  params = { lr = 0.1 }\n  sweep {\n    param \"lr\" { values = [0.1, 0.25] }\n  }\n",
		}, []string{
			`params.lr:  → 0.1`,
			`sweep.method:  → grid`,
			`sweep.lr:  → [0.1, 0.25]`,
		}},
		{"no change but the order of secrets and labels", plain, []string{
			`["B_KEY", "A_KEY"]`, `["A_KEY", "B_KEY"]`,
			`["gpu", "big"]`, `["big", "gpu"]`,
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			after := strings.NewReplacer(tc.edits...).Replace(tc.before)
			for i := 0; i < len(tc.edits); i += 2 {
				if !strings.Contains(tc.before, tc.edits[i]) {
					t.Fatalf("edit %q matches nothing", tc.edits[i])
				}
			}
			// train.py changes too, so that the experiment is modified
			// even where its trial keys are not.
			r := gittest.New(t)
			r.Write("train.py", "x\n")
			r.Write("experiments/e.hcl", tc.before)
			r.Commit("before")
			r.Write("train.py", "y\n")
			r.Write("experiments/e.hcl", after)
			r.Commit("after")
			var got []string
			for _, c := range changesOf(t, r, "e") {
				if c.Field == "inputs.path" {
					continue
				}
				got = append(got, fmt.Sprintf("%s: %s → %s", c.Field, c.Base, c.Head))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("changes\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

// TestDiffInputsOnOneSide: a directory that only one side has lists every
// file in it, and a file that became a directory of the same name is
// both a removed file and the directory's added files.
func TestDiffInputsOnOneSide(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Write("experiments/m.hcl", `experiment "m" {
  command = ["python", "train.py"]
  workdir = "model"
}
`)
	r.Write("model/x", "a file\n")
	r.Write("model/old/a.py", "1\n")
	r.Write("model/old/b.py", "1\n")
	r.Commit("before")
	r.Remove("model/x")
	r.Write("model/x/y.py", "now a directory\n")
	r.Remove("model/old")
	r.Write("model/new/a.py", "1\n")
	r.Write("model/new/b.py", "1\n")
	r.Commit("after")
	var got []string
	for _, c := range changesOf(t, r, "m") {
		got = append(got, fmt.Sprintf("%s %s→%s", c.Path, short(c.Base), short(c.Head)))
	}
	want := "model/new/a.py -→ok, model/new/b.py -→ok, model/old/a.py ok→-, model/old/b.py ok→-, model/x ok→-, model/x/y.py -→ok"
	if strings.Join(got, ", ") != want {
		t.Errorf("input changes\n  %s\nwant\n  %s", strings.Join(got, ", "), want)
	}
}

package spec

import "testing"

// TestDiagnosticsSayWhatToDo: where an error or warning names a remedy or
// the labels at fault, it names the right ones for the spec at hand.
func TestDiagnosticsSayWhatToDo(t *testing.T) {
	project := `executor "local" { labels = ["gpu"] }
executor "slurm" { labels = ["h100", "a100"] }
`
	for _, c := range []struct {
		name, project, exp string
		want               string // summary: detail, in part
	}{
		{"seeds alone over the limit", "", `command = ["t"]
  seeds = flatten([for i in range(11) : range(i * 1000, i * 1000 + 1000)])`,
			`Too many trials: Experiment "e" expands to 11000 trials (1 param points × 11000 seeds), more than the limit of 10000; set max_trials in the sweep block if you mean it.`},
		{"a sweep over the default limit", "", `command = ["t"]
  params = { a = 0, b = 0 }
  seeds = [1, 2]
  sweep {
    param "a" { values = range(100) }
    param "b" { values = range(51) }
  }`,
			`Too many trials: Experiment "e" expands to 10200 trials (5100 param points × 2 seeds), more than the limit of 10000; set max_trials in the sweep block if you mean it.`},
		{"a sweep over its max_trials", "", `command = ["t"]
  params = { a = 0 }
  sweep {
    max_trials = 3
    param "a" { values = range(4) }
  }`,
			`Too many trials: Experiment "e" expands to 4 trials (4 param points × 1 seeds), more than the limit of 3; raise max_trials if you mean it.`},
		// A search's budget: the nearest budgets the seeds divide, the
		// one above when none is below, the most the domain holds, and how
		// far above startup the budget must go for TPE to propose a point.
		{"a budget the seeds do not divide", "", `command = ["t"]
  params = { lr = 0.1 }
  seeds  = [1, 2, 3]
  metric "loss" { goal = "minimize" }
  sweep {
    method = "tpe"
    budget = 40
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
  }`,
			`Impossible budget: Every point runs all 3 seeds, so a budget of 40 trials is not a whole number of points; use 39 or 42.`},
		{"a budget below one point", "", `command = ["t"]
  params = { lr = 0.1 }
  seeds  = [1, 2, 3]
  metric "loss" { goal = "minimize" }
  sweep {
    method = "tpe"
    budget = 2
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
  }`,
			`Impossible budget: Every point runs all 3 seeds, so a budget of 2 trials is not a whole number of points; use 3.`},
		{"a budget past the domain", "", `command = ["t"]
  params = { opt = "sgd", layers = 2 }
  seeds  = [1, 2]
  metric "loss" { goal = "minimize" }
  sweep {
    method  = "tpe"
    budget  = 18
    startup = 2
    param "opt" { values = ["sgd", "adam"] }
    param "layers" {
      distribution = "int"
      min          = 1
      max          = 4
    }
  }`,
			`Impossible budget: The domain holds 8 distinct points, fewer than the budget's 9 (18 trials / 2 seeds), so the search would repeat itself; lower budget to 16 or less, or use method = "grid".`},
		{"a budget startup spends", "", `command = ["t"]
  params = { lr = 0.1 }
  seeds  = [1, 2]
  metric "loss" { goal = "minimize" }
  sweep {
    method  = "tpe"
    budget  = 12
    startup = 6
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
  }`,
			`Search is random: startup is 6 and the budget holds 6 points, so every point is drawn at random and TPE never proposes one. Raise budget above 12 trials, or lower startup.`},
		// A number that must be whole is quoted in full.
		{"a fractional seed", "", `command = ["t"]
  seeds = [1, 2.25]`,
			`Incorrect attribute value type: "seeds" must hold whole numbers, got 2.25.`},
		{"fractional retries", "", `command = ["t"]
  runner { retries = 2.25 }`,
			`Incorrect attribute value type: "retries" must be a whole number, got 2.25.`},
		// A value that is not one of a few names lists them all: two
		// joined by "or", more with commas before the last "or".
		{"an executor assay does not know", `executor "kubernetes" {}`, `command = ["t"]`,
			`Unknown executor: There is no executor "kubernetes"; use one of "local" or "slurm".`},
		{"a summary that is not one of four", "", `command = ["t"]
  metric "acc" {
    goal    = "maximize"
    summary = "median"
  }`,
			`Invalid summary: "median" is not a valid summary; use one of "last", "min", "max" or "mean".`},
		// The slurm executor lacks one of the three labels, local two: the
		// warning names the one.
		{"the labels the closest executor lacks", project, `command = ["t"]
  runner { labels = ["gpu", "h100", "a100"] }`,
			`Labels no executor offers: Experiment "e" asks for labels gpu, h100, a100; no executor in assay.hcl offers gpu.`},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{"experiments/e.hcl": "experiment \"e\" {\n  " + c.exp + "\n}\n"}
			if c.project != "" {
				files["assay.hcl"] = c.project
			}
			_, diags := loadSrc(t, files)
			var got []string
			for _, d := range diags {
				got = append(got, d.Summary+": "+d.Detail)
			}
			if len(got) != 1 || got[0] != c.want {
				t.Errorf("diagnostics %q, want %q", got, c.want)
			}
		})
	}
}

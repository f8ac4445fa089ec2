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

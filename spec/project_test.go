package spec

import (
	"fmt"
	"testing"
)

// TestProjectBlockErrors: each setting of the project block that cannot
// be used is refused with what is wrong with it.
func TestProjectBlockErrors(t *testing.T) {
	for _, c := range []struct{ name, project, want string }{
		{"absolute glob", `experiments = ["/exp/*.hcl"]`, `Invalid experiments glob: "/exp/*.hcl" is absolute; globs are relative to the repository root.`},
		{"glob out of the repository", `experiments = ["exp/../../x/*.hcl"]`, `Invalid experiments glob: "exp/../../x/*.hcl" leaves the repository.`},
		{"empty glob", `experiments = [""]`, `Invalid experiments glob: "" is empty.`},
		{"no glob", `experiments = []`, `No experiments glob: project.experiments must name at least one glob, such as "experiments/**/*.hcl".`},
		{"glob that is ..", `experiments = [".."]`, `Invalid experiments glob: ".." leaves the repository.`},
		{"glob starting with ..", `experiments = ["../x/*.hcl"]`, `Invalid experiments glob: "../x/*.hcl" leaves the repository.`},
		{"glob ending in ..", `experiments = ["exp/.."]`, `Invalid experiments glob: "exp/.." leaves the repository.`},
		{"empty branch", `results_branch = ""`, `Invalid results branch: "" is empty.`},
		{"branch starting with /", `results_branch = "/results"`, `Invalid results branch: "/results" has an empty path component.`},
		{"branch ending in /", `results_branch = "results/"`, `Invalid results branch: "results/" has an empty path component.`},
		{"branch with ..", `results_branch = "a..b"`, `Invalid results branch: "a..b" is not a valid git branch name.`},
		{"branch with a space", `results_branch = "ml results"`, `Invalid results branch: "ml results" is not a valid git branch name.`},
		{"branch starting with -", `results_branch = "-results"`, `Invalid results branch: "-results" is not a valid git branch name.`},
		{"branch with an empty component", `results_branch = "ml//results"`, `Invalid results branch: "ml//results" has an empty path component.`},
		{"branch ending in .lock", `results_branch = "results.lock"`, `Invalid results branch: "results.lock" is not a valid git branch name.`},
		{"max_trials of 0", `max_trials = 0`, `Value out of range: "max_trials" must be between 1 and 2147483647, got 0.`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, diags := loadSrc(t, map[string]string{
				"assay.hcl":         "project {\n  " + c.project + "\n}\n",
				"experiments/e.hcl": "experiment \"e\" {\n  command = [\"t\"]\n}\n",
			})
			if got := errorsOf(diags); len(got) != 1 || got[0] != c.want {
				t.Errorf("errors %q, want %q", got, c.want)
			}
		})
	}
}

// TestProjectSettings: the project block's settings are read as written.
func TestProjectSettings(t *testing.T) {
	p, diags := loadSrc(t, map[string]string{
		"assay.hcl": `project {
  experiments    = ["exp/*.hcl", "more/**/*.hcl"]
  results_branch = "ml/results"
  results_repo   = "https://example.com/results.git"
  artifact_store = "file:///srv/artifacts"
  max_trials     = 7
}
`,
		"exp/e.hcl": "experiment \"e\" {\n  command = [\"t\"]\n}\n",
	})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	s := p.Settings
	if len(s.Experiments) != 2 || s.Experiments[1] != "more/**/*.hcl" || s.ResultsBranch != "ml/results" ||
		s.ResultsRepo != "https://example.com/results.git" || s.ArtifactStore != "file:///srv/artifacts" || s.MaxTrials != 7 {
		t.Errorf("settings %+v", s)
	}
}

// TestGitHubBlock: allow_forks is read as written, and approval_label,
// kept only so the fork gate can say it no longer approves, is the label
// named (the default when empty) with a warning on its name.
func TestGitHubBlock(t *testing.T) {
	for _, c := range []struct {
		name, block string
		forks       bool
		label       string
		warnLine    int
	}{
		{"defaults", "github {}", false, DefaultApprovalLabel, 0},
		{"forks allowed", "github {\n  allow_forks = true\n}", true, DefaultApprovalLabel, 0},
		{"a label", "github {\n  allow_forks    = false\n  approval_label = \"ok-to-test\"\n}", false, "ok-to-test", 3},
		{"an empty label", "github {\n  approval_label = \"\"\n}", false, DefaultApprovalLabel, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, diags := loadSrc(t, map[string]string{
				"assay.hcl":         c.block + "\n",
				"experiments/e.hcl": "experiment \"e\" {\n  command = [\"t\"]\n}\n",
			})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if p.GitHub.AllowForks != c.forks || p.GitHub.ApprovalLabel != c.label {
				t.Errorf("github %+v, want allow_forks %v, approval_label %q", p.GitHub, c.forks, c.label)
			}
			var lines []int
			for _, d := range diags {
				if d.Summary == "approval_label no longer approves" && d.Subject != nil {
					lines = append(lines, d.Subject.Start.Line)
				}
			}
			var want []int
			if c.warnLine != 0 {
				want = []int{c.warnLine}
			}
			if fmt.Sprint(lines) != fmt.Sprint(want) {
				t.Errorf("approval_label warnings on lines %v, want %v", lines, want)
			}
		})
	}
}

package runner

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// experimentHCL is a small experiment: a 2-point sweep over lr and two
// seeds, in workdir models/<name>.
func experimentHCL(name, lr string) string {
	return fmt.Sprintf(`experiment %q {
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
  workdir = "models/%s"
  params  = { lr = %s }
  sweep {
    param "lr" { values = [%s, 0.5] }
  }
  seeds  = [1, 2]
  runner { labels = ["gpu"] }
}
`, name, name, lr, lr)
}

// mlRepo is a repository with three experiments on main, each in its own
// spec file with its own model directory.
func mlRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	r.Write("assay.hcl", "project {}\n")
	r.Write("README.md", "# models\n")
	for _, name := range []string{"alpha", "beta", "gamma"} {
		r.Write("experiments/"+name+".hcl", experimentHCL(name, "0.1"))
		r.Write("models/"+name+"/train.py", "print('"+name+"')\n")
		r.Write("models/"+name+"/lib/util.py", "X = 1\n")
	}
	r.Commit("three experiments")
	return r
}

func openRepo(t *testing.T, dir string) *gitrepo.Repo {
	t.Helper()
	repo, err := gitrepo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { repo.Close() })
	return repo
}

// buildPlan plans the repository at dir; spec errors and git errors fail
// the test.
func buildPlan(t *testing.T, dir string, opts PlanOptions) *Plan {
	t.Helper()
	p, diags, err := tryPlan(t, dir, opts)
	if err != nil {
		t.Fatalf("BuildPlan: %v", err)
	}
	if diags.HasErrors() {
		t.Fatalf("BuildPlan diagnostics: %v", diags)
	}
	return p
}

func tryPlan(t *testing.T, dir string, opts PlanOptions) (*Plan, hcl.Diagnostics, error) {
	t.Helper()
	if opts.ProjectDir == "" {
		opts.ProjectDir = dir
	}
	return BuildPlan(context.Background(), openRepo(t, dir), opts)
}

// statuses maps each experiment of a plan to its status.
func statuses(p *Plan) map[string]ExperimentStatus {
	out := map[string]ExperimentStatus{}
	for _, e := range p.Experiments {
		out[e.Name] = e.Status
	}
	return out
}

// recordedKeys is a results store that knows a fixed set of keys.
type recordedKeys map[string]bool

func (r recordedKeys) Recorded(key string) bool { return r[key] }

func findChange(cs []Change, field, path string) *Change {
	for i := range cs {
		if cs[i].Field == field && cs[i].Path == path {
			return &cs[i]
		}
	}
	return nil
}

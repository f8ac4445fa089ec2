package runner

import (
	"context"
	"fmt"
	"os/exec"
	"testing"

	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// BenchmarkPlan plans two commits of a repository with 200 experiments
// and 6,000 files that differ in a few files, beside the baseline of git
// reading both trees (git ls-tree -r), measured in the same run. The
// full-size benchmark (100,000 files, 1,000 experiments) is
// bench/plan.sh.
func BenchmarkPlan(b *testing.B) {
	r := gittest.New(b)
	const exps, filesPer = 200, 30
	r.Write("assay.hcl", "project {}\n")
	for e := 0; e < exps; e++ {
		name := fmt.Sprintf("e%03d", e)
		r.Write("experiments/"+name+".hcl", experimentHCL(name, "0.1"))
		for i := 0; i < filesPer; i++ {
			r.Write(fmt.Sprintf("models/%s/pkg%d/f%02d.py", name, i%3, i), fmt.Sprintf("x = %d\n", i))
		}
	}
	r.Commit("A")
	r.Git("tag", "A")
	r.Write("experiments/e007.hcl", experimentHCL("e007", "0.03"))
	r.Write("models/e100/pkg1/f01.py", "x = 100\n")
	r.Commit("B")
	r.Git("tag", "B")

	b.Run("assay", func(b *testing.B) {
		for b.Loop() {
			repo, err := gitrepo.Open(r.Dir)
			if err != nil {
				b.Fatal(err)
			}
			p, diags, err := BuildPlan(context.Background(), repo, PlanOptions{ProjectDir: r.Dir, Base: "A", Head: "B"})
			if err != nil || diags.HasErrors() {
				b.Fatal(err, diags)
			}
			if s := p.Summary(); s.Modified != 2 {
				b.Fatalf("summary %+v", s)
			}
			repo.Close()
		}
	})
	b.Run("git-ls-tree", func(b *testing.B) {
		for b.Loop() {
			for _, rev := range []string{"A", "B"} {
				cmd := exec.Command("git", "ls-tree", "-r", rev)
				cmd.Dir = r.Dir
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

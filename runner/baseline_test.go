package runner

import (
	"context"
	"testing"

	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

type keySet map[string]bool

func (k keySet) Recorded(key string) bool { return k[key] }

// The baseline is the base side of what changed, minus what is recorded.
func TestBaselineTrials(t *testing.T) {
	r := gittest.New(t)
	r.Write("assay.hcl", "project {}\n")
	r.Write("experiments/a.hcl", experimentHCL("a", "0.1"))
	r.Write("experiments/b.hcl", experimentHCL("b", "0.1"))
	r.Write("experiments/c.hcl", experimentHCL("c", "0.1"))
	r.Commit("base")
	r.Git("tag", "base")
	r.Write("experiments/a.hcl", experimentHCL("a", "0.03")) // modified
	r.Remove("experiments/c.hcl")                            // removed
	r.Write("experiments/d.hcl", experimentHCL("d", "0.1"))  // added
	r.Commit("head")

	repo, err := gitrepo.Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	p, diags, err := BuildPlan(context.Background(), repo, PlanOptions{ProjectDir: r.Dir, Base: "base", Head: "HEAD"})
	if err != nil || diags.HasErrors() {
		t.Fatal(err, diags)
	}
	run, reused := p.BaselineTrials()
	want := map[string]int{}
	for _, e := range p.Experiments {
		if e.Name == "a" || e.Name == "c" {
			want[e.Name] = len(e.BaseTrials)
		}
	}
	got := map[string]int{}
	for _, tr := range run {
		got[tr.Experiment]++
	}
	if len(got) != 2 || got["a"] != want["a"] || got["c"] != want["c"] || len(reused) != 0 {
		t.Fatalf("baseline runs %v (want %v), reuses %d", got, want, len(reused))
	}
	p.UseRecorded(keySet{run[0].Key: true})
	run2, reused2 := p.BaselineTrials()
	if len(run2) != len(run)-1 || len(reused2) != 1 || reused2[0].Key != run[0].Key {
		t.Errorf("a recorded base trial must be reused: %d run, %d reused", len(run2), len(reused2))
	}
}

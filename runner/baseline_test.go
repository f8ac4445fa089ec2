package runner

import (
	"context"
	"strings"
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

// baseSideRepo is mlRepo with a feature branch that lowers alpha's
// learning rate (its lr=0.5 config is the same on both sides), removes
// gamma and adds delta.
func baseSideRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := mlRepo(t)
	r.Git("checkout", "-q", "-b", "feature")
	r.Write("experiments/alpha.hcl", experimentHCL("alpha", "0.03"))
	r.Remove("experiments/gamma.hcl")
	r.Write("experiments/delta.hcl", experimentHCL("delta", "0.1"))
	r.Write("models/delta/train.py", "print('delta')\n")
	r.Commit("feature")
	return r
}

// With a base side, the plan also selects the base trials of modified and
// removed experiments, except those whose key the head runs too; what is
// recorded is reused. Without it, or with --scheduled, there is none.
func TestBaseSideSelection(t *testing.T) {
	t.Parallel()
	r := baseSideRepo(t)
	p := buildPlan(t, r.Dir, PlanOptions{Base: "main", Head: "feature", WithBaseline: true})
	alpha, gamma, delta := p.Experiment("alpha"), p.Experiment("gamma"), p.Experiment("delta")
	head := map[string]bool{}
	for _, tr := range alpha.HeadTrials {
		head[tr.Key] = true
	}
	shared := 0
	for _, tr := range alpha.BaseTrials {
		if head[tr.Key] {
			shared++
		}
	}
	if shared != 2 {
		t.Fatalf("alpha shares %d keys across the sides, the fixture wants 2 (lr=0.5)", shared)
	}
	if len(alpha.BaseSelected) != 2 || len(alpha.BaseToRun) != 2 {
		t.Errorf("alpha base side %d selected, %d to run; want the 2 trials of lr=0.1 only", len(alpha.BaseSelected), len(alpha.BaseToRun))
	}
	for _, tr := range alpha.BaseToRun {
		if head[tr.Key] || tr.Params["lr"] != 0.1 {
			t.Errorf("alpha base-side trial %s lr=%v: the head runs it, or it is not the base's", tr.ShortKey(), tr.Params["lr"])
		}
	}
	if len(gamma.BaseToRun) != 4 || len(delta.BaseSelected) != 0 || len(p.Experiment("beta").BaseSelected) != 0 {
		t.Errorf("base side: gamma %d, delta %d, beta %d; want the removed gamma's 4 only",
			len(gamma.BaseToRun), len(delta.BaseSelected), len(p.Experiment("beta").BaseSelected))
	}
	if s := p.Summary(); s.ToRun != 8 || s.BaseToRun != 6 || s.Selected != 3 {
		t.Errorf("summary %+v: want 8 head trials (alpha, delta), 6 base (alpha, gamma), in 3 experiments", s)
	}

	p.UseRecorded(keySet{gamma.BaseTrials[0].Key: true})
	if s := p.Summary(); s.BaseToRun != 5 || s.BaseReused != 1 {
		t.Errorf("after one base trial is recorded: %+v", s)
	}
	// A removed experiment whose base trials are all recorded still
	// counts: the comparison reads them.
	gammaDone := keySet{}
	for _, tr := range gamma.BaseTrials {
		gammaDone[tr.Key] = true
	}
	q := buildPlan(t, r.Dir, PlanOptions{Base: "main", Head: "feature", WithBaseline: true, Recorded: gammaDone})
	if s := q.Summary(); s.BaseToRun != 2 || s.BaseReused != 4 || s.Selected != 3 {
		t.Errorf("with gamma's base trials recorded: %+v, want 2 base trials to run (alpha), 4 reused, 3 experiments", s)
	}
	d := p.Document()
	if len(d.BaseTrials) != 6 || d.BaseTrials[0].Side != "base" || d.Trials[0].Side != "head" || !d.Selection.WithBaseline {
		t.Errorf("document: %d base trials (%+v), head side %q", len(d.BaseTrials), d.BaseTrials, d.Trials[0].Side)
	}
	for _, e := range d.Experiments {
		if c := e.Trials; e.Name == "gamma" && (c.BaseToRun != 3 || c.BaseReused != 1) {
			t.Errorf("gamma's counts %+v", c)
		}
	}

	p.Clear()
	if s := p.Summary(); s.ToRun+s.Reused+s.BaseToRun+s.BaseReused != 0 {
		t.Errorf("a cleared plan still has trials: %+v", s)
	}

	for _, o := range []PlanOptions{{}, {Scheduled: true, WithBaseline: true}} {
		o.Base, o.Head = "main", "feature"
		if s := buildPlan(t, r.Dir, o).Summary(); s.BaseToRun+s.BaseReused != 0 {
			t.Errorf("%+v: base side %+v, want none", o, s)
		}
	}
}

// The shards of a plan with a base side cover every trial to run, head
// and base, exactly once; a base trial goes to a shard of its own labels;
// two plans agree on every shard; KeepShard narrows both sides.
func TestShardsCoverBothSides(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Git("checkout", "-q", "-b", "feature")
	r.Write("experiments/alpha.hcl", strings.Replace(experimentHCL("alpha", "0.03"), `labels = ["gpu"]`, `labels = ["gpu", "a100"]`, 1))
	r.Remove("experiments/gamma.hcl")
	r.Commit("alpha moves to a100; gamma goes")
	opts := PlanOptions{Base: "main", Head: "feature", WithBaseline: true}
	p, again := buildPlan(t, r.Dir, opts), buildPlan(t, r.Dir, opts)
	base := map[string]bool{}
	for _, tr := range p.BaseToRun() {
		base[tr.Key] = true
	}
	if len(base) != 8 || len(p.ToRun()) != 4 {
		t.Fatalf("%d base trials, %d head; want alpha's and gamma's 8, alpha's 4", len(base), len(p.ToRun()))
	}
	for _, n := range []int{2, 3, 5, 12} {
		seen := map[string]int{}
		for i := 1; i <= n; i++ {
			ts, err := p.Shard(i, n)
			if err != nil {
				t.Fatal(err)
			}
			other, _ := again.Shard(i, n)
			if strings.Join(keysOf(ts), " ") != strings.Join(keysOf(other), " ") {
				t.Errorf("shard %d/%d differs between two plans", i, n)
			}
			labels := map[string]bool{}
			for _, tr := range ts {
				seen[tr.Key]++
				labels[strings.Join(tr.Runner.Labels, ",")] = true
			}
			if len(labels) > 1 {
				t.Errorf("shard %d/%d mixes label sets %v", i, n, labels)
			}
		}
		if len(seen) != 12 {
			t.Errorf("n=%d: the shards hold %d trials, want 12", n, len(seen))
		}
		for k, c := range seen {
			if c != 1 {
				t.Errorf("n=%d: trial %.12s in %d shards", n, k, c)
			}
		}
	}

	m, err := p.Matrix(MatrixOptions{MaxShards: 4})
	if err != nil {
		t.Fatal(err)
	}
	trials, baseTrials := 0, 0
	for _, e := range m.Include {
		trials += e.Trials
		baseTrials += e.BaseTrials
		q := buildPlan(t, r.Dir, opts)
		i, n, _ := ParseShard(e.Shard)
		if err := q.KeepShard(i, n); err != nil {
			t.Fatal(err)
		}
		if got := len(q.ToRun()) + len(q.BaseToRun()); got != e.Trials || len(q.BaseToRun()) != e.BaseTrials {
			t.Errorf("shard %s: KeepShard keeps %d trials (%d base), the matrix promised %d (%d base)",
				e.Shard, got, len(q.BaseToRun()), e.Trials, e.BaseTrials)
		}
		for _, tr := range q.BaseToRun() {
			if !base[tr.Key] {
				t.Errorf("shard %s: %s is not a base trial", e.Shard, tr.ShortKey())
			}
		}
	}
	if trials != 12 || baseTrials != 8 {
		t.Errorf("the matrix runs %d trials, %d of them base; want 12 and 8", trials, baseTrials)
	}
}

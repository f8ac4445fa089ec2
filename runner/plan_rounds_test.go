package runner

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

func searchHCL(budget int) string {
	return strings.Replace(`experiment "search" {
  command = ["python", "train.py", "--lr=${param.lr}"]
  workdir = "models/search"
  params  = { lr = 0.1, layers = 2, opt = "sgd" }
  metric "loss" { goal = "minimize" }
  sweep {
    method  = "tpe"
    budget  = BUDGET
    batch   = 4
    startup = 4
    param "lr" {
      distribution = "log_uniform"
      min          = 1e-4
      max          = 1
    }
    param "layers" {
      distribution = "int"
      min          = 1
      max          = 6
    }
    param "opt" { values = ["sgd", "adam", "lion"] }
  }
  seeds = [1]
}
`, "BUDGET", strconv.Itoa(budget), 1)
}

// A pull request that raises a finished search's budget: planned before
// the results are known, both sides start with the same round and the
// search looks unchanged; with the history, the head's search goes on to
// its next round while the base's is done, so the experiment is modified
// (the diff names the budget), the next round's 4 trials run, the 12
// settled ones are reused, and only the next round is sharded.
func TestPlanContinuesASearchFromHistory(t *testing.T) {
	r := gittest.New(t)
	r.Write("assay.hcl", "project {}\n")
	r.Write("experiments/search.hcl", searchHCL(12))
	r.Write("models/search/train.py", "print('train')\n")
	r.Commit("a search")
	main := buildPlan(t, r.Dir, PlanOptions{All: true, Head: "main"})
	h := newMemHistory()
	e := main.Experiment("search")
	runSearchWith(t, e.Head, e.HeadTrials[0].Inputs, h)

	r.Git("checkout", "-q", "-b", "more")
	r.Write("experiments/search.hcl", searchHCL(16))
	r.Commit("budget 16")

	p := buildPlan(t, r.Dir, PlanOptions{Base: "main", Head: "more"})
	if st := p.Experiment("search").Status; st != ExperimentUnchanged {
		t.Fatalf("without history: %s, want unchanged (both sides start alike)", st)
	}
	if len(p.Searches()) != 0 || len(p.SearchJobs()) != 0 {
		t.Errorf("an unselected search has a round to run: %d searches, %d jobs", len(p.Searches()), len(p.SearchJobs()))
	}
	p.UseHistory(h)
	e = p.Experiment("search")
	if s := p.Searches(); len(s) != 1 || s[0] != e.Search || len(p.SearchJobs()) != 16 {
		t.Errorf("with history: %d searches with a round to run, %d jobs; want the search and its 16 trials so far", len(s), len(p.SearchJobs()))
	}
	// At main the search has spent its budget: nothing left to run.
	done := buildPlan(t, r.Dir, PlanOptions{All: true, Head: "main", History: h})
	if len(done.Searches()) != 0 || len(done.SearchJobs()) != 12 {
		t.Errorf("a finished search: %d searches with a round to run, %d jobs; want none and 12", len(done.Searches()), len(done.SearchJobs()))
	}
	if sd := done.Document().Experiments[0].Search; sd.Rounds != 3 || sd.RoundsDone != 3 || sd.NextRound != nil || len(sd.Next) != 0 || sd.Settled != 12 {
		t.Errorf("a finished search's document %+v: want 3 of 3 rounds done, 12 trials settled, nothing next", sd)
	}
	if e.Status != ExperimentModified || !e.Selected {
		t.Fatalf("with history: %s, selected %v", e.Status, e.Selected)
	}
	if c := findChange(e.Changes, "sweep.budget", ""); c == nil || c.Base != "12" || c.Head != "16" {
		t.Errorf("changes %+v", e.Changes)
	}
	if len(e.ToRun) != 4 || len(e.Reused) != 12 || e.Search.Next.Index != 3 || e.BaseSearch.Next != nil {
		t.Fatalf("to run %d, reused %d, next %+v", len(e.ToRun), len(e.Reused), e.Search.Next)
	}
	if got := p.sharded(); len(got) != 4 || got[0] != e.ToRun[0] {
		t.Errorf("sharded %d trials, want the next round's 4", len(got))
	}
	jobs := NewJobs(p.HeadProject, e.ToRun)
	p.AttachSearch(jobs)
	if o := jobs[0].Search; o == nil || o.Round != 3 || o.Proposal != 12 {
		t.Errorf("origin %+v", o)
	}
	d := p.Document()
	sd := d.Experiments[0].Search
	if sd == nil || sd.Budget != 16 || sd.RoundsDone != 3 || *sd.NextRound != 3 || len(sd.Next) != 4 || sd.Best == nil {
		t.Fatalf("search document %+v", sd)
	}
	if sd.Method != "tpe" || sd.Batch != 4 || sd.Rounds != 4 || sd.Settled != 12 || sd.Stopped != 0 || sd.Failed != 0 || sd.Objective != "loss" || sd.EarlyStop != "" {
		t.Errorf("search document %+v: want tpe, 4 rounds of 4, 12 settled, none stopped or failed, on loss", sd)
	}
	if n := sd.Next[0]; n.Round != 3 || n.Proposal != 12 || n.Value != nil || n.Settled || !strings.Contains(string(n.Params), `"lr":`) {
		t.Errorf("next point %+v %s: want round 3's first, no value yet", n, n.Params)
	}
	if b := sd.Best; b.Value == nil || !b.Settled || b.Round > 2 {
		t.Errorf("best point %+v: want a settled point of rounds 0 to 2 with its value", b)
	}
	if d.Trials[len(d.Trials)-1].Search == nil {
		t.Error("trial documents do not say their round")
	}
	// No base side runs for a search: its base is its history.
	if run, _ := p.BaselineTrials(); len(run) != 0 {
		t.Errorf("%d base trials to run", len(run))
	}
}

// A search the branch adds goes on with the history too: once its first
// round has results, the plan runs the second and reuses the first. A
// search the branch removes is replayed as far as its history goes.
func TestUseHistoryMovesAnAddedSearchOn(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Write("assay.hcl", "project {}\n")
	r.Write("models/search/train.py", "print('train')\n")
	r.Commit("no search yet")
	r.Write("experiments/search.hcl", searchHCL(12))
	r.Commit("a search")
	p := buildPlan(t, r.Dir, PlanOptions{Base: "HEAD~1", Head: "HEAD"})
	e := p.Experiment("search")
	if e.Status != ExperimentAdded || e.Search == nil || e.Search.Next.Index != 0 || len(e.ToRun) != 4 {
		t.Fatalf("without history: %s, to run %d", e.Status, len(e.ToRun))
	}
	h := newMemHistory()
	for _, tr := range e.ToRun {
		h.record(tr, StatusSucceeded, "batch-0", 1, map[string][]Point{"loss": {{Step: 1, Value: lossOf(tr)}}})
	}
	p.UseHistory(h)
	e = p.Experiment("search")
	if e.Search.Next.Index != 1 || len(e.ToRun) != 4 || len(e.Reused) != 4 || e.Search.Best == nil {
		t.Errorf("with the first round's results: next round %d, %d to run, %d reused; want round 1, 4 and 4", e.Search.Next.Index, len(e.ToRun), len(e.Reused))
	}
	if s := p.Summary(); s.ToRun != 4 || s.Reused != 4 || s.Added != 1 {
		t.Errorf("summary %+v", s)
	}

	// The other way round: the branch removes it.
	r.Remove("experiments/search.hcl")
	r.Commit("no search")
	p = buildPlan(t, r.Dir, PlanOptions{Base: "HEAD~1", Head: "HEAD"})
	p.UseHistory(h)
	if e := p.Experiment("search"); e.Status != ExperimentRemoved || e.BaseSearch == nil || e.BaseSearch.Next.Index != 1 || len(e.BaseTrials) != 8 {
		t.Errorf("removed search with history: %s, base search %+v, %d base trials; want round 1 next, 8 trials", e.Status, e.BaseSearch, len(e.BaseTrials))
	}
}

// The search document counts the budget in trials and the rounds in
// points: 12 trials of 2 seeds are 6 points, in rounds of 4 and 2.
func TestSearchDocumentCountsTrialsAndPoints(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Write("assay.hcl", "project {}\n")
	r.Write("models/search/train.py", "print('train')\n")
	r.Write("experiments/search.hcl", strings.Replace(searchHCL(12), "seeds = [1]", "seeds = [1, 2]", 1))
	r.Commit("a search over two seeds")
	p := buildPlan(t, r.Dir, PlanOptions{All: true, Head: "HEAD"})
	sd := p.Document().Experiments[0].Search
	if sd == nil || sd.Budget != 12 || sd.Batch != 4 || sd.Rounds != 2 || sd.RoundsDone != 0 || len(sd.Next) != 4 {
		t.Errorf("search document %+v: want a budget of 12 trials, 2 rounds of up to 4 points, the first 4 next", sd)
	}
	if e := p.Experiment("search"); len(e.ToRun) != 8 {
		t.Errorf("%d trials to run, want the first round's 4 points × 2 seeds", len(e.ToRun))
	}
	// Each trial is numbered in proposal order, seeds of a point together.
	var got []string
	for _, tr := range p.Document().Trials {
		got = append(got, fmt.Sprintf("%d:%d:%d", tr.Index, tr.Config, tr.Seed))
	}
	if want := "0:0:1 1:0:2 2:1:1 3:1:2 4:2:1 5:2:2 6:3:1 7:3:2"; strings.Join(got, " ") != want {
		t.Errorf("trials (index:config:seed) %s, want %s", strings.Join(got, " "), want)
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/github/fakegithub"
	"github.com/assaylab/assay/runner"
)

// recordedRun is what these tests read back from a run record.
type recordedRun struct {
	TrialKey     string         `json:"trial_key"`
	Params       map[string]any `json:"params"`
	Status       string         `json:"status"`
	SourceCommit string         `json:"source_commit"`
	Trigger      string         `json:"trigger"`
	PR           int            `json:"pr"`
}

// records reads every run record on the results branch with the git CLI,
// an independent reader of what assay wrote.
func (e *reportEnv) records() []recordedRun {
	e.t.Helper()
	var out []recordedRun
	for _, p := range strings.Split(e.git("ls-tree", "-r", "--name-only", "assay/results"), "\n") {
		if !strings.HasPrefix(p, "runs/") || !strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".series.json") {
			continue
		}
		var r recordedRun
		if err := json.Unmarshal([]byte(e.git("show", "assay/results:"+p)), &r); err != nil {
			e.t.Fatalf("%s: %v", p, err)
		}
		out = append(out, r)
	}
	return out
}

// The first pull request after adoption: main has no results at all. The
// plan puts the base's trials in the matrix beside the head's; each shard
// runs its share, base trials from the base commit's files; together the
// shards run every trial once, the base's recorded with the base commit.
// A second plan runs nothing, and the report compares both sides.
func TestFirstPullRequestRunsTheBaseSideInTheMatrix(t *testing.T) {
	e := newReportEnv(t, trainProject)
	for _, route := range fakegithub.Routes() {
		e.gh.Expect(route).AtLeast(0)
	}
	base := e.git("rev-parse", "HEAD")
	e.git("checkout", "-q", "-b", "feature")
	spec := filepath.Join(e.dir, "experiments/train.hcl")
	src, _ := os.ReadFile(spec)
	os.WriteFile(spec, []byte(strings.Replace(string(src), "lr = 0.1", "lr = 0.03", 1)), 0o644)
	e.git("commit", "-q", "-am", "lower the learning rate")
	head := e.git("rev-parse", "HEAD")
	pr := e.repo.AddPullRequest(fakegithub.PullRequest{HeadSHA: head, BaseSHA: base})
	e.event(pr)

	var doc runner.PlanDocument
	if err := json.Unmarshal([]byte(e.mustAssay("plan", "--format", "json")), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.BaseTrials) != 3 || len(doc.Trials) != 3 || doc.Summary.BaseToRun != 3 || !doc.Selection.WithBaseline {
		t.Fatalf("plan: %d base trials, %d head, summary %+v; want 3 and 3", len(doc.BaseTrials), len(doc.Trials), doc.Summary)
	}
	side := map[string]string{}
	for _, td := range append(doc.BaseTrials, doc.Trials...) {
		side[td.Key] = td.Side
	}
	table := e.mustAssay("plan")
	for _, want := range []string{"BASE RUN", "SIDE", "6 trials to run (3 on the base side), 0 reused, in 1 experiment"} {
		if !strings.Contains(table, want) {
			t.Errorf("the plan's table lacks %q:\n%s", want, table)
		}
	}

	var m struct {
		Include []runner.MatrixEntry `json:"include"`
	}
	if err := json.Unmarshal([]byte(e.mustAssay("plan", "--format", "github-matrix", "--max-shards", "4")), &m); err != nil {
		t.Fatal(err)
	}
	trials, baseTrials := 0, 0
	for _, s := range m.Include {
		trials += s.Trials
		baseTrials += s.BaseTrials
	}
	if len(m.Include) != 4 || trials != 6 || baseTrials != 3 {
		t.Fatalf("matrix %+v: want 4 shards of 6 trials, 3 of them the base's", m.Include)
	}
	for _, s := range m.Include {
		code, out, errOut := e.assay("run", "--shard", s.Shard)
		if code != 0 {
			t.Fatalf("run --shard %s: exit %d\n%s%s", s.Shard, code, out, errOut)
		}
		if ran := strings.Contains(errOut, "Base side: "); ran != (s.BaseTrials > 0) {
			t.Errorf("shard %s has %d base trials, but its run says:\n%s", s.Shard, s.BaseTrials, errOut)
		}
	}

	runs := e.records()
	count := map[string]int{}
	for _, r := range runs {
		count[r.TrialKey]++
		wantCommit, wantLR := head, 0.03
		if side[r.TrialKey] == "base" {
			wantCommit, wantLR = base, 0.1
		}
		if r.SourceCommit != wantCommit || r.Params["lr"] != wantLR || r.Status != "succeeded" || r.Trigger != "pr" || r.PR != pr {
			t.Errorf("%s trial %.12s recorded %+v; want source commit %.12s, lr %v, succeeded, pr #%d", side[r.TrialKey], r.TrialKey, r, wantCommit, wantLR, pr)
		}
	}
	if len(runs) != 6 || len(count) != 6 {
		t.Errorf("%d records of %d trials; want each of the 6 once: %v", len(runs), len(count), count)
	}
	for k, s := range side {
		if count[k] != 1 {
			t.Errorf("%s trial %.12s recorded %d times", s, k, count[k])
		}
	}

	if out := strings.TrimSpace(e.mustAssay("plan", "--format", "github-matrix")); out != `{"include":[]}` {
		t.Errorf("a second plan has shards: %s", out)
	}
	var again runner.PlanDocument
	json.Unmarshal([]byte(e.mustAssay("plan", "--format", "json")), &again)
	if s := again.Summary; s.ToRun+s.BaseToRun != 0 || s.Reused != 3 || s.BaseReused != 3 {
		t.Errorf("a second plan: %+v; want everything reused", s)
	}

	e.mustAssay("report")
	comments := e.repo.Comments(pr)
	if len(comments) != 1 || strings.Contains(comments[0].Body, "missing") || !strings.Contains(comments[0].Body, "regressed") {
		t.Fatalf("comments %+v: want one that compares both sides", comments)
	}
	if st := e.repo.Statuses(head); len(st) == 0 || st[len(st)-1].State != "failure" {
		t.Errorf("statuses %+v: want the regression's failure", st)
	}
}

// --baseline runs the base side alone, so it cannot take --with-baseline.
func TestBaselineFlagsExclude(t *testing.T) {
	e := newReportEnv(t, trainProject)
	code, _, errOut := e.assay("run", "--baseline", "--with-baseline")
	if code != exitUsage || !strings.Contains(errOut, "use one") {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
}

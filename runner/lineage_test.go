package runner

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// keptFiles is a results store's answer to the lineage question: which
// file each trial key's newest succeeded run kept.
type keptFiles map[string]ArtifactOrigin

func (k keptFiles) LatestArtifact(experiment string, keys []string, path string) (ArtifactOrigin, bool, error) {
	for _, key := range keys {
		if o, ok := k[key]; ok && o.Experiment == experiment && o.Path == path {
			return o, true, nil
		}
	}
	return ArtifactOrigin{}, false, nil
}

const pretrainHCL = `experiment "pretrain" {
  command   = ["python", "pretrain.py", "--lr=%s"]
  workdir   = "models/pretrain"
  artifacts = ["out/model.pt"]
}
`

const finetuneHCL = `experiment "finetune" {
  command = ["python", "finetune.py"]
  workdir = "models/finetune"
  inputs  = ["models/finetune/**", artifact("pretrain", "out/model.pt")]
  seeds   = [1, 2]
}
`

func lineageRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	r.Write("assay.hcl", "project {}\n")
	// finetune sorts first: the plan must still read pretrain before it.
	r.Write("experiments/a_finetune.hcl", finetuneHCL)
	r.Write("experiments/pretrain.hcl", strings.Replace(pretrainHCL, "%s", "0.1", 1))
	r.Write("models/pretrain/pretrain.py", "print('pre')\n")
	r.Write("models/finetune/finetune.py", "print('fine')\n")
	r.Commit("two stages")
	return r
}

func TestLineageEntersTheDownstreamKey(t *testing.T) {
	t.Parallel()
	r := lineageRepo(t)
	unresolved := buildPlan(t, r.Dir, PlanOptions{Head: "HEAD", All: true})
	fine := unresolved.Experiment("finetune")
	pre := unresolved.Experiment("pretrain")
	if fine == nil || pre == nil || len(fine.HeadTrials) != 2 {
		t.Fatalf("plan experiments %v", unresolved.Experiments)
	}
	var warned bool
	for _, d := range unresolved.Warnings {
		if d.Summary == "Artifact input not resolved" && strings.Contains(d.Detail, `assay run --experiment pretrain`) {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning for the unresolved input: %v", unresolved.Warnings)
	}
	preKey := pre.HeadTrials[0].Key
	shaA, shaB := strings.Repeat("a", 64), strings.Repeat("b", 64)
	src := keptFiles{preKey: {Experiment: "pretrain", Path: "out/model.pt", SHA256: shaA, RunID: "run-a", TrialKey: preKey}}
	resolved := buildPlan(t, r.Dir, PlanOptions{Head: "HEAD", All: true, Artifacts: src})
	if k0, k1 := fine.HeadTrials[0].Key, resolved.Experiment("finetune").HeadTrials[0].Key; k0 == k1 {
		t.Fatal("resolving the artifact did not change the downstream key")
	}
	if resolved.Experiment("pretrain").HeadTrials[0].Key != preKey {
		t.Fatal("the upstream key depends on its own consumers")
	}
	// Retraining pretrain under the same key (a newer run, new weights)
	// changes finetune's keys again.
	src[preKey] = ArtifactOrigin{Experiment: "pretrain", Path: "out/model.pt", SHA256: shaB, RunID: "run-b", TrialKey: preKey}
	retrained := buildPlan(t, r.Dir, PlanOptions{Head: "HEAD", All: true, Artifacts: src})
	if resolved.Experiment("finetune").HeadTrials[0].Key == retrained.Experiment("finetune").HeadTrials[0].Key {
		t.Fatal("new upstream weights left the downstream key unchanged")
	}
	// The jobs carry where their input came from.
	jobs := NewJobs(retrained.HeadProject, retrained.Experiment("finetune").HeadTrials)
	retrained.AttachLineage(jobs)
	if len(jobs[0].InputArtifacts) != 1 || jobs[0].InputArtifacts[0].RunID != "run-b" || jobs[0].InputArtifacts[0].SHA256 != shaB {
		t.Errorf("job lineage %+v", jobs[0].InputArtifacts)
	}
	// The plan's JSON says where the input came from.
	doc, err := json.Marshal(retrained.Document())
	if err != nil {
		t.Fatal(err)
	}
	var back PlanDocument
	if err := json.Unmarshal(doc, &back); err != nil {
		t.Fatal(err)
	}
	for _, e := range back.Experiments {
		var got []ArtifactOrigin
		for _, in := range e.Inputs {
			got = append(got, in.Artifacts...)
		}
		switch {
		case e.Name == "finetune" && (len(got) != 1 || got[0].RunID != "run-b" || got[0].SHA256 != shaB || got[0].TrialKey != preKey):
			t.Errorf("plan JSON lineage of finetune %+v", got)
		case e.Name == "pretrain" && len(got) != 0:
			t.Errorf("plan JSON lineage of pretrain %+v, want none", got)
		}
	}
	if strings.Count(string(doc), `"artifacts"`) != 1 {
		t.Errorf("plan JSON names artifacts %d times, want once (finetune's inputs)", strings.Count(string(doc), `"artifacts"`))
	}
	// An experiment without artifact inputs keeps the fingerprint it had
	// before lineage existed.
	if got := retrained.Experiment("pretrain").HeadTrials[0].Inputs; got != unresolved.Experiment("pretrain").HeadTrials[0].Inputs {
		t.Error("pretrain's fingerprint moved")
	}
}

func TestChangingTheUpstreamMarksTheDownstreamModified(t *testing.T) {
	t.Parallel()
	r := lineageRepo(t)
	base := buildPlan(t, r.Dir, PlanOptions{Head: "HEAD", All: true})
	preKey := base.Experiment("pretrain").HeadTrials[0].Key
	src := keptFiles{preKey: {Experiment: "pretrain", Path: "out/model.pt", SHA256: strings.Repeat("c", 64), RunID: "run-c", TrialKey: preKey}}

	r.Git("checkout", "-q", "-b", "feature")
	r.Write("experiments/pretrain.hcl", strings.Replace(pretrainHCL, "%s", "0.03", 1))
	r.Commit("retrain with a lower learning rate")
	p := buildPlan(t, r.Dir, PlanOptions{Base: "main", Head: "feature", Artifacts: src})
	got := statuses(p)
	if got["pretrain"] != ExperimentModified || got["finetune"] != ExperimentModified {
		t.Fatalf("statuses %v: the downstream must change with its upstream", got)
	}
	c := findChange(p.Experiment("finetune").Changes, "inputs.artifact", "pretrain/out/model.pt")
	if c == nil || c.Base != strings.Repeat("c", 12) || c.Head != "unresolved" {
		t.Errorf("finetune changes %+v", p.Experiment("finetune").Changes)
	}
}

func TestLineageMistakesAreErrors(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Write("assay.hcl", "project {}\n")
	r.Write("experiments/loop.hcl", `
experiment "a" {
  command = ["true"]
  inputs  = [artifact("b", "x.bin")]
}
experiment "b" {
  command = ["true"]
  inputs  = [artifact("a", "y.bin")]
}
experiment "c" {
  command = ["true"]
  inputs  = [artifact("nosuch", "z.bin")]
}
experiment "d" {
  command = ["true"]
  inputs  = ["artifact://a/out/*.pt"]
}
`)
	r.Commit("mistakes")
	_, diags, err := tryPlan(t, r.Dir, PlanOptions{Head: "HEAD", All: true})
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for _, d := range diags {
		text += d.Summary + ": " + d.Detail + "\n"
	}
	for _, want := range []string{"Artifact inputs form a cycle", "a → b → a", `there is no experiment "nosuch"`, "Invalid artifact input", "is a glob; name one artifact file"} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, text)
		}
	}
}

// A chain of three stages, the last declared first: each is read after
// the one whose artifact it reads, so the last resolves to the file the
// middle one's recorded run kept.
func TestLineageChainResolvesInOrder(t *testing.T) {
	t.Parallel()
	r := lineageRepo(t)
	r.Write("experiments/0_eval.hcl", `experiment "eval" {
  command = ["python", "eval.py"]
  inputs  = ["models/finetune/**", artifact("finetune", "out/best.pt")]
}
`)
	r.Commit("an evaluation of the finetuned model")
	p := buildPlan(t, r.Dir, PlanOptions{Head: "HEAD", All: true})
	fineKeys := keysOfTrials(p.Experiment("finetune").HeadTrials)
	src := keptFiles{fineKeys[0]: {Experiment: "finetune", Path: "out/best.pt", SHA256: strings.Repeat("e", 64), RunID: "run-e", TrialKey: fineKeys[0]}}
	p = buildPlan(t, r.Dir, PlanOptions{Head: "HEAD", All: true, Artifacts: src})
	var names []string
	for _, d := range p.Warnings {
		if d.Summary == "Artifact input not resolved" {
			names = append(names, d.Detail[:strings.Index(d.Detail, " reads")])
		}
	}
	if got := strings.Join(names, ", "); got != `Experiment "finetune"` {
		t.Errorf("unresolved inputs in %s; want finetune's only (pretrain has no recorded run), eval's resolved", got)
	}
	for _, in := range p.Experiment("eval").HeadInputs {
		if len(in.Artifacts) != 1 || in.Artifacts[0].RunID != "run-e" {
			t.Errorf("eval's artifact inputs %+v, want finetune's run-e", in.Artifacts)
		}
	}
}

// A mistake in an artifact input, with no other lineage in the project,
// is a diagnostic on the experiment, not a failure to plan.
func TestLineageMistakeAlone(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ input, want string }{
		{`artifact("nosuch", "z.bin")`, `there is no experiment "nosuch"`},
		{`"artifact://a/out/*.pt"`, "is a glob; name one artifact file"},
	} {
		r := gittest.New(t)
		r.Write("assay.hcl", "project {}\n")
		r.Write("experiments/a.hcl", "experiment \"a\" {\n  command = [\"true\"]\n}\n")
		r.Write("experiments/c.hcl", "experiment \"c\" {\n  command = [\"true\"]\n  inputs  = ["+c.input+"]\n}\n")
		r.Commit("a mistake")
		_, diags, err := tryPlan(t, r.Dir, PlanOptions{Head: "HEAD", All: true})
		if err != nil || !diags.HasErrors() {
			t.Fatalf("%s: err %v, diagnostics %v; want diagnostics", c.input, err, diags)
		}
		if d := diags[0]; !strings.Contains(d.Detail, c.want) || d.Subject == nil || d.Subject.Filename != "experiments/c.hcl" || d.Subject.Start.Line != 1 {
			t.Errorf("%s: %v, want %q on experiments/c.hcl:1", c.input, d, c.want)
		}
	}
}

package compare_test

import (
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/runner"
)

func experimentNamed(t *testing.T, c *compare.Comparison, name string) *compare.Experiment {
	t.Helper()
	for _, e := range c.Experiments {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no experiment %s", name)
	return nil
}

func TestHeadlineRuns(t *testing.T) {
	t.Run("single config: the newest seed of each side", func(t *testing.T) {
		in := comparetest.Single(t)
		c := mustCompare(t, in)
		hr := in.HeadlineRuns(experimentNamed(t, c, "resnet18"))
		if hr.Base == nil || hr.Head == nil {
			t.Fatalf("headline runs = %+v, want both sides", hr)
		}
		// The scenario records seeds 1, 2, 3 in order, so seed 3 is newest.
		if hr.Head.Seed != 3 || hr.Head.SourceCommit != comparetest.HeadRef.Commit {
			t.Errorf("head run = seed %d of %s, want seed 3 of the head commit", hr.Head.Seed, hr.Head.SourceCommit)
		}
		if hr.Base.Seed != 3 || hr.Base.SourceCommit != comparetest.BaseRef.Commit {
			t.Errorf("base run = seed %d of %s, want seed 3 of the base commit", hr.Base.Seed, hr.Base.SourceCommit)
		}
	})
	t.Run("failed seeds are passed over", func(t *testing.T) {
		in := comparetest.Failures(t)
		c := mustCompare(t, in)
		hr := in.HeadlineRuns(experimentNamed(t, c, "gpt-small"))
		if hr.Head == nil || hr.Head.Seed != 1 || hr.Head.Status != runner.StatusSucceeded {
			t.Fatalf("head run = %+v, want seed 1, the only one that succeeded", hr.Head)
		}
	})
	t.Run("sweep: the best config of each side", func(t *testing.T) {
		in := comparetest.Sweep(t)
		c := mustCompare(t, in)
		e := experimentNamed(t, c, "resnet-sweep")
		hr := in.HeadlineRuns(e)
		if hr.Base == nil || hr.Head == nil {
			t.Fatalf("headline runs = %+v, want both sides", hr)
		}
		if got := compare.ParamsLabel(hr.Head.Params); got != e.Headline.Head.Label || got != "batch_size=64 lr=0.01" {
			t.Errorf("head run has params %s; the headline's head config is %s", got, e.Headline.Head.Label)
		}
		if got := compare.ParamsLabel(hr.Base.Params); got != "batch_size=64 lr=0.03" {
			t.Errorf("base run has params %s, want the base's best, batch_size=64 lr=0.03", got)
		}
		// That config's nightly reruns were recorded after the push but
		// ran the week before it: newest is by time, not by recording.
		if hr.Base.Trigger != runner.TriggerPush {
			t.Errorf("base run %s was triggered by %s, want the push's, which ran last", hr.Base.RunID, hr.Base.Trigger)
		}
	})
	t.Run("no headline, no runs", func(t *testing.T) {
		in := comparetest.Single(t)
		c := mustCompare(t, in)
		e := *experimentNamed(t, c, "resnet18")
		e.Headline = nil
		if hr := in.HeadlineRuns(&e); hr.Base != nil || hr.Head != nil {
			t.Errorf("headline runs without a headline = %+v", hr)
		}
		other := *experimentNamed(t, c, "resnet18")
		other.Name = "elsewhere"
		if hr := in.HeadlineRuns(&other); hr.Base != nil || hr.Head != nil {
			t.Errorf("headline runs of an experiment the input lacks = %+v", hr)
		}
	})
}

package compare_test

import (
	"slices"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/runner"
)

// sweepSide is a sweep over lrs (an HCL list) with two seeds, at inputs
// in; metrics is the HCL of its metric blocks.
func sweepSide(t *testing.T, lrs, metrics, in string) *compare.SideInput {
	t.Helper()
	e := comparetest.Load(t, `
experiment "s" {
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
  params  = { lr = 0.1 }
  sweep {
    param "lr" { values = `+lrs+` }
  }
  seeds = [1, 2]
`+metrics+`
}
`)["s"]
	return comparetest.Side(t, e, in)
}

const maximizeAcc = `
  metric "val_acc" {
    goal = "maximize"
  }
`

// record stores one run of each trial of side: run gives it from the
// trial's lr.
func record(store *comparetest.Store, side *compare.SideInput, run func(lr float64) comparetest.Run) {
	if side == nil {
		return
	}
	for _, tr := range side.Trials {
		store.Record(tr, run(tr.Params["lr"].(float64)))
	}
}

// accByLR reports val_acc 0.80, 0.90 and 0.85 for lr 0.1, 0.03 and 0.01.
func accByLR(lr float64) comparetest.Run {
	acc := map[float64]float64{0.1: 0.80, 0.03: 0.90, 0.01: 0.85}[lr]
	return comparetest.Run{Metrics: map[string]float64{"val_acc": acc}}
}

// TestASweepOnOneSideIsHeadlinedByItsBest: a sweep added or removed has
// nothing to pair, so its headline is the best config of the side it has,
// by the primary metric (base's, for a sweep head removed). Without a
// value of that metric at head the headline says what happened instead:
// missing results, or failed trials.
func TestASweepOnOneSideIsHeadlinedByItsBest(t *testing.T) {
	failed := func(float64) comparetest.Run { return comparetest.Run{Status: runner.StatusFailed, ExitCode: 1} }
	silent := func(float64) comparetest.Run { return comparetest.Run{Metrics: map[string]float64{"loss": 0.3}} }
	for _, c := range []struct {
		name    string
		head    bool // which side the sweep is on
		metrics string
		run     func(lr float64) comparetest.Run
		// The headline's config ("" for none), pairing, verdict and
		// val_acc's note; the experiment's note.
		label, pairing string
		verdict        compare.Verdict
		metricNote     string
		note           string
	}{
		{"removed", false, maximizeAcc, accByLR, "lr=0.03", compare.PairRemoved, compare.Removed, "",
			"headline: the best of 3 base configs by val_acc (maximize)"},
		{"added", true, maximizeAcc, accByLR, "lr=0.03", compare.PairNew, compare.New, "",
			"headline: the best of 3 head configs by val_acc (maximize)"},
		{"added, never reported", true, maximizeAcc, silent, "", compare.PairNew, compare.Missing,
			"no head config reported val_acc", ""},
		{"added, every trial failed", true, maximizeAcc, failed, "", compare.PairNew, compare.Failed,
			"no head config reported val_acc; 6 head trials failed", ""},
		{"removed, no goal", false, `metric "val_acc" {}`, accByLR, "", "", "", "",
			"no metric has a goal, so the sweep's configs are not ranked"},
		{"added, no goal", true, `metric "val_acc" {}`, accByLR, "", "", "", "",
			"no metric has a goal, so the sweep's configs are not ranked"},
	} {
		t.Run(c.name, func(t *testing.T) {
			side := sweepSide(t, "[0.1, 0.03, 0.01]", c.metrics, "a")
			in := compare.ExperimentInput{Name: "s", Base: side}
			if c.head {
				in = compare.ExperimentInput{Name: "s", Head: side}
			}
			store := comparetest.NewStore()
			record(store, side, c.run)
			e := experiment(t, mustCompare(t, compare.Input{Lookup: store.Lookup, Experiments: []compare.ExperimentInput{in}}), "s")
			if c.note != "" && !slices.Contains(e.Notes, c.note) {
				t.Errorf("notes %q, want %q", e.Notes, c.note)
			}
			h := e.Headline
			if c.pairing == "" {
				if h != nil {
					t.Errorf("headline %+v, want none", h)
				}
				return
			}
			if h == nil {
				t.Fatalf("no headline; notes %q", e.Notes)
			}
			cfg := h.Head
			if !c.head {
				cfg = h.Base
			}
			label := ""
			if cfg != nil {
				label = cfg.Label
			}
			acc := metric(t, h, "val_acc")
			if label != c.label || h.Pairing != c.pairing || h.Verdict != c.verdict || acc.Verdict != c.verdict || acc.Note != c.metricNote {
				t.Errorf("headline %q %s %s, val_acc %s %q; want %q %s %s, %q", label, h.Pairing, h.Verdict, acc.Verdict, acc.Note,
					c.label, c.pairing, c.verdict, c.metricNote)
			}
		})
	}
}

// TestASweepWhosePairsAllFailedIsHeadlinedByTheirState: when every paired
// config failed at head there is nothing to test; the headline stands for
// all of them (pooled), or for the one pair there is, paired as that pair
// is.
func TestASweepWhosePairsAllFailedIsHeadlinedByTheirState(t *testing.T) {
	for _, c := range []struct {
		name             string
		baseLRs, headLRs string
		pairing          string
		pairs            []compare.ConfigPair
	}{
		{"three pairs", "[0.1, 0.03, 0.01]", "[0.1, 0.03, 0.01]", compare.PairPooled,
			[]compare.ConfigPair{{Base: "lr=0.1", Head: "lr=0.1"}, {Base: "lr=0.03", Head: "lr=0.03"}, {Base: "lr=0.01", Head: "lr=0.01"}}},
		// lr=0.2 at base is replaced by lr=0.1; lr=0.03 at head is new.
		{"one pair", "[0.2]", "[0.1, 0.03]", compare.PairReplaced,
			[]compare.ConfigPair{{Base: "lr=0.2", Head: "lr=0.1"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			base, head := sweepSide(t, c.baseLRs, maximizeAcc, "a"), sweepSide(t, c.headLRs, maximizeAcc, "b")
			store := comparetest.NewStore()
			record(store, base, accByLR)
			record(store, head, func(float64) comparetest.Run { return comparetest.Run{Status: runner.StatusFailed, ExitCode: 1} })
			e := experiment(t, mustCompare(t, compare.Input{Lookup: store.Lookup,
				Experiments: []compare.ExperimentInput{{Name: "s", Base: base, Head: head}}}), "s")
			h := e.Headline
			if h == nil || h.Pairing != c.pairing || !slices.Equal(h.Pairs, c.pairs) || h.Verdict != compare.Failed {
				t.Fatalf("headline %+v, want %s over %+v, failed", h, c.pairing, c.pairs)
			}
			if m := metric(t, h, "val_acc"); m.Verdict != compare.Failed || m.Note != "every paired config is failed" {
				t.Errorf("val_acc %s %q, want failed, every paired config is failed", m.Verdict, m.Note)
			}
		})
	}
}

// TestASweepOfTheSameTrialsIsUnchanged: a sweep whose every config is the
// same trials at both sides (a spec change that no trial key sees) has a
// headline over all its configs, unchanged, with nothing tested.
func TestASweepOfTheSameTrialsIsUnchanged(t *testing.T) {
	side := sweepSide(t, "[0.1, 0.03, 0.01]", maximizeAcc, "a")
	store := comparetest.NewStore()
	record(store, side, accByLR)
	c := mustCompare(t, compare.Input{Lookup: store.Lookup,
		Experiments: []compare.ExperimentInput{{Name: "s", Status: compare.StatusModified, Base: side, Head: side}}})
	e := experiment(t, c, "s")
	h := e.Headline
	if h == nil || h.Pairing != compare.PairPooled || len(h.Pairs) != 3 || !h.Same || h.Verdict != compare.Unchanged {
		t.Fatalf("headline %+v, want the same trials pooled over 3 configs, unchanged", h)
	}
	if m := metric(t, h, "val_acc"); m.Test != nil || m.Note != "the same trials on both sides: nothing to test" {
		t.Errorf("val_acc tested %v, note %q; want no test", m.Test != nil, m.Note)
	}
	if note := headlineNote(e); note != "headline: the mean over 3 configs, each against the same params at base" {
		t.Errorf("headline note %q", note)
	}
	if e.Verdict != compare.Unchanged || c.Result != compare.ResultSuccess {
		t.Errorf("verdict %s, result %s; want unchanged, success", e.Verdict, c.Result)
	}
}

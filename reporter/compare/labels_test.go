package compare_test

import (
	"testing"

	"github.com/assaylab/assay/reporter/compare"
)

// TestHeadlineConfigsNamesWhatTheHeadlineCompares: the configs line every
// report's headline shows, for each shape a headline takes.
func TestHeadlineConfigsNamesWhatTheHeadlineCompares(t *testing.T) {
	cfg := func(label string) *compare.Config { return &compare.Config{Label: label} }
	pairs := func(ps ...string) []compare.ConfigPair {
		var out []compare.ConfigPair
		for i := 0; i < len(ps); i += 2 {
			out = append(out, compare.ConfigPair{Base: ps[i], Head: ps[i+1]})
		}
		return out
	}
	for _, c := range []struct {
		name     string
		headline *compare.Row
		want     string
	}{
		{"no headline", nil, "—"},
		{"head only", &compare.Row{Head: cfg("lr=0.1")}, "lr=0.1"},
		{"base only", &compare.Row{Base: cfg("lr=0.1")}, "lr=0.1"},
		{"no params", &compare.Row{Head: cfg("")}, "(no params)"},
		{"rows agree", &compare.Row{Base: cfg("lr=0.1"), Head: cfg("lr=0.1")}, "lr=0.1"},
		{"rows differ", &compare.Row{Base: cfg("bs=64 lr=0.1"), Head: cfg("bs=64 lr=0.3")}, "lr=0.1 → lr=0.3"},
		{"one pair, same", &compare.Row{Pairs: pairs("lr=0.1", "lr=0.1")}, "lr=0.1"},
		{"one pair, changed", &compare.Row{Pairs: pairs("bs=64 lr=0.1", "bs=64 lr=0.3")}, "lr=0.1 → lr=0.3"},
		{"one pair, a param added", &compare.Row{Pairs: pairs("lr=0.1", "lr=0.1 wd=0.01")}, "(no params) → wd=0.01"},
		{"one pair, params to none", &compare.Row{Pairs: pairs("lr=0.1", "")}, "lr=0.1 → (no params)"},
		{"one pair, a value with a space", &compare.Row{Pairs: pairs("opt=adam w", "opt=sgd w")}, "opt=adam w → opt=sgd w"},
		{"all same", &compare.Row{Pairs: pairs("lr=0.1", "lr=0.1", "lr=0.3", "lr=0.3")}, "2 configs, same params"},
		{"all replaced", &compare.Row{Pairs: pairs("lr=0.1", "lr=0.2", "lr=0.3", "lr=0.4", "lr=0.5", "lr=0.6")}, "3 configs, replaced"},
		{"mixed", &compare.Row{Pairs: pairs("lr=0.1", "lr=0.1", "lr=0.3", "lr=0.3", "lr=0.5", "lr=0.6")}, "3 configs: 2 same params, 1 replaced"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := &compare.Experiment{Headline: c.headline}
			if got := e.HeadlineConfigs(); got != c.want {
				t.Errorf("HeadlineConfigs() = %q, want %q", got, c.want)
			}
		})
	}
}

// TestRefShortAbbreviatesTheCommit: a ref as the reports name it.
func TestRefShortAbbreviatesTheCommit(t *testing.T) {
	const id = "0123456789abcdef0123456789abcdef01234567"
	for _, c := range []struct {
		ref  compare.Ref
		want string
	}{
		{compare.Ref{Name: "main"}, "main"},
		{compare.Ref{Name: "main", Commit: id}, "main (0123456)"},
		{compare.Ref{Commit: id}, "0123456"},
		{compare.Ref{Name: id, Commit: id}, "0123456"},
		{compare.Ref{Name: "v1", Commit: "abc"}, "v1 (abc)"},
		{compare.Ref{Name: "v1", Commit: "0123456"}, "v1 (0123456)"},
		{compare.Ref{Name: "v1", Commit: "01234567"}, "v1 (0123456)"},
	} {
		if got := c.ref.Short(); got != c.want {
			t.Errorf("%+v.Short() = %q, want %q", c.ref, got, c.want)
		}
	}
}

// TestChangeNameNamesTheFile: a change to one input names its file.
func TestChangeNameNamesTheFile(t *testing.T) {
	if got := (compare.Change{Field: "params.lr"}).Name(); got != "params.lr" {
		t.Errorf("Name() = %q, want params.lr", got)
	}
	if got := (compare.Change{Field: "inputs.path", Path: "data/train.csv"}).Name(); got != "inputs.path data/train.csv" {
		t.Errorf("Name() = %q, want inputs.path data/train.csv", got)
	}
}

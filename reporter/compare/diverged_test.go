package compare_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
)

// unevenPair compares one single-config experiment with one metric of the
// given goal; a NaN value is a seed whose run did not write the metric, so
// the sides may hold different numbers of values.
func unevenPair(t *testing.T, goal string, base, head []float64) *compare.Metric {
	t.Helper()
	n := max(len(base), len(head))
	seeds := make([]string, n)
	for i := range seeds {
		seeds[i] = fmt.Sprint(i + 1)
	}
	e := comparetest.Load(t, fmt.Sprintf(`
experiment "x" {
  command = ["python", "train.py", "--seed=${seed}"]
  seeds   = [%s]
  metric "val_acc" {
    goal = %q
  }
}
`, strings.Join(seeds, ", "), goal))["x"]
	b, h := comparetest.Side(t, e, "base"), comparetest.Side(t, e, "head")
	store := comparetest.NewStore()
	record := func(side *compare.SideInput, vals []float64) {
		for _, tr := range side.Trials {
			m := map[string]float64{}
			if i := int(tr.Seed) - 1; i < len(vals) && !math.IsNaN(vals[i]) {
				m["val_acc"] = vals[i]
			}
			store.Record(tr, comparetest.Run{Metrics: m})
		}
	}
	record(b, base)
	record(h, head)
	c := mustCompare(t, compare.Input{Lookup: store.Lookup, Experiments: []compare.ExperimentInput{{Name: "x", Base: b, Head: h}}})
	return metric(t, c.Experiments[0].Headline, "val_acc")
}

// Which seeds are set aside as diverged, in the cases the rule's parts
// decide: sides of two and three values, a metric only one side wrote,
// an even side whose middle values tie, and two modes that both sides
// share, where the one more seeds sit in is the main one and the goal
// breaks a tie.
func TestWhichSeedsDiverged(t *testing.T) {
	none := math.NaN()
	cases := []struct {
		name         string
		goal         string
		base, head   []float64
		wantB, wantH []float64
	}{
		{"a side of three holds one", "maximize",
			[]float64{0.80, 0.81, 0.79}, []float64{0.80, 0.81, 0.50}, nil, []float64{0.50}},
		{"base of two, head of three", "maximize",
			[]float64{0.80, 0.81, none}, []float64{0.80, 0.81, 0.0}, nil, []float64{0.0}},
		{"base of three, head of two", "maximize",
			[]float64{0.80, 0.81, 0.0}, []float64{0.80, 0.81, none}, []float64{0.0}, nil},
		{"a metric only head wrote", "maximize",
			[]float64{none, none, none, none}, []float64{0.80, 0.81, 0.79, 0.0}, nil, []float64{0.0}},
		{"a metric only base wrote", "maximize",
			[]float64{0.80, 0.81, 0.79, 0.0}, []float64{none, none, none, none}, []float64{0.0}, nil},
		{"an even side whose middle values tie", "maximize",
			[]float64{0.80, 0.81, 0.81, 0.82, none, none}, []float64{0.80, 0.81, 0.81, 0.82, 0.81, 0.89}, nil, []float64{0.89}},
		{"medians apart by less than the limit keep their own centers", "maximize",
			[]float64{0.80, 0.81, 0.79, 0.80, 0.81, 0.79, 0.72}, []float64{0.85, 0.86, 0.84, 0.85, 0.86, 0.84, 0.94}, nil, nil},
		{"the mode more seeds sit in is the main one", "maximize",
			[]float64{0.50, 0.51, 0.49, 0.50, 0.80}, []float64{0.80, 0.81, 0.50, 0.51, 0.79},
			[]float64{0.80}, []float64{0.79, 0.80, 0.81}},
		{"on a tie, the mode maximize prefers", "maximize",
			[]float64{0.50, 0.51, 0.49, 0.50, 0.51, 0.80, 0.81}, []float64{0.80, 0.81, 0.79, 0.80, 0.81, 0.50, 0.51},
			[]float64{0.49, 0.50, 0.50, 0.51, 0.51}, []float64{0.50, 0.51}},
		{"on a tie, the mode minimize prefers", "minimize",
			[]float64{0.50, 0.51, 0.49, 0.50, 0.51, 0.80, 0.81}, []float64{0.80, 0.81, 0.79, 0.80, 0.81, 0.50, 0.51},
			[]float64{0.80, 0.81}, []float64{0.79, 0.80, 0.80, 0.81, 0.81}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := unevenPair(t, c.goal, c.base, c.head)
			gotB, gotH := slices.Sorted(slices.Values(m.Base.Diverged)), slices.Sorted(slices.Values(m.Head.Diverged))
			if !slices.Equal(gotB, c.wantB) || !slices.Equal(gotH, c.wantH) {
				t.Errorf("diverged: base %v head %v, want base %v head %v", gotB, gotH, c.wantB, c.wantH)
			}
		})
	}
}

// Fisher's test of how often each side diverged, and whether that is the
// worse way: by the goal, and by which side diverged more often.
func TestHowOftenEachSideDiverged(t *testing.T) {
	none := math.NaN()
	main := []float64{0.80, 0.81, 0.79, 0.805, 0.80, 0.795, 0.80, 0.81, 0.79}
	loss := []float64{1.00, 1.01, 0.99, 1.005, 1.00, 0.995, 1.00, 1.01, 0.99, 1.00}
	// Fisher's exact test of 1/10 against 6/10: the tables no likelier
	// than this one are x = 0, 1, 6, 7 of C(10,x)·C(10,7−x)/C(20,7).
	const p1of6 = (120 + 2100 + 2100 + 120) / 77520.0
	cases := []struct {
		name       string
		goal       string
		base, head []float64
		db, dh     int
		p          float64 // NaN: not checked
		worse      bool
	}{
		{"head diverges more often", "maximize",
			append(slices.Clone(main), 0.5), []float64{0.5, 0.81, 0.5, 0.5, 0.80, 0.5, 0.5, 0.81, 0.5, 0.80},
			1, 6, p1of6, true},
		{"base diverged more often", "maximize",
			[]float64{0.5, 0.81, 0.5, 0.5, 0.80, 0.5, 0.5, 0.81, 0.5, 0.80}, append(slices.Clone(main), 0.5),
			6, 1, p1of6, false},
		{"losses blow up more often at head", "minimize",
			loss, []float64{3.0, 1.01, 3.0, 3.0, 1.00, 3.0, 3.0, 1.01, 3.0, 1.00},
			0, 6, 2 * 210.0 / 38760, true},
		{"as often at each side", "maximize",
			[]float64{0.80, 0.81, 0.79, 0.805, 0.5}, []float64{0.78, 0.79, 0.77, 0.785, 0.5},
			1, 1, 1, false},
		{"as many above as below the main mode count as below", "maximize",
			append(slices.Clone(main), 0.5), []float64{0.80, 0.81, 0.79, 0.805, 0.99, none, none, none, none, none},
			1, 1, math.NaN(), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := unevenPair(t, c.goal, c.base, c.head)
			d := m.Test.Diverged
			if d == nil || d.Base != c.db || d.Head != c.dh || d.Worse != c.worse {
				t.Fatalf("divergence test %+v, want %d and %d diverged, worse %v", d, c.db, c.dh, c.worse)
			}
			if !math.IsNaN(c.p) && math.Abs(d.P-c.p) > 1e-12 {
				t.Errorf("Fisher's p = %.15g, want %.15g", d.P, c.p)
			}
		})
	}
}

package compare

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// Adjusted p-values worked by hand from the definitions (R's
// p.adjust(p, "holm") and p.adjust(p, "BH") give the same), with the
// input out of order to check that positions are kept.
func TestHolmAndBH(t *testing.T) {
	ps := []float64{0.041, 0.001, 0.205, 0.039, 0.008, 0.06, 0.042, 0.074}
	holm := []float64{0.234, 0.008, 0.234, 0.234, 0.056, 0.234, 0.234, 0.234}
	bh := []float64{0.0672, 0.008, 0.205, 0.0672, 0.032, 0.08, 0.0672, 0.074 * 8 / 7}
	for i, got := range Holm(ps) {
		if math.Abs(got-holm[i]) > 1e-12 {
			t.Errorf("Holm[%d] = %g, want %g", i, got, holm[i])
		}
	}
	for i, got := range BH(ps) {
		if math.Abs(got-bh[i]) > 1e-12 {
			t.Errorf("BH[%d] = %g, want %g", i, got, bh[i])
		}
	}
	if got := Holm([]float64{0.9, 0.9}); got[0] != 1 || got[1] != 1 {
		t.Errorf("Holm caps at 1: %v", got)
	}
	if len(Holm(nil)) != 0 || len(BH(nil)) != 0 {
		t.Error("no tests, no adjusted p-values")
	}
}

func TestResolution(t *testing.T) {
	for _, c := range []struct {
		vals []float64
		want float64
	}{
		{[]float64{0.87, 0.9}, 0.01},
		{[]float64{0.9, 0.8}, 0.1},
		{[]float64{1, 2, 0}, 1},
		{[]float64{0, 0}, 0},
		{[]float64{1.23456e-05}, 1e-10},
		{[]float64{0.9417, 0.9416999999999999}, 0},
		{[]float64{1e200}, 1},
		{[]float64{-0.25, 0.5}, 0.01},
		// Twelve decimals are a grid; a thirteenth makes the value
		// computed.
		{[]float64{0.123456789012}, 1e-12},
		{[]float64{0.5, 0.1234567890123}, 0},
		{[]float64{1200, 3}, 1},
	} {
		if got := Resolution(c.vals); math.Abs(got-c.want) > 1e-18 {
			t.Errorf("Resolution(%v) = %g, want %g", c.vals, got, c.want)
		}
	}
}

// TestSDFloor: the least spread a sample is given is the larger of the
// grid's rounding error (the step over √12) and 1e-7 of the largest
// magnitude, over all the sets; infinities are left out of both.
func TestSDFloor(t *testing.T) {
	for _, c := range []struct {
		sets [][]float64
		want float64
	}{
		{[][]float64{{0.87, 0.9}}, 0.01 / math.Sqrt(12)},
		{[][]float64{{0.5}, {0.25}}, 0.01 / math.Sqrt(12)},
		{[][]float64{{0.9417123456789012, 0.5}}, 0.9417123456789012e-7},
		{[][]float64{{-3e6, 1}}, 0.3},
		{[][]float64{{1}, {-3e6}}, 0.3},
		{[][]float64{{math.Inf(1), 12345678.5}}, 1.23456785},
		{[][]float64{{0, 0}}, 0},
	} {
		if got := SDFloor(c.sets...); math.Abs(got-c.want) > 1e-12*c.want {
			t.Errorf("SDFloor(%v) = %g, want %g", c.sets, got, c.want)
		}
	}
}

func TestMeanSDMatchesTheTextbookAndScales(t *testing.T) {
	vals := []float64{0.912, 0.915, 0.910, 0.9133}
	m, sd := meanSD(vals)
	wm, wv := stat.MeanVariance(vals, nil)
	if m != wm || sd != math.Sqrt(wv) {
		t.Errorf("ordinary values: %g ± %g, want gonum's %g ± %g", m, sd, wm, math.Sqrt(wv))
	}
	for _, scale := range []float64{1e200, 1e-200, 1e300, 1e-300} {
		big := make([]float64, len(vals))
		for i, v := range vals {
			big[i] = v * scale
		}
		bm, bsd := meanSD(big)
		if math.Abs(bm/(wm*scale)-1) > 1e-12 || math.Abs(bsd/(math.Sqrt(wv)*scale)-1) > 1e-9 {
			t.Errorf("scaled by %g: %g ± %g", scale, bm, bsd)
		}
	}
	// A spread of a millionth of the values, as a metric near 1e200 that
	// barely moves has, keeps its digits at any scale.
	tight := []float64{1, 1 + 1e-6, 1 + 2e-6, 1 + 3e-6, 1 + 5e-6}
	tm, tv := stat.MeanVariance(tight, nil)
	for _, scale := range []float64{1e200, 1e-200} {
		big := make([]float64, len(tight))
		for i, v := range tight {
			big[i] = v * scale
		}
		bm, bsd := meanSD(big)
		if math.Abs(bm/(tm*scale)-1) > 1e-12 || math.Abs(bsd/(math.Sqrt(tv)*scale)-1) > 1e-6 {
			t.Errorf("a tight spread scaled by %g: %g ± %g, want %g ± %g", scale, bm, bsd, tm*scale, math.Sqrt(tv)*scale)
		}
	}
	if _, sd := meanSD([]float64{-1.7e308, 1.7e308}); sd != math.MaxFloat64 {
		t.Errorf("a spread beyond float64 is capped, got %g", sd)
	}
}

// On normal data the divergence rule almost never fires: set-aside
// values would bias the test.
func TestDivergenceRarelyFiresOnNormalSeeds(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 1))
	for _, n := range []int{3, 5, 10} {
		flagged := 0
		const reps = 5000
		for range reps {
			b, h := make([]float64, n), make([]float64, n)
			for i := range b {
				b[i], h[i] = 0.85+0.01*rng.NormFloat64(), 0.85+0.01*rng.NormFloat64()
			}
			sb, sh := NewSample(b), NewSample(h)
			markDiverged(sb, sh, SDFloor(b, h), "maximize")
			if len(sb.Diverged)+len(sh.Diverged) > 0 {
				flagged++
			}
		}
		// Measured with this seed: under 0.5% of rows at each n; the bound
		// leaves room for any seed.
		if rate := float64(flagged) / reps; rate > 0.01 {
			t.Errorf("n = %d: %.2f%% of normal rows flagged", n, 100*rate)
		}
	}
}

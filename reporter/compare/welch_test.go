package compare

import (
	"math"
	"testing"
)

// Reference values computed outside this code. Each case says where its
// numbers come from; base is the first group, head the second, so Delta is
// mean(head) − mean(base).
var welchReferences = []struct {
	name       string
	base, head []float64
	t, df, p   float64
	ciLo, ciHi float64
	tol        float64 // relative tolerance the source's precision allows
}{
	{
		// R's documentation for t.test, example(t.test): the sleep data,
		// t.test(extra ~ group, data = sleep) prints
		//   t = -1.8608, df = 17.776, p-value = 0.07939
		//   95 percent confidence interval: -3.3654832  0.2054832
		// for group 1 − group 2; here head − base, so the signs flip.
		name: "R sleep data",
		base: []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0},
		head: []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4},
		t:    1.8608, df: 17.776, p: 0.07939, ciLo: -0.2054832, ciHi: 3.3654832,
		tol: 1e-4,
	},
	{
		// Wikipedia, "Welch's t-test", worked example 1 (t = −2.46,
		// df ≈ 25.0, p = 0.021); the digits below are SciPy 1.10.1's
		// scipy.stats.ttest_ind(head, base, equal_var=False) and
		// scipy.stats.t.ppf(0.975, df) for the interval.
		name: "Wikipedia example 1",
		base: []float64{27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4},
		head: []float64{27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4},
		t:    2.455356398, df: 24.98852929, p: 0.02137800146, ciLo: 0.3492370662, ciHi: 3.984096267,
		tol: 1e-8,
	},
	{
		// Wikipedia, "Welch's t-test", example 2 (t = −1.57, df = 9.9,
		// p = 0.149); digits from SciPy 1.10.1 as above.
		name: "Wikipedia example 2",
		base: []float64{17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8},
		head: []float64{21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8},
		t:    1.565433524, df: 9.904741249, p: 0.1488416966, ciLo: -0.6484213254, ciHi: 3.698421325,
		tol: 1e-8,
	},
	{
		// Wikipedia, "Welch's t-test", example 3 (t = −2.22, df = 24.5,
		// p = 0.036); digits from SciPy 1.10.1 as above.
		name: "Wikipedia example 3",
		base: []float64{19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0},
		head: []float64{28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7, 23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 23.9, 13.3},
		t:    2.22551204, df: 24.52463494, p: 0.03548453083, ciLo: 0.1635413499, ciHi: 4.27645865,
		tol: 1e-8,
	},
}

func TestWelchMatchesPublishedValues(t *testing.T) {
	for _, c := range welchReferences {
		t.Run(c.name, func(t *testing.T) {
			w, ok := WelchTest(NewSample(c.base), NewSample(c.head), 0.05)
			if !ok {
				t.Fatal("no test for two samples of 10 or more")
			}
			for _, f := range []struct {
				name      string
				got, want float64
			}{{"t", w.T, c.t}, {"df", w.DF, c.df}, {"p", w.P, c.p}, {"ci low", w.CILow, c.ciLo}, {"ci high", w.CIHigh, c.ciHi}} {
				if !near(f.got, f.want, c.tol) {
					t.Errorf("%s = %.10g, want %.10g (±%g relative)", f.name, f.got, f.want, c.tol)
				}
			}
		})
	}
}

// With two values a side and equal variances Welch–Satterthwaite gives
// exactly 2 degrees of freedom, and with one side constant exactly 1; the
// t distribution then has closed forms, independent of any library:
//
//	ν = 1 (Cauchy): P(|T| > t) = 1 − (2/π)·atan(t),  t₀.₉₇₅ = tan(0.475π)
//	ν = 2:          P(|T| > t) = 1 − t/√(2 + t²),    t_p = (2p − 1)/√(2p(1 − p))
func TestWelchClosedForms(t *testing.T) {
	t.Run("df 2", func(t *testing.T) {
		w, ok := WelchTest(NewSample([]float64{1, 3}), NewSample([]float64{4, 6}), 0.05)
		if !ok {
			t.Fatal("no test")
		}
		tt := 3 / math.Sqrt(2)
		q := 0.95 / math.Sqrt(2*0.975*0.025)
		check(t, "df", w.DF, 2, 1e-12)
		check(t, "t", w.T, tt, 1e-12)
		check(t, "p", w.P, 1-tt/math.Sqrt(2+tt*tt), 1e-9)
		check(t, "ci low", w.CILow, 3-q*math.Sqrt(2), 1e-9)
		check(t, "ci high", w.CIHigh, 3+q*math.Sqrt(2), 1e-9)
	})
	t.Run("df 1, one side constant", func(t *testing.T) {
		w, ok := WelchTest(NewSample([]float64{1, 3}), NewSample([]float64{5, 5}), 0.05)
		if !ok {
			t.Fatal("no test")
		}
		q := math.Tan(0.475 * math.Pi)
		check(t, "df", w.DF, 1, 1e-12)
		check(t, "t", w.T, 3, 1e-12)
		check(t, "p", w.P, 1-2/math.Pi*math.Atan(3), 1e-9)
		check(t, "ci low", w.CILow, 3-q, 1e-9)
		check(t, "ci high", w.CIHigh, 3+q, 1e-9)
	})
}

func TestWelchEdgeCases(t *testing.T) {
	t.Run("identical samples", func(t *testing.T) {
		s := []float64{0.91, 0.93, 0.92}
		w, ok := WelchTest(NewSample(s), NewSample(s), 0.05)
		if !ok || w.P != 1 || w.Delta != 0 || w.Exact {
			t.Fatalf("identical varying samples: ok=%v %+v; want p = 1, delta 0", ok, w)
		}
	})
	t.Run("constant and equal", func(t *testing.T) {
		w, ok := WelchTest(NewSample([]float64{0.1, 0.1, 0.1}), NewSample([]float64{0.1, 0.1}), 0.05)
		if !ok || w.P != 1 || w.Delta != 0 || !w.Exact {
			t.Fatalf("equal constants: ok=%v %+v; want exact, p = 1", ok, w)
		}
	})
	t.Run("constant and different", func(t *testing.T) {
		// The benchstat mistake: each side identical within itself, the
		// sides different. That is a certain difference, not "~".
		w, ok := WelchTest(NewSample([]float64{0.9, 0.9, 0.9}), NewSample([]float64{0.8, 0.8, 0.8}), 0.05)
		if !ok || w.P != 0 || !w.Exact || !math.IsInf(w.T, -1) || w.Floored {
			t.Fatalf("different constants: ok=%v %+v; want exact, p = 0, t = -Inf, no spread raised", ok, w)
		}
		if !near(w.CILow, -0.1, 1e-12) || w.CILow != w.CIHigh {
			t.Errorf("interval [%g, %g], want the point -0.1", w.CILow, w.CIHigh)
		}
	})
	t.Run("n = 1", func(t *testing.T) {
		if _, ok := WelchTest(NewSample([]float64{0.9}), NewSample([]float64{0.8, 0.7}), 0.05); ok {
			t.Error("tested with one base value")
		}
		if _, ok := WelchTest(NewSample([]float64{0.9, 0.8}), NewSample([]float64{0.8}), 0.05); ok {
			t.Error("tested with one head value")
		}
	})
	t.Run("variances whose squares underflow", func(t *testing.T) {
		// Scaled by 1e100, head's variance term is about 1e-200 and its
		// square underflows: Welch–Satterthwaite gives 0/0, and the df
		// falls back to the smallest it can be, min(n) − 1.
		w, ok := WelchTest(NewSample([]float64{1e100, 1e100, 1e100}), NewSample([]float64{1, 3}), 0.05)
		if !ok || w.DF != 1 || math.IsNaN(w.P) || w.P > 1e-12 {
			t.Fatalf("ok=%v %+v; want df 1 (two head values), p about 0", ok, w)
		}
	})
	t.Run("tiny variance", func(t *testing.T) {
		w, ok := WelchTest(NewSample([]float64{1e-100, 2e-100}), NewSample([]float64{3e-100, 4e-100}), 0.05)
		if !ok || math.IsNaN(w.P) || math.IsNaN(w.DF) || w.DF <= 0 {
			t.Fatalf("underflowing variances: ok=%v %+v", ok, w)
		}
	})
}

func TestNewSample(t *testing.T) {
	s := NewSample([]float64{1, math.NaN(), 3, math.Inf(1), math.Inf(-1)})
	if s.N != 2 || s.NonFinite != 3 || s.Mean != 2 || !near(s.SD, math.Sqrt2, 1e-12) || s.Min != 1 || s.Max != 3 {
		t.Errorf("got %+v; want n 2, 3 non-finite dropped, mean 2, sd √2", s)
	}
	// A computed mean of three 0.1s is 0.10000000000000002; a constant
	// sample must stay exactly constant so it compares equal.
	c := NewSample([]float64{0.1, 0.1, 0.1})
	if c.Mean != 0.1 || c.SD != 0 {
		t.Errorf("constant sample: mean %.17g sd %g", c.Mean, c.SD)
	}
	if e := NewSample(nil); e.N != 0 || e.Values == nil {
		t.Errorf("empty sample: %+v", e)
	}
}

func near(got, want, rel float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-300)
}

func check(t *testing.T, name string, got, want, rel float64) {
	t.Helper()
	if !near(got, want, rel) {
		t.Errorf("%s = %.15g, want %.15g", name, got, want)
	}
}

// Values near float64's limits are compared on a scale: the result is the
// ordinary one, scaled back.
func TestWelchAtExtremeScales(t *testing.T) {
	for _, k := range []float64{1e60, 1e-60} {
		scaled := func(v ...float64) *Sample {
			for i := range v {
				v[i] *= k
			}
			return NewSample(v)
		}
		for _, c := range []struct {
			name       string
			base, head []float64
		}{
			{"varying", []float64{1, 2}, []float64{3, 4}},
			{"constant", []float64{1, 1}, []float64{2, 2}},
		} {
			want, ok1 := WelchTest(NewSample(c.base), NewSample(c.head), 0.05)
			got, ok2 := WelchTest(scaled(c.base...), scaled(c.head...), 0.05)
			if !ok1 || !ok2 {
				t.Fatalf("%g %s: no test", k, c.name)
			}
			for _, f := range []struct {
				name      string
				got, want float64
			}{{"delta", got.Delta, want.Delta * k}, {"se", got.SE, want.SE * k}, {"ci low", got.CILow, want.CILow * k}, {"ci high", got.CIHigh, want.CIHigh * k}, {"p", got.P, want.P}} {
				if !near(f.got, f.want, 1e-12) {
					t.Errorf("%g %s: %s = %g, want %g", k, c.name, f.name, f.got, f.want)
				}
			}
		}
	}
}

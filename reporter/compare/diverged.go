package compare

import (
	"math"
	"slices"
)

// Diverged seeds are runs that left the main mode: a training run that
// collapsed to chance accuracy, a loss that blew up. One such seed drags a
// mean far enough, and inflates a variance enough, to hide a real change
// in every other seed (with one seed of five collapsed to 0.5 on each
// side, a 0.02 drop of the others tests at p = 0.85; without them, at
// p = 0.016).
//
// A value diverges when it lies more than divergeK robust standard
// deviations from its side's median, the robust standard deviation being
// 1.4826 × the median absolute deviation of both sides' values from their
// own side's median (so a shift between the sides does not count), never
// less than the sides' floor. Only sides of three values or more can hold
// one, and the median itself never diverges, so fewer than half do.
// When the two sides' medians are themselves more than divergeK robust
// standard deviations apart, most seeds of one side diverged or the change
// is far beyond the spread; see markDiverged for how the two are told
// apart. Diverged values are counted and shown; the mean, the spread and
// the test of the main mode use the rest, and Fisher's exact test asks
// whether one side diverges more often (see divergenceTest).
const divergeK = 8

// markDiverged sets aside the diverged values of each side of a judged
// metric. goal breaks a tie between two modes of equal weight: the one
// the goal prefers is the main mode.
func markDiverged(b, h *Sample, floor float64, goal string) {
	if goal == "" || (b.N < 3 && h.N < 3) {
		// A metric without a goal is shown, never judged: its values are
		// shown as they are.
		return
	}
	var resid []float64
	meds := [2]float64{}
	for i, s := range []*Sample{b, h} {
		if s.N == 0 {
			continue
		}
		meds[i] = median(s.Values)
		skipped := s.N%2 == 0
		for _, v := range s.Values {
			if !skipped && v == meds[i] {
				// An odd side's median is its own reference: its zero
				// would understate the spread.
				skipped = true
				continue
			}
			resid = append(resid, math.Abs(v-meds[i]))
		}
	}
	sigma := math.Max(1.4826*median(resid), floor)
	if sigma == 0 || math.IsInf(sigma, 0) || math.IsNaN(sigma) {
		return
	}
	limit := divergeK * sigma
	centers := meds
	if b.N > 0 && h.N > 0 && math.Abs(meds[0]-meds[1]) > limit {
		// The sides' medians sit in different modes. A mode the other
		// side also has values in is common: most seeds of one side
		// diverged, and the common mode is the main one (if both are,
		// the one more values sit in, or the one the goal prefers on a
		// tie). If neither is, there is no common mode — a change far
		// beyond the spread — and the plain test of all values sees it.
		shared0, shared1 := within(h, meds[0], limit) > 0, within(b, meds[1], limit) > 0
		var main float64
		switch {
		case shared0 && shared1:
			main = meds[0]
			n0, n1 := within(b, meds[0], limit)+within(h, meds[0], limit), within(b, meds[1], limit)+within(h, meds[1], limit)
			if n1 > n0 || (n1 == n0 && ((goal == "maximize") == (meds[1] > meds[0]))) {
				main = meds[1]
			}
		case shared0:
			main = meds[0]
		case shared1:
			main = meds[1]
		default:
			return
		}
		centers = [2]float64{main, main}
	}
	for i, s := range []*Sample{b, h} {
		if s.N < 3 {
			continue
		}
		mask := make([]bool, s.N)
		any := false
		for j, v := range s.Values {
			if math.Abs(v-centers[i]) > limit {
				mask[j], any = true, true
			}
		}
		if any {
			s.setAside(mask)
		}
	}
}

// within counts the values of s within limit of c.
func within(s *Sample, c, limit float64) int {
	n := 0
	for _, v := range s.Values {
		if math.Abs(v-c) <= limit {
			n++
		}
	}
	return n
}

// median of vals, which it does not modify.
func median(vals []float64) float64 {
	if len(vals) == 0 {
		return 0
	}
	s := slices.Clone(vals)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1]/2 + s[n/2]/2
}

// divergenceTest joins the test of the main modes with Fisher's exact test
// of how often each side diverged, when any seed did: the joint p-value is
// the smaller of the two, doubled (Bonferroni), so a shifted main mode and
// a change in how often seeds diverge can each decide. goal says which
// way diverging is worse: away from the main mode against the goal.
func divergenceTest(t *Test, b, h *Sample, goal string) {
	db, dh := len(b.Diverged), len(h.Diverged)
	if db+dh == 0 {
		return
	}
	p := fisherExact(db, b.N-db, dh, h.N-dh)
	t.Diverged = &RateTest{Base: db, BaseN: b.N, Head: dh, HeadN: h.N, P: p, MainP: t.P}
	t.P = math.Min(1, 2*math.Min(t.P, p))
	t.Diverged.Decides = p < t.Diverged.MainP
	// Diverged values below the main mode are worse for maximize.
	var below int
	for _, v := range append(append([]float64{}, b.Diverged...), h.Diverged...) {
		if v < (b.Mean+h.Mean)/2 {
			below++
		}
	}
	worse := (goal == "maximize") == (2*below >= db+dh)
	headMore := float64(dh)/float64(h.N) > float64(db)/float64(b.N)
	t.Diverged.Worse = worse == headMore
}

// fisherExact is the two-sided p-value of Fisher's exact test of the 2×2
// table [[a, b], [c, d]]: the probability, with the margins fixed, of a
// table no more likely than this one.
func fisherExact(a, b, c, d int) float64 {
	row1, col1, n := a+b, a+c, a+b+c+d
	logP := func(x int) float64 {
		return lchoose(row1, x) + lchoose(n-row1, col1-x) - lchoose(n, col1)
	}
	observed := logP(a)
	p := 0.0
	for x := max(0, col1-(n-row1)); x <= min(row1, col1); x++ {
		if lp := logP(x); lp <= observed+1e-7 {
			p += math.Exp(lp)
		}
	}
	return math.Min(1, p)
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

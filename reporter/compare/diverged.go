package compare

import (
	"math"
	"slices"
)

// Diverged seeds are runs that left the main mode: a training run that
// collapsed to chance accuracy, a loss that blew up. One such seed drags a
// mean far enough, and inflates a variance enough, to hide a real change
// in every other seed (the example: with one collapsed seed per
// side a 0.02 drop tests at p = 0.85; without it, p = 0.016).
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
// the test use the rest.
const divergeK = 8

// markDiverged sets aside the diverged values of each side. goal breaks a
// tie between two modes of equal weight: the one the goal prefers is the
// main mode.
func markDiverged(b, h *Sample, floor float64, goal string) {
	if b.N < 3 && h.N < 3 {
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
		// The sides' medians sit in different modes. If each side also
		// has values in the other's mode, both modes are common and most
		// seeds of one side diverged by chance: the main mode is the one
		// more values sit in (the one the goal prefers on a tie). If not,
		// there is no common mode — a change far beyond the spread — and
		// the plain test of all values sees it.
		if goal == "" || within(b, meds[1], limit) == 0 || within(h, meds[0], limit) == 0 {
			return
		}
		main := meds[0]
		n0, n1 := within(b, meds[0], limit)+within(h, meds[0], limit), within(b, meds[1], limit)+within(h, meds[1], limit)
		if n1 > n0 || (n1 == n0 && ((goal == "maximize") == (meds[1] > meds[0]))) {
			main = meds[1]
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

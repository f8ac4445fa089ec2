package compare

import (
	"math"
	"sort"
)

// Corrections for the many tests one pull request makes. A comparison of
// 40 experiments × 2 metrics runs 80 headline tests, and their 12 configs
// 960 more; at α = 0.05 each, an A/A change would fail the check most of
// the time and show a couple of dozen false labels. So:
//
//   - the headline tests, which decide the commit status, are adjusted
//     with Holm's step-down method: the chance that an A/A pull request
//     shows any headline regression or improvement stays below α,
//     whatever the number of experiments and however the tests depend on
//     each other;
//   - the per-config tests, shown for the reader and never deciding the
//     status, are adjusted with Benjamini–Hochberg at α/2: among the
//     config labels shown, the expected share of false ones stays below
//     α/2, so that an A/A comment shows, headline and configs together,
//     about α false labels on average rather than 2α.
const (
	// MethodHolm names Holm's family-wise correction.
	MethodHolm = "holm"
	// MethodBH names the Benjamini–Hochberg false-discovery correction.
	MethodBH = "benjamini-hochberg"
)

// Holm returns Holm's adjusted p-values of ps, in their order: reject the
// hypotheses whose adjusted p is below α and the family-wise error rate is
// at most α.
func Holm(ps []float64) []float64 {
	m := len(ps)
	idx := order(ps)
	out := make([]float64, m)
	running := 0.0
	for rank, i := range idx {
		adj := math.Min(1, float64(m-rank)*ps[i])
		running = math.Max(running, adj)
		out[i] = running
	}
	return out
}

// BH returns the Benjamini–Hochberg adjusted p-values (q-values) of ps, in
// their order: reject those below α and the false discovery rate is at
// most α.
func BH(ps []float64) []float64 {
	m := len(ps)
	idx := order(ps)
	out := make([]float64, m)
	running := 1.0
	for rank := m - 1; rank >= 0; rank-- {
		i := idx[rank]
		adj := math.Min(1, ps[i]*float64(m)/float64(rank+1))
		running = math.Min(running, adj)
		out[i] = running
	}
	return out
}

// order is the indices of ps by increasing p, ties by position.
func order(ps []float64) []int {
	idx := make([]int, len(ps))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	return idx
}

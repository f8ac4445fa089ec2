package compare

import (
	"math"
	"strconv"
	"strings"
)

// Two floors keep a spread of zero from proving anything:
//
//   - the resolution of the values: a metric written with two decimals
//     (accuracy on 100 examples: 0.87, 0.9) is only known to a grid of
//     0.01, so a side that never varied on that grid still has a spread
//     of up to the grid's rounding error;
//   - float arithmetic: values that agree to seven significant digits are
//     the same measurement (what float32 training can tell apart), so
//     0.9417 and 0.9416999999999999 do not differ.
//
// The standard deviation of each side is raised to the larger floor
// before testing. A floor bites only on samples (nearly) constant on
// their grid; it is what replaced the old "p = 0 (exact)" rule.
const (
	// maxDecimals is the most decimals a value may need to count as
	// written on a decimal grid; values that need more are continuous.
	maxDecimals = 12
	// relFloor is the relative float floor: 1e-7 of the largest value.
	relFloor = 1e-7
	// gridFloor is the floor as a fraction of the grid step: the
	// standard deviation of a rounding error spread evenly over one step,
	// 1/√12.
	gridFloor = 0.28867513459481287
)

// Resolution is the finest decimal step the values are written in: 0.01
// for 0.87 and 0.9, 1 for integers, 0 when any value needs more than 12
// decimals (a computed, continuous value) or none is non-zero.
func Resolution(sets ...[]float64) float64 {
	step := 0.0
	for _, vals := range sets {
		for _, v := range vals {
			if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			d := decimals(v)
			if d < 0 {
				return 0
			}
			if s := math.Pow(10, -float64(d)); step == 0 || s < step {
				step = s
			}
		}
	}
	return step
}

// decimals is the fewest decimals that write v exactly (as the shortest
// float that reads back as v), or -1 when more than maxDecimals are needed.
func decimals(v float64) int {
	// The shortest representation that reads back as v has the fewest
	// digits, so the fewest decimals: "8.7e-01" needs 2, "1.2e+03" 0.
	s := strconv.FormatFloat(v, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	e, err := strconv.Atoi(exp)
	if err != nil {
		return -1
	}
	frac := 0
	if _, f, ok := strings.Cut(mant, "."); ok {
		frac = len(f)
	}
	d := max(frac-e, 0)
	if d > maxDecimals {
		return -1
	}
	return d
}

// sideFloor is the smallest standard deviation a side is given: the
// rounding error of the comparison's grid (res) or the float floor of the
// side's own values, whichever is larger.
func sideFloor(res float64, vals []float64) float64 {
	scale := 0.0
	for _, v := range vals {
		if a := math.Abs(v); a > scale && !math.IsInf(a, 0) {
			scale = a
		}
	}
	return math.Max(gridFloor*res, relFloor*scale)
}

// SDFloor is the smallest standard deviation a sample of these values is
// given: the grid's rounding error or the float floor, whichever is
// larger.
func SDFloor(sets ...[]float64) float64 {
	scale := 0.0
	for _, vals := range sets {
		for _, v := range vals {
			if a := math.Abs(v); a > scale && !math.IsInf(a, 0) {
				scale = a
			}
		}
	}
	return math.Max(gridFloor*Resolution(sets...), relFloor*scale)
}

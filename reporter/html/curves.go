package html

import (
	"math"
	"slices"
	"sort"

	"github.com/assaylab/assay/runner"
)

// CurveDigits is the significant digits a curve value keeps in the page:
// a chart a few hundred pixels high cannot show more, and every digit
// dropped is a byte saved per point. Exact values are in the tables.
const CurveDigits = 4

// SeedSeries is one seed's recorded series of one metric.
type SeedSeries struct {
	Seed   int64
	Points []runner.Point
}

// BuildCurve puts the seeds' series on one grid of at most maxPoints
// steps and reports whether it had to resample. When the seeds share few
// enough steps the grid is exactly their steps; otherwise the distinct
// steps are cut into maxPoints runs of equal count, each drawn at its last
// step with each seed's mean over it, so a noisy curve keeps its shape
// and every seed stays on the same grid for the mean and the band.
// Non-finite values are left out. It returns nil when no seed has a value.
func BuildCurve(seeds []SeedSeries, maxPoints int) (*Curve, bool) {
	if maxPoints < 2 {
		maxPoints = 2
	}
	var all []int64
	clean := make([][]runner.Point, len(seeds))
	for i, s := range seeds {
		pts := make([]runner.Point, 0, len(s.Points))
		for _, p := range s.Points {
			if !math.IsNaN(p.Value) && !math.IsInf(p.Value, 0) {
				pts = append(pts, p)
			}
		}
		sort.SliceStable(pts, func(a, b int) bool { return pts[a].Step < pts[b].Step })
		clean[i] = pts
		for _, p := range pts {
			all = append(all, p.Step)
		}
	}
	if len(all) == 0 {
		return nil, false
	}
	slices.Sort(all)
	all = slices.Compact(all)

	c := &Curve{Seeds: make([]int64, len(seeds)), Values: make([][]float64, len(seeds))}
	for i, s := range seeds {
		c.Seeds[i] = s.Seed
	}
	if len(all) <= maxPoints {
		c.Steps = all
		for i, pts := range clean {
			row := nanRow(len(all))
			j := 0
			for _, p := range pts {
				for all[j] < p.Step {
					j++
				}
				row[j] = p.Value // a repeated step keeps its last value
			}
			c.Values[i] = row
		}
		return c, false
	}

	// bounds[g] is the index in all of group g's last step.
	bounds := make([]int, maxPoints)
	for g := range bounds {
		bounds[g] = (g+1)*len(all)/maxPoints - 1
	}
	c.Steps = make([]int64, maxPoints)
	for g, b := range bounds {
		c.Steps[g] = all[b]
	}
	for i, pts := range clean {
		row := nanRow(maxPoints)
		k := 0
		for g := range bounds {
			sum, n := 0.0, 0
			for k < len(pts) && pts[k].Step <= c.Steps[g] {
				sum += pts[k].Value
				n++
				k++
			}
			if n > 0 {
				row[g] = sum / float64(n)
			}
		}
		c.Values[i] = row
	}
	return c, true
}

func nanRow(n int) []float64 {
	row := make([]float64, n)
	for i := range row {
		row[i] = math.NaN()
	}
	return row
}

// Len is the number of values the curve holds, what the size budget
// counts.
func (c *Curve) Len() int { return len(c.Seeds) * len(c.Steps) }

// evenStride returns the common difference of steps when they are evenly
// spaced (and at least two), else 0.
func evenStride(steps []int64) int64 {
	if len(steps) < 2 {
		return 0
	}
	d := steps[1] - steps[0]
	if d <= 0 {
		return 0
	}
	for i := 2; i < len(steps); i++ {
		if steps[i]-steps[i-1] != d {
			return 0
		}
	}
	return d
}

package metrics

import (
	"math"
	"sort"

	"github.com/assaylab/assay/runner"
)

// MaxPoints bounds the series a record keeps for one metric.
const MaxPoints = 1000

// Series accumulates one metric's points: exact summaries over all of
// them, and a thinned copy of the points in bounded memory.
type Series struct {
	points []runner.Point
	// stride keeps every stride-th point; it doubles whenever points
	// fills up, so memory stays under 2*MaxPoints.
	stride int
	seen   int
	last   runner.Point
	min    float64
	max    float64
	sum    float64
}

// Add records one finite point.
func (s *Series) Add(step int64, v float64) {
	if s.stride == 0 {
		s.stride = 1
		s.min, s.max = v, v
	}
	p := runner.Point{Step: step, Value: v}
	if s.seen&(s.stride-1) == 0 { // stride is a power of two
		s.points = append(s.points, p)
		if len(s.points) >= 2*MaxPoints {
			s.points = thin(s.points, 2)
			s.stride *= 2
		}
	}
	s.seen++
	s.last = p
	// math.Min and math.Max for finite values (-0 below +0), without
	// their NaN and infinity cases: this runs for every point of a
	// large file.
	if v < s.min || v == s.min && math.Signbit(v) {
		s.min = v
	}
	if v > s.max || v == s.max && !math.Signbit(v) {
		s.max = v
	}
	s.sum += v
}

// add is Add for most points, small enough to be inlined where a large
// file's are added: it does nothing and returns false for a point the
// thinned copy keeps, and for 0 (whose sign the minimum and maximum
// must weigh), which Add takes.
func (s *Series) add(step int64, v float64) bool {
	if s.seen&(s.stride-1) == 0 || v == 0 { // stride is 0 before the first point
		return false
	}
	s.seen++
	s.last.Step, s.last.Value = step, v
	if v < s.min { // v == s.min changes nothing but a zero's sign
		s.min = v
	}
	if v > s.max {
		s.max = v
	}
	s.sum += v
	return true
}

// Len is the number of points added.
func (s *Series) Len() int { return s.seen }

// Last is the latest point added.
func (s *Series) Last() runner.Point { return s.last }

// Summary reduces the series by rule: "last" (also for ""), "min", "max"
// or "mean". ok is false for an empty series.
func (s *Series) Summary(rule string) (v float64, ok bool) {
	if s.seen == 0 {
		return 0, false
	}
	switch rule {
	case "min":
		return s.min, true
	case "max":
		return s.max, true
	case "mean":
		return s.sum / float64(s.seen), true
	default:
		return s.last.Value, true
	}
}

// Points returns at most MaxPoints points in step order, the first and
// the last point added among them.
func (s *Series) Points() []runner.Point {
	pts := append([]runner.Point(nil), s.points...)
	if s.seen > 0 && (len(pts) == 0 || pts[len(pts)-1] != s.last) {
		pts = append(pts, s.last)
	}
	if len(pts) > MaxPoints {
		last := pts[len(pts)-1]
		pts = thin(pts[:len(pts)-1], (len(pts)+MaxPoints-2)/(MaxPoints-1))
		pts = append(pts, last)
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Step < pts[j].Step })
	return pts
}

// thin keeps every k-th point, starting with the first, reusing pts.
func thin(pts []runner.Point, k int) []runner.Point {
	out := pts[:0]
	for i := 0; i < len(pts); i += k {
		out = append(out, pts[i])
	}
	return out
}

package results

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/assaylab/assay/runner"
)

// What a record may carry, so the branch stays cheap for every clone.
const (
	// MaxSeriesPoints bounds each metric series on the branch.
	MaxSeriesPoints = 1000
	// LogTailBytes is how much of a run's log the branch keeps.
	LogTailBytes = 8 << 10
	// FailedLogTailBytes is the log kept for a run that did not succeed,
	// where the end of the log is what a reviewer needs.
	FailedLogTailBytes = 64 << 10
	// SeriesDigits is the significant digits, of the series' largest
	// value, that a series keeps. The series are for charts; the exact
	// summaries are in the record.
	SeriesDigits = 4
)

// Downsample returns at most max points of s (in step order), keeping the
// first, the last, and each bucket's lowest and highest value, so the global
// minimum and maximum always survive. s is not modified.
func Downsample(s []runner.Point, max int) []runner.Point {
	if max < 4 {
		max = 4
	}
	if len(s) <= max {
		return s
	}
	out := make([]runner.Point, 0, max)
	out = append(out, s[0])
	inner := s[1 : len(s)-1]
	buckets := (max - 2) / 2
	for b := 0; b < buckets; b++ {
		lo, hi := b*len(inner)/buckets, (b+1)*len(inner)/buckets
		if lo >= hi {
			continue
		}
		minI, maxI := lo, lo
		for i := lo; i < hi; i++ {
			v := inner[i].Value
			if less(v, inner[minI].Value) {
				minI = i
			}
			if less(inner[maxI].Value, v) {
				maxI = i
			}
		}
		if minI == maxI {
			out = append(out, inner[minI])
			continue
		}
		first, second := minI, maxI
		if first > second {
			first, second = second, first
		}
		out = append(out, inner[first], inner[second])
	}
	return append(out, s[len(s)-1])
}

// less orders values with NaN below everything, so a NaN never hides a
// real extreme.
func less(a, b float64) bool {
	if math.IsNaN(a) {
		return !math.IsNaN(b)
	}
	return a < b
}

// LogTail returns the end of a log: at most limit bytes, starting at a line
// boundary where one is near, and led by a line saying how much was cut.
func LogTail(log []byte, limit int) []byte {
	b, _ := readTail(bytes.NewReader(log), int64(len(log)), limit)
	return b
}

// readTail is LogTail over a file that may be far larger than the tail:
// only the tail is read.
func readTail(r io.ReaderAt, size int64, limit int) ([]byte, error) {
	if size <= int64(limit) {
		b := make([]byte, size)
		_, err := r.ReadAt(b, 0)
		if err == io.EOF {
			err = nil
		}
		return b, err
	}
	const marker = "[assay: %d earlier bytes of the log are not kept on the results branch]\n"
	room := max(limit-len(fmt.Sprintf(marker, size)), 0)
	tail := make([]byte, room)
	if _, err := r.ReadAt(tail, size-int64(room)); err != nil && err != io.EOF {
		return nil, err
	}
	// Start at the next whole line when it is close, and never inside a
	// UTF-8 sequence.
	if i := bytes.IndexByte(tail, '\n'); i >= 0 && i < len(tail)/4 {
		tail = tail[i+1:]
	}
	for len(tail) > 0 && !utf8.RuneStart(tail[0]) {
		tail = tail[1:]
	}
	out := fmt.Appendf(nil, marker, size-int64(len(tail)))
	return append(out, tail...), nil
}

// logLimit is the tail a run of this status keeps.
func logLimit(s runner.Status) int {
	if s == runner.StatusSucceeded {
		return LogTailBytes
	}
	return FailedLogTailBytes
}

// encodeSeries writes the series file: one object per metric,
//
//	{"val_acc":{"step_from":10,"step_every":10,"exp":-4,"delta":[5012,31,-7,null,12]}}
//
// Values are integers times 10^exp, kept to SeriesDigits significant
// digits of the series' largest value, and written as differences from
// the previous value: training curves change little from step to step, so
// the differences are short and compress to a fraction of the plain
// numbers (under 2 KiB for three 500-point series). null is a NaN or
// infinite value (a gap); it does not move the running value. Steps that
// advance evenly are given by step_from and step_every, others as a
// "step" list.
func encodeSeries(series map[string][]runner.Point) []byte {
	names := make([]string, 0, len(series))
	for n := range series {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, n := range names {
		pts := Downsample(series[n], MaxSeriesPoints)
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(strconv.AppendQuote(nil, n))
		b.WriteString(":{")
		if from, every, ok := evenSteps(pts); ok {
			fmt.Fprintf(&b, `"step_from":%d,"step_every":%d`, from, every)
		} else {
			b.WriteString(`"step":[`)
			for j, p := range pts {
				if j > 0 {
					b.WriteByte(',')
				}
				b.Write(strconv.AppendInt(nil, p.Step, 10))
			}
			b.WriteByte(']')
		}
		exp := seriesExp(pts)
		fmt.Fprintf(&b, `,"exp":%d,"delta":[`, exp)
		scale := math.Pow10(-exp)
		var prev int64
		for j, p := range pts {
			if j > 0 {
				b.WriteByte(',')
			}
			if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
				b.WriteString("null")
				continue
			}
			v := int64(math.Round(p.Value * scale))
			b.Write(strconv.AppendInt(nil, v-prev, 10))
			prev = v
		}
		b.WriteString("]}")
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// evenSteps reports whether the steps advance by one fixed amount.
func evenSteps(pts []runner.Point) (from, every int64, ok bool) {
	if len(pts) < 2 {
		return 0, 0, false
	}
	from, every = pts[0].Step, pts[1].Step-pts[0].Step
	for i := 1; i < len(pts); i++ {
		if pts[i].Step-pts[i-1].Step != every {
			return 0, 0, false
		}
	}
	return from, every, every > 0
}

// seriesExp is the power of ten of a series' last kept digit.
func seriesExp(pts []runner.Point) int {
	m := 0.0
	for _, p := range pts {
		if v := math.Abs(p.Value); !math.IsNaN(v) && !math.IsInf(v, 0) && v > m {
			m = v
		}
	}
	if m == 0 {
		return 0
	}
	return int(math.Floor(math.Log10(m))) - SeriesDigits + 1
}

// seriesColumns is one metric of the series file as decoded.
type seriesColumns struct {
	Step      []int64  `json:"step"`
	StepFrom  int64    `json:"step_from"`
	StepEvery int64    `json:"step_every"`
	Exp       int      `json:"exp"`
	Delta     []*int64 `json:"delta"`
}

// decodeSeries reads a series file back into points; null values come back
// as NaN.
func decodeSeries(cols map[string]seriesColumns) (map[string][]runner.Point, error) {
	out := make(map[string][]runner.Point, len(cols))
	for name, c := range cols {
		if c.Step != nil && len(c.Step) != len(c.Delta) {
			return nil, fmt.Errorf("series %q has %d steps but %d values", name, len(c.Step), len(c.Delta))
		}
		scale := math.Pow10(c.Exp)
		pts := make([]runner.Point, len(c.Delta))
		var cur int64
		for i, d := range c.Delta {
			step := c.StepFrom + int64(i)*c.StepEvery
			if c.Step != nil {
				step = c.Step[i]
			}
			v := math.NaN()
			if d != nil {
				cur += *d
				v = float64(cur) * scale
				// Print as the rounded decimal it stands for, not 0.30000000000000004.
				v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
			}
			pts[i] = runner.Point{Step: step, Value: v}
		}
		out[name] = pts
	}
	return out, nil
}

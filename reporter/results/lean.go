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
	// SeriesDigits is the significant digits a series value keeps. The
	// series are for charts; the exact summaries are in the record.
	SeriesDigits = 5
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

// encodeSeries writes the series file: one object per metric with a step
// column and a value column,
//
//	{"val_acc":{"step":[1,2],"value":[0.5,0.61]}}
//
// Columns keep the file small after compression: the step columns of
// metrics logged together are identical and cost almost nothing. Values
// keep SeriesDigits significant digits; NaN and infinities become null.
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
		b.WriteString(`:{"step":[`)
		for j, p := range pts {
			if j > 0 {
				b.WriteByte(',')
			}
			b.Write(strconv.AppendInt(nil, p.Step, 10))
		}
		b.WriteString(`],"value":[`)
		for j, p := range pts {
			if j > 0 {
				b.WriteByte(',')
			}
			b.Write(appendSeriesValue(nil, p.Value))
		}
		b.WriteString("]}")
	}
	b.WriteString("}\n")
	return b.Bytes()
}

func appendSeriesValue(dst []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(dst, "null"...)
	}
	// Round to SeriesDigits, then print the shortest form that reads back
	// as the rounded value.
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', SeriesDigits, 64), 64)
	if r == math.Trunc(r) && math.Abs(r) < 1e15 {
		return strconv.AppendInt(dst, int64(r), 10)
	}
	return strconv.AppendFloat(dst, r, 'g', -1, 64)
}

// seriesColumns is the series file as decoded.
type seriesColumns struct {
	Step  []int64    `json:"step"`
	Value []*float64 `json:"value"`
}

// decodeSeries reads a series file back into points; null values come back
// as NaN.
func decodeSeries(cols map[string]seriesColumns) (map[string][]runner.Point, error) {
	out := make(map[string][]runner.Point, len(cols))
	for name, c := range cols {
		if len(c.Step) != len(c.Value) {
			return nil, fmt.Errorf("series %q has %d steps but %d values", name, len(c.Step), len(c.Value))
		}
		pts := make([]runner.Point, len(c.Step))
		for i := range c.Step {
			v := math.NaN()
			if c.Value[i] != nil {
				v = *c.Value[i]
			}
			pts[i] = runner.Point{Step: c.Step[i], Value: v}
		}
		out[name] = pts
	}
	return out, nil
}

package html

import (
	"bytes"
	"math"
	"strconv"
)

// MarshalJSON writes the curve compactly: an evenly spaced grid as
// {"start","stride","n"} instead of every step, values with CurveDigits
// significant digits, and null for a seed with no value at a step.
func (c *Curve) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 32+c.Len()*7)
	b = append(b, '{')
	if d := evenStride(c.Steps); d > 0 {
		b = append(b, `"start":`...)
		b = strconv.AppendInt(b, c.Steps[0], 10)
		b = append(b, `,"stride":`...)
		b = strconv.AppendInt(b, d, 10)
		b = append(b, `,"n":`...)
		b = strconv.AppendInt(b, int64(len(c.Steps)), 10)
	} else {
		b = append(b, `"steps":[`...)
		for i, s := range c.Steps {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, s, 10)
		}
		b = append(b, ']')
	}
	b = append(b, `,"seeds":[`...)
	for i, s := range c.Seeds {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, s, 10)
	}
	b = append(b, `],"values":[`...)
	for i, row := range c.Values {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, v := range row {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendShort(b, v)
		}
		b = append(b, ']')
	}
	return append(b, ']', '}'), nil
}

// appendShort appends v with CurveDigits significant digits in the
// shortest form JSON accepts, or null for a non-finite value.
func appendShort(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	var tmp [32]byte
	f := strconv.AppendFloat(tmp[:0], v, 'g', CurveDigits, 64)
	// 'g' writes exponents as e-05; JSON reads e-5 just as well.
	i := bytes.IndexByte(f, 'e')
	if i < 0 {
		return append(b, f...)
	}
	b = append(b, f[:i+2]...) // mantissa, 'e' and the sign
	digits := bytes.TrimLeft(f[i+2:], "0")
	return append(b, digits...)
}

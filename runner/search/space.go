package search

import (
	"math"
	"strconv"

	"github.com/zclconf/go-cty/cty"

	"github.com/assaylab/assay/spec"
)

// Kind is the shape of a param's domain.
type Kind int

// The domains of spec's sweep params.
const (
	// Uniform is a real in [Low, High].
	Uniform Kind = iota
	// LogUniform is a real in [Low, High], Low > 0, modelled in log space.
	LogUniform
	// Int is a whole number in [Low, High].
	Int
	// Choice is one of Choices values, by index.
	Choice
)

// Param is one dimension of a search space.
type Param struct {
	Name      string
	Kind      Kind
	Low, High float64
	// Choices counts a Choice param's values.
	Choices int
}

// Space is a search's params, in the sweep's order. A point of the space
// is a []float64 with one coordinate per param: the value itself for
// Uniform, LogUniform and Int, the index of the value for Choice.
type Space []Param

// SpaceOf is the space of a sweep's params.
func SpaceOf(s *spec.Sweep) Space {
	out := make(Space, len(s.Params))
	for i, p := range s.Params {
		q := Param{Name: p.Name, Low: p.Min, High: p.Max}
		switch p.Distribution {
		case "uniform":
			q.Kind = Uniform
		case "log_uniform":
			q.Kind = LogUniform
		case "int_uniform":
			q.Kind = Int
		default:
			q.Kind, q.Choices = Choice, len(p.Values)
		}
		out[i] = q
	}
	return out
}

// Values turns a point into param values for spec.Experiment.SweepPoint.
func (s Space) Values(sw *spec.Sweep, x []float64) map[string]cty.Value {
	out := make(map[string]cty.Value, len(s))
	for i, p := range s {
		switch p.Kind {
		case Choice:
			out[p.Name] = sw.Params[i].Values[int(x[i])]
		case Int:
			out[p.Name] = cty.NumberIntVal(int64(x[i]))
		default:
			out[p.Name] = cty.NumberFloatVal(x[i])
		}
	}
	return out
}

// Point reads the coordinates of a param point (an object of param
// values, as spec.Experiment.Points makes them). ok is false when a value
// lies outside the space.
func (s Space) Point(sw *spec.Sweep, point cty.Value) ([]float64, bool) {
	x := make([]float64, len(s))
	for i, p := range s {
		if !point.Type().IsObjectType() || !point.Type().HasAttribute(p.Name) {
			return nil, false
		}
		v := point.GetAttr(p.Name)
		if p.Kind == Choice {
			idx := -1
			want := spec.ValueJSON(v)
			for j, c := range sw.Params[i].Values {
				if spec.ValueJSON(c) == want {
					idx = j
					break
				}
			}
			if idx < 0 {
				return nil, false
			}
			x[i] = float64(idx)
			continue
		}
		if v.IsNull() || !v.IsKnown() || v.Type() != cty.Number {
			return nil, false
		}
		f, _ := v.AsBigFloat().Float64()
		if f < p.Low || f > p.High {
			return nil, false
		}
		x[i] = f
	}
	return x, true
}

// lo and hi are a real param's bounds where it is modelled: log space for
// LogUniform, and half a unit beyond the ends for Int, so each whole
// number owns an interval of width one.
func (p Param) lo() float64 {
	switch p.Kind {
	case LogUniform:
		return math.Log(p.Low)
	case Int:
		return p.Low - 0.5
	}
	return p.Low
}

func (p Param) hi() float64 {
	switch p.Kind {
	case LogUniform:
		return math.Log(p.High)
	case Int:
		return p.High + 0.5
	}
	return p.High
}

// model maps a value into the space its density lives in.
func (p Param) model(v float64) float64 {
	if p.Kind == LogUniform {
		return math.Log(v)
	}
	return v
}

// value maps a modelled coordinate back to a param value, rounded to what
// a proposal keeps (see the package doc) and kept inside the domain.
func (p Param) value(z float64) float64 {
	switch p.Kind {
	case Int:
		return math.Min(math.Max(math.Round(z), p.Low), p.High)
	case LogUniform:
		z = math.Exp(z)
	}
	return math.Min(math.Max(round6(z), p.Low), p.High)
}

// round6 keeps 6 significant digits.
func round6(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	return r
}

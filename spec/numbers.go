package spec

import (
	"math"
	"math/big"

	"github.com/zclconf/go-cty/cty"
)

// normalizeNumbers rounds every number in v to the nearest float64 (or
// keeps it whole when it is a whole number that fits in an int64).
//
// HCL numbers carry 512 bits of precision, but params end up in a JSON
// object that training scripts parse into float64, so nothing beyond
// float64 can reach a trial. Rounding once, here, makes the canonical
// encoding of a param the shortest decimal of its float64 value (the same
// text Python's repr prints), and it keeps expansion fast: printing a
// 512-bit float in shortest form costs far more than printing a float64.
func normalizeNumbers(v cty.Value) cty.Value {
	if v.IsNull() || !v.IsKnown() {
		return v
	}
	t := v.Type()
	switch {
	case t == cty.Number:
		return normalizeNumber(v.AsBigFloat())
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		if v.LengthInt() == 0 {
			return v
		}
		vals := make([]cty.Value, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			vals = append(vals, normalizeNumbers(ev))
		}
		switch {
		case t.IsListType():
			return cty.ListVal(vals)
		case t.IsSetType():
			return cty.SetVal(vals)
		}
		return cty.TupleVal(vals)
	case t.IsMapType() || t.IsObjectType():
		if v.LengthInt() == 0 {
			return v
		}
		m := make(map[string]cty.Value, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			m[k.AsString()] = normalizeNumbers(ev)
		}
		if t.IsMapType() {
			return cty.MapVal(m)
		}
		return cty.ObjectVal(m)
	}
	return v
}

func normalizeNumber(bf *big.Float) cty.Value {
	if bf.IsInt() {
		if n, acc := bf.Int64(); acc == big.Exact {
			return cty.NumberIntVal(n)
		}
	}
	f, _ := bf.Float64()
	if math.IsInf(f, 0) {
		// Out of float64 range: keep it, a training script could not
		// use it anyway and the value stays visible in the key.
		return cty.NumberVal(bf)
	}
	return cty.NumberFloatVal(f)
}

package spec

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strconv"

	"github.com/zclconf/go-cty/cty"
)

// canonicalJSON appends the canonical JSON of v to buf: object keys sorted,
// no insignificant whitespace, whole numbers as integers and other numbers
// as the shortest decimal that round-trips their float64 value (params are
// normalised to float64 first; see normalizeNumbers). Strings are escaped
// as encoding/json escapes them.
func canonicalJSON(buf *bytes.Buffer, v cty.Value) {
	if v.IsNull() {
		buf.WriteString("null")
		return
	}
	t := v.Type()
	switch {
	case t == cty.String:
		b, _ := json.Marshal(v.AsString())
		buf.Write(b)
	case t == cty.Bool:
		buf.WriteString(strconv.FormatBool(v.True()))
	case t == cty.Number:
		buf.WriteString(numberText(v.AsBigFloat()))
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		buf.WriteByte('[')
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			_, ev := it.Element()
			canonicalJSON(buf, ev)
		}
		buf.WriteByte(']')
	case t.IsMapType() || t.IsObjectType():
		// cty iterates maps and objects in key order.
		buf.WriteByte('{')
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, ev := it.Element()
			b, _ := json.Marshal(k.AsString())
			buf.Write(b)
			buf.WriteByte(':')
			canonicalJSON(buf, ev)
		}
		buf.WriteByte('}')
	default:
		buf.WriteString("null")
	}
}

// numberText prints a number the way canonicalJSON does.
func numberText(bf *big.Float) string {
	if bf.IsInt() {
		if n, acc := bf.Int64(); acc == big.Exact {
			return strconv.FormatInt(n, 10)
		}
	}
	if bf.Prec() <= 53 {
		f, _ := bf.Float64()
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return bf.Text('f', -1)
}

// goValue converts a param value to the Go value encoding/json would
// decode its canonical JSON into.
func goValue(v cty.Value) any {
	if v.IsNull() {
		return nil
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString()
	case t == cty.Bool:
		return v.True()
	case t == cty.Number:
		f, _ := v.AsBigFloat().Float64()
		return f
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			out = append(out, goValue(ev))
		}
		return out
	case t.IsMapType() || t.IsObjectType():
		out := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			out[k.AsString()] = goValue(ev)
		}
		return out
	}
	return nil
}

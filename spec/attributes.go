package spec

import (
	"fmt"
	"math/big"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// The helpers below evaluate one attribute into a Go value. Each reports a
// wrong type or a null against the attribute's expression, the narrowest
// range a user can fix, and returns ok=false so callers can skip dependants.

// evalAttr evaluates attr and converts it to want. ok is false when the
// value cannot be used; diagnostics say why, except for unknown values,
// which only arise downstream of an error already reported (a failed
// variable or a cycle in locals) and would only repeat it.
func evalAttr(attr *hcl.Attribute, ctx *hcl.EvalContext, want cty.Type, what string) (cty.Value, bool, hcl.Diagnostics) {
	v, diags := attr.Expr.Value(ctx)
	if diags.HasErrors() {
		return cty.NilVal, false, diags
	}
	if !v.IsWhollyKnown() {
		return cty.NilVal, false, diags
	}
	if v.IsNull() {
		return cty.NilVal, false, hcl.Diagnostics{typeDiag(attr, fmt.Sprintf("%s is required, but the value is null.", what))}
	}
	cv, err := convert.Convert(v, want)
	if err != nil {
		return cty.NilVal, false, hcl.Diagnostics{typeDiag(attr, fmt.Sprintf("Inappropriate value for attribute %q: %s.", attr.Name, err))}
	}
	if cv.IsNull() {
		return cty.NilVal, false, hcl.Diagnostics{typeDiag(attr, fmt.Sprintf("%s is required, but the value is null.", what))}
	}
	return cv, true, diags
}

func typeDiag(attr *hcl.Attribute, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity:   hcl.DiagError,
		Summary:    "Incorrect attribute value type",
		Detail:     detail,
		Subject:    attr.Expr.Range().Ptr(),
		Expression: attr.Expr,
	}
}

func evalString(attr *hcl.Attribute, ctx *hcl.EvalContext) (string, bool, hcl.Diagnostics) {
	v, ok, diags := evalAttr(attr, ctx, cty.String, fmt.Sprintf("A string for %q", attr.Name))
	if !ok {
		return "", false, diags
	}
	return v.AsString(), true, nil
}

func evalBool(attr *hcl.Attribute, ctx *hcl.EvalContext) (bool, bool, hcl.Diagnostics) {
	v, ok, diags := evalAttr(attr, ctx, cty.Bool, fmt.Sprintf("A bool for %q", attr.Name))
	if !ok {
		return false, false, diags
	}
	return v.True(), true, nil
}

func evalNumber(attr *hcl.Attribute, ctx *hcl.EvalContext) (float64, bool, hcl.Diagnostics) {
	v, ok, diags := evalAttr(attr, ctx, cty.Number, fmt.Sprintf("A number for %q", attr.Name))
	if !ok {
		return 0, false, diags
	}
	f, _ := v.AsBigFloat().Float64()
	return f, true, nil
}

// evalInt evaluates a whole number in [lo, hi].
func evalInt(attr *hcl.Attribute, ctx *hcl.EvalContext, lo, hi int64) (int64, bool, hcl.Diagnostics) {
	v, ok, diags := evalAttr(attr, ctx, cty.Number, fmt.Sprintf("A whole number for %q", attr.Name))
	if !ok {
		return 0, false, diags
	}
	n, ok := wholeNumber(v.AsBigFloat())
	if !ok {
		return 0, false, hcl.Diagnostics{typeDiag(attr, fmt.Sprintf("%q must be a whole number, got %s.", attr.Name, v.AsBigFloat().Text('g', -1)))}
	}
	if n < lo || n > hi {
		return 0, false, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Value out of range",
			Detail:   fmt.Sprintf("%q must be between %d and %d, got %d.", attr.Name, lo, hi, n),
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	return n, true, nil
}

func wholeNumber(bf *big.Float) (int64, bool) {
	if !bf.IsInt() {
		return 0, false
	}
	n, acc := bf.Int64()
	return n, acc == big.Exact
}

func evalStringList(attr *hcl.Attribute, ctx *hcl.EvalContext) ([]string, bool, hcl.Diagnostics) {
	v, ok, diags := evalAttr(attr, ctx, cty.List(cty.String), fmt.Sprintf("A list of strings for %q", attr.Name))
	if !ok {
		return nil, false, diags
	}
	out := make([]string, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() {
			return nil, false, hcl.Diagnostics{typeDiag(attr, fmt.Sprintf("%q may not contain null.", attr.Name))}
		}
		out = append(out, ev.AsString())
	}
	return out, true, nil
}

func evalIntList(attr *hcl.Attribute, ctx *hcl.EvalContext) ([]int64, bool, hcl.Diagnostics) {
	v, ok, diags := evalAttr(attr, ctx, cty.List(cty.Number), fmt.Sprintf("A list of whole numbers for %q", attr.Name))
	if !ok {
		return nil, false, diags
	}
	out := make([]int64, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() {
			return nil, false, hcl.Diagnostics{typeDiag(attr, fmt.Sprintf("%q may not contain null.", attr.Name))}
		}
		n, ok := wholeNumber(ev.AsBigFloat())
		if !ok {
			return nil, false, hcl.Diagnostics{typeDiag(attr, fmt.Sprintf("%q must hold whole numbers, got %s.", attr.Name, ev.AsBigFloat().Text('g', -1)))}
		}
		out = append(out, n)
	}
	return out, true, nil
}

func evalStringMap(attr *hcl.Attribute, ctx *hcl.EvalContext) (map[string]string, bool, hcl.Diagnostics) {
	v, ok, diags := evalAttr(attr, ctx, cty.Map(cty.String), fmt.Sprintf("A map of strings for %q", attr.Name))
	if !ok {
		return nil, false, diags
	}
	out := make(map[string]string, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		if ev.IsNull() {
			return nil, false, hcl.Diagnostics{typeDiag(attr, fmt.Sprintf("%q may not contain null.", attr.Name))}
		}
		out[k.AsString()] = ev.AsString()
	}
	return out, true, nil
}

// oneOf checks that s is one of allowed and reports against attr otherwise.
func oneOf(attr *hcl.Attribute, s string, allowed ...string) hcl.Diagnostics {
	for _, a := range allowed {
		if s == a {
			return nil
		}
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Invalid %s", attr.Name),
		Detail:   fmt.Sprintf("%q is not a valid %s; use one of %s.", s, attr.Name, quoteList(allowed)),
		Subject:  attr.Expr.Range().Ptr(),
	}}
}

func quoteList(ss []string) string {
	out := ""
	for i, s := range ss {
		switch {
		case i == 0:
		case i == len(ss)-1:
			out += " or "
		default:
			out += ", "
		}
		out += fmt.Sprintf("%q", s)
	}
	return out
}

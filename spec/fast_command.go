package spec

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// fastCommand evaluates the common shape of a command, a list whose
// elements are literals, references (param.lr, var.x, seed) or templates
// made of literals and references, without HCL's general template
// machinery. It produces exactly what HCL would: each reference is looked
// up by HCL and turned into text as HCL's string conversion does
// (numberText agrees with it; see primitiveString). Anything else (a
// function call, an operator, a directive, a null) makes it give up, and
// the caller evaluates the expression the ordinary way, with diagnostics.
//
// Expansion evaluates a command once per config, thousands of times per
// plan; HCL's template evaluation was a quarter of a plan's time.
type fastCommand struct {
	elems [][]hclsyntax.Expression // per element: literal or traversal parts
}

func compileFastCommand(a *hcl.Attribute) *fastCommand {
	if a == nil {
		return nil
	}
	tuple, ok := a.Expr.(*hclsyntax.TupleConsExpr)
	if !ok || len(tuple.Exprs) == 0 {
		return nil
	}
	fc := &fastCommand{}
	for _, el := range tuple.Exprs {
		var parts []hclsyntax.Expression
		switch x := el.(type) {
		case *hclsyntax.LiteralValueExpr, *hclsyntax.ScopeTraversalExpr:
			parts = []hclsyntax.Expression{x}
		case *hclsyntax.TemplateWrapExpr:
			st, ok := x.Wrapped.(*hclsyntax.ScopeTraversalExpr)
			if !ok {
				return nil
			}
			parts = []hclsyntax.Expression{st}
		case *hclsyntax.TemplateExpr:
			for _, p := range x.Parts {
				switch p.(type) {
				case *hclsyntax.LiteralValueExpr, *hclsyntax.ScopeTraversalExpr:
					parts = append(parts, p)
				default:
					return nil
				}
			}
		default:
			return nil
		}
		fc.elems = append(fc.elems, parts)
	}
	return fc
}

// eval returns the command, or ok=false when the slow path must decide.
func (fc *fastCommand) eval(ctx *hcl.EvalContext) ([]string, bool) {
	out := make([]string, 0, len(fc.elems))
	var b strings.Builder
	for _, parts := range fc.elems {
		if len(parts) == 1 {
			s, ok := fastPart(parts[0], ctx)
			if !ok {
				return nil, false
			}
			out = append(out, s)
			continue
		}
		b.Reset()
		for _, p := range parts {
			s, ok := fastPart(p, ctx)
			if !ok {
				return nil, false
			}
			b.WriteString(s)
		}
		out = append(out, b.String())
	}
	if out[0] == "" {
		return nil, false
	}
	return out, true
}

func fastPart(p hclsyntax.Expression, ctx *hcl.EvalContext) (string, bool) {
	switch x := p.(type) {
	case *hclsyntax.LiteralValueExpr:
		return primitiveString(x.Val)
	case *hclsyntax.ScopeTraversalExpr:
		v, diags := x.Traversal.TraverseAbs(ctx)
		if diags.HasErrors() {
			return "", false
		}
		return primitiveString(v)
	}
	return "", false
}

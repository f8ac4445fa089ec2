package spec

import (
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// seedSentinel stands in for the seed while an expression is evaluated
// once per config. It contains NUL bytes, which no spec string can hold by
// accident.
const seedSentinel = "\x00assay:seed\x00"

var seedSentinelVal = cty.StringVal(seedSentinel)

// seedOnlyInterpolated reports whether every use of seed in a's expression
// lands unchanged in the final string value: a template part ("--seed=${seed}"),
// a whole element of the command list, or a whole value of the env map.
// Then the expression can be evaluated once per config with a sentinel in
// place of the seed, and each trial's value is a string replacement: the
// same result as evaluating it per trial, without the cost. Any other use
// (arithmetic, a function argument, a condition) disqualifies it.
func seedOnlyInterpolated(a *hcl.Attribute) bool {
	root, ok := a.Expr.(hclsyntax.Expression)
	if !ok {
		return false
	}
	w := &seedWalker{safe: true}
	if diags := hclsyntax.Walk(root, w); diags.HasErrors() {
		return false
	}
	return w.safe && w.found
}

type seedWalker struct {
	stack       []hclsyntax.Node
	safe, found bool
}

func (w *seedWalker) Enter(n hclsyntax.Node) hcl.Diagnostics {
	if st, ok := n.(*hclsyntax.ScopeTraversalExpr); ok && st.Traversal.RootName() == "seed" {
		w.found = true
		if len(st.Traversal) != 1 || !w.safeParent() {
			w.safe = false
		}
	}
	w.stack = append(w.stack, n)
	return nil
}

func (w *seedWalker) Exit(hclsyntax.Node) hcl.Diagnostics {
	w.stack = w.stack[:len(w.stack)-1]
	return nil
}

func (w *seedWalker) safeParent() bool {
	if len(w.stack) == 0 {
		return true // the whole expression is `seed`
	}
	switch w.stack[len(w.stack)-1].(type) {
	case *hclsyntax.TemplateExpr, *hclsyntax.TemplateWrapExpr, *hclsyntax.TupleConsExpr, *hclsyntax.ObjectConsExpr:
		// A seed inside an ObjectConsExpr's key is wrapped in an
		// ObjectConsKeyExpr, so a direct child here is a value.
		return true
	}
	return false
}

// withSeed returns ss with the sentinel replaced by seed, sharing ss when
// it holds no sentinel.
func withSeed(ss []string, seed string) []string {
	var out []string
	for i, s := range ss {
		if strings.Contains(s, seedSentinel) {
			if out == nil {
				out = append(make([]string, 0, len(ss)), ss[:i]...)
			}
			s = strings.ReplaceAll(s, seedSentinel, seed)
		}
		if out != nil {
			out = append(out, s)
		}
	}
	if out == nil {
		return ss
	}
	return out
}

func envWithSeed(env map[string]string, seed string) map[string]string {
	var out map[string]string
	for k, v := range env {
		if strings.Contains(v, seedSentinel) {
			if out == nil {
				out = make(map[string]string, len(env))
				for k2, v2 := range env {
					out[k2] = v2
				}
			}
			out[k] = strings.ReplaceAll(v, seedSentinel, seed)
		}
	}
	if out == nil {
		return env
	}
	return out
}

func seedText(seed int64) string { return strconv.FormatInt(seed, 10) }

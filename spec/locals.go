package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// localDef is one attribute of a locals block.
type localDef struct {
	name string
	attr *hcl.Attribute
}

// evalLocals evaluates every local in an order where each comes after the
// locals it refers to, so declaration order across files never matters. A
// cycle is reported once, at each local on it.
//
// Each local is evaluated in a context that holds only the locals it
// refers to, so a chain of n locals costs time linear in n; a context of
// every local evaluated so far would be rebuilt n times.
func evalLocals(defs map[string]*localDef, ctx *hcl.EvalContext) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	deps := make(map[string][]string, len(defs))
	// refs counts each local's references to each other, a reference
	// used twice counting twice: what a template of them can add up to.
	refs := make(map[string]map[string]int, len(defs))
	for name, def := range defs {
		refs[name] = map[string]int{}
		for _, tr := range def.attr.Expr.Variables() {
			if tr.RootName() != "local" || len(tr) < 2 {
				continue
			}
			if at, ok := tr[1].(hcl.TraverseAttr); ok {
				if refs[name][at.Name] == 0 {
					deps[name] = append(deps[name], at.Name)
				}
				refs[name][at.Name]++
			}
		}
	}
	sizes := make(map[string]int, len(defs))

	values := make(map[string]cty.Value, len(defs))
	state := map[string]int{} // 0 new, 1 visiting, 2 done
	inCycle := map[string]bool{}
	var stack []string
	var visit func(name string)
	visit = func(name string) {
		def := defs[name]
		if def == nil || state[name] == 2 {
			return
		}
		if state[name] == 1 {
			i := len(stack) - 1
			for i >= 0 && stack[i] != name {
				i--
			}
			cycle := append(append([]string(nil), stack[i:]...), name)
			for _, n := range cycle {
				inCycle[n] = true
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cycle in locals",
				Detail:   fmt.Sprintf("local.%s refers to itself: %s.", name, "local."+strings.Join(cycle, " → local.")),
				Subject:  def.attr.Expr.Range().Ptr(),
			})
			return
		}
		state[name] = 1
		stack = append(stack, name)
		for _, dep := range deps[name] {
			visit(dep)
		}
		stack = stack[:len(stack)-1]
		if inCycle[name] {
			// Already reported; an unknown value keeps dependants quiet.
			values[name] = cty.DynamicVal
			state[name] = 2
			return
		}
		scope := make(map[string]cty.Value, len(deps[name]))
		inputs := 0
		for _, dep := range deps[name] {
			if v, ok := values[dep]; ok {
				scope[dep] = v
				inputs += sizes[dep] * refs[name][dep]
			}
		}
		if inputs > MaxValueSize {
			// Each local a few bytes long can double the one before:
			// thirty of them make gigabytes. Refuse before building it.
			diags = append(diags, valueTooLarge(def, inputs))
			values[name], state[name] = cty.DynamicVal, 2
			return
		}
		local := ctx.NewChild()
		local.Variables = map[string]cty.Value{"local": cty.ObjectVal(scope)}
		v, d := def.attr.Expr.Value(local)
		diags = append(diags, d...)
		if d.HasErrors() {
			v = cty.DynamicVal
		}
		if n, over := valueSize(v, MaxValueSize); over {
			diags = append(diags, valueTooLarge(def, 0))
			v = cty.DynamicVal
		} else {
			sizes[name] = n
		}
		values[name] = v
		state[name] = 2
	}
	names := keysOf(defs)
	sort.Strings(names)
	for _, name := range names {
		visit(name)
	}
	ctx.Variables["local"] = cty.ObjectVal(values)
	return values, diags
}

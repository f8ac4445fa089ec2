package spec

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// explainUndeclared rewrites HCL's answer to a reference to an undeclared
// variable or local ("Unsupported attribute: This object does not have an
// attribute named ...") into one that names the block to add, as
// Terraform does. HCL only sees an object without that attribute; assay
// knows it is var.* or local.* and what is declared.
func explainUndeclared(diags hcl.Diagnostics, vars map[string]*Variable, locals map[string]*localDef) {
	for _, d := range diags {
		if d.Summary != "Unsupported attribute" || d.Subject == nil {
			continue
		}
		root, name, ok := undeclaredRef(d)
		if !ok {
			continue
		}
		switch root {
		case "var":
			if vars[name] != nil {
				continue
			}
			d.Summary = "Reference to undeclared variable"
			d.Detail = fmt.Sprintf("var.%s is not declared%s. Declare it in an experiment file with a variable block, "+
				"variable %q {}, and give it a default or set it with -var %s=VALUE or ASSAY_VAR_%s.",
				name, didYouMean(name, keysOf(vars)), name, name, name)
		case "local":
			if locals[name] != nil {
				continue
			}
			d.Summary = "Reference to undeclared local"
			d.Detail = fmt.Sprintf("local.%s is not declared%s. Declare it in a locals block of any experiment file: "+
				"locals { %s = ... }.", name, didYouMean(name, keysOf(locals)), name)
		}
	}
}

// undeclaredRef reports whether d is about the second step of a traversal
// rooted at var or local (var.NAME, local.NAME), and which.
func undeclaredRef(d *hcl.Diagnostic) (root, name string, ok bool) {
	expr, isTraversal := d.Expression.(*hclsyntax.ScopeTraversalExpr)
	if !isTraversal || len(expr.Traversal) < 2 {
		return "", "", false
	}
	root = expr.Traversal.RootName()
	if root != "var" && root != "local" {
		return "", "", false
	}
	step, isAttr := expr.Traversal[1].(hcl.TraverseAttr)
	if !isAttr || step.SrcRange != *d.Subject {
		return "", "", false
	}
	return root, step.Name, true
}

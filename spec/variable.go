package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// VarEnvPrefix is the prefix of environment variables that set spec
// variables: ASSAY_VAR_dataset=imagenet sets var.dataset.
const VarEnvPrefix = "ASSAY_VAR_"

// Variable is a variable block: an input the user may set per run.
type Variable struct {
	Name        string
	Description string
	// Type is the declared type, or cty.DynamicPseudoType when none is
	// declared.
	Type cty.Type
	// Default is cty.NilVal when the variable has no default.
	Default   cty.Value
	DeclRange hcl.Range
}

var variableBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "default"}, {Name: "type"}, {Name: "description"}},
}

func decodeVariableBlock(block *hcl.Block) (*Variable, hcl.Diagnostics) {
	v := &Variable{Name: block.Labels[0], Type: cty.DynamicPseudoType, DeclRange: block.DefRange}
	diags := checkName(block.Labels[0], "variable", block.LabelRanges[0])
	content, d := block.Body.Content(variableBlockSchema)
	diags = append(diags, d...)
	if a := content.Attributes["type"]; a != nil {
		t, d := typeexpr.TypeConstraint(a.Expr)
		diags = append(diags, d...)
		if !d.HasErrors() {
			v.Type = t
		}
	}
	if a := content.Attributes["description"]; a != nil {
		s, ok, d := evalString(a, nil)
		diags = append(diags, d...)
		if ok {
			v.Description = s
		}
	}
	if a := content.Attributes["default"]; a != nil {
		// Defaults are constants: they are what a reader sees when no
		// -var is given, so they may not depend on anything else.
		val, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() {
			cv, err := convert.Convert(val, v.Type)
			if err != nil {
				diags = append(diags, typeDiag(a, fmt.Sprintf("The default does not match the variable's type: %s.", err)))
			} else {
				v.Default = cv
			}
		}
	}
	return v, diags
}

// wantsRawString reports whether a -var value should be taken as a literal
// string rather than parsed as an HCL expression.
func (v *Variable) wantsRawString() bool {
	if v.Type == cty.String {
		return true
	}
	if v.Type == cty.DynamicPseudoType {
		return v.Default == cty.NilVal || v.Default.Type() == cty.String
	}
	return false
}

// VarValues are the values a user sets on the command line (-var k=v) and
// through ASSAY_VAR_k environment variables.
type VarValues struct {
	// Flags holds -var values by name; they win over Env.
	Flags map[string]string
	// Env is an environment in os.Environ form; only ASSAY_VAR_ entries
	// are read.
	Env []string
}

// ParseVarFlag splits one -var argument "name=value".
func ParseVarFlag(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return "", "", fmt.Errorf("invalid -var %q: write -var name=value", s)
	}
	return name, value, nil
}

// resolveVariables gives every declared variable its value.
func resolveVariables(vars map[string]*Variable, in VarValues) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	env := map[string]string{}
	for _, kv := range in.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, VarEnvPrefix) {
			env[strings.TrimPrefix(k, VarEnvPrefix)] = v
		}
	}
	flagNames := make([]string, 0, len(in.Flags))
	for name := range in.Flags {
		flagNames = append(flagNames, name)
	}
	sort.Strings(flagNames)
	for _, name := range flagNames {
		if vars[name] == nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Undeclared variable",
				Detail: fmt.Sprintf("-var sets %q, but no variable block declares it%s. Declare it with variable %q { default = ... } in an experiment file.",
					name, didYouMean(name, keysOf(vars)), name),
			})
		}
	}

	out := make(map[string]cty.Value, len(vars))
	for name, v := range vars {
		raw, set := in.Flags[name]
		source := "-var " + name
		if !set {
			raw, set = env[name]
			source = VarEnvPrefix + name
		}
		if !set {
			if v.Default == cty.NilVal {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "No value for required variable",
					Detail:   fmt.Sprintf("Variable %q has no default; set it with -var %s=... or %s%s=....", name, name, VarEnvPrefix, name),
					Subject:  v.DeclRange.Ptr(),
				})
				out[name] = cty.DynamicVal
				continue
			}
			out[name] = v.Default
			continue
		}
		val, err := parseVarValue(v, raw)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("%s=%q: %s.", source, raw, err),
				Subject:  v.DeclRange.Ptr(),
			})
			out[name] = cty.DynamicVal
			continue
		}
		out[name] = val
	}
	return out, diags
}

func parseVarValue(v *Variable, raw string) (cty.Value, error) {
	var val cty.Value
	if v.wantsRawString() {
		val = cty.StringVal(raw)
	} else {
		expr, diags := hclsyntax.ParseExpression([]byte(raw), "<value>", hcl.InitialPos)
		if diags.HasErrors() {
			return cty.NilVal, fmt.Errorf("not a valid value: %s", diags[0].Summary)
		}
		var d hcl.Diagnostics
		val, d = expr.Value(nil)
		if d.HasErrors() {
			return cty.NilVal, fmt.Errorf("not a valid value: %s", d[0].Summary)
		}
	}
	want := v.Type
	if want == cty.DynamicPseudoType && v.Default != cty.NilVal {
		want = v.Default.Type()
	}
	cv, err := convert.Convert(val, want)
	if err != nil {
		return cty.NilVal, fmt.Errorf("want %s: %s", want.FriendlyName(), err)
	}
	return cv, nil
}

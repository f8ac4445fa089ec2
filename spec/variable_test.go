package spec

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestParseVarFlag: -var takes name=value, the value may hold "=", and
// a missing name or "=" is refused with the form to write.
func TestParseVarFlag(t *testing.T) {
	for _, c := range []struct{ arg, name, value, err string }{
		{arg: "lr=0.1", name: "lr", value: "0.1"},
		{arg: "opts=a=b", name: "opts", value: "a=b"},
		{arg: "name=", name: "name", value: ""},
		{arg: "lr", err: `invalid -var "lr": write -var name=value`},
		{arg: "=0.1", err: `invalid -var "=0.1": write -var name=value`},
	} {
		name, value, err := ParseVarFlag(c.arg)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("-var %s: error %v, want %q", c.arg, err, c.err)
			}
			continue
		}
		if err != nil || name != c.name || value != c.value {
			t.Errorf("-var %s = %q, %q, %v; want %q, %q", c.arg, name, value, err, c.name, c.value)
		}
	}
}

// TestVariableValueTypes: how a -var value is read follows the
// variable's type, else its default's type, else it is a string.
func TestVariableValueTypes(t *testing.T) {
	for _, c := range []struct{ name, decl, value, want, err string }{
		// No type and no default: the value is the string as given.
		{"untyped, required", `variable "v" {}`, "[a, b", "[a, b", ""},
		{"string type", `variable "v" { type = string }`, "1 + 2", "1 + 2", ""},
		// A number type, with or without a default, parses the value.
		{"number type, required", `variable "v" { type = number }`, "3", "3", ""},
		{"number type, not a number", `variable "v" { type = number }`, "three", "", "Invalid value for variable"},
		// No type: the default's type.
		{"untyped, number default", `variable "v" { default = 1 }`, "2.5", "2.5", ""},
		{"untyped, number default, a string", `variable "v" { default = 1 }`, `"fast"`, "", "Invalid value for variable"},
		{"untyped, string default", `variable "v" { default = "a" }`, "[1]", "[1]", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := c.decl + "\nexperiment \"e\" {\n  command = [\"t\", \"${var.v}\"]\n}\n"
			p, diags := Load(fstest.MapFS{"experiments/e.hcl": {Data: []byte(src)}}, LoadOptions{Vars: VarValues{Flags: map[string]string{"v": c.value}}})
			if c.err != "" {
				if !diags.HasErrors() || !strings.HasPrefix(diags[0].Summary, c.err) {
					t.Errorf("-var v=%s: %v, want error %q", c.value, diags, c.err)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatalf("-var v=%s: %s", c.value, diags.Error())
			}
			ts, _ := p.Experiments[0].Trials("")
			if got := ts[0].Command[1]; got != c.want {
				t.Errorf("-var v=%s: command argument %q, want %q", c.value, got, c.want)
			}
		})
	}
}

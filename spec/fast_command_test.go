package spec

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestFastCommandMatchesHCL evaluates commands both ways and expects the
// same arguments, including numbers HCL prints in particular ways.
func TestFastCommandMatchesHCL(t *testing.T) {
	src := `
variable "name" { default = "ünï" }
locals {
  third = 1 / 3
  big   = 12345678901234567890
  flag  = true
}
experiment "e" {
  command = ["python", "t.py", "--lr=${param.lr}", param.wd, "${seed}", "x${param.n}y${seed}z",
             var.name, local.third, "${local.big}", local.flag, "--tiny=${param.tiny}", 7, 2.5e-7, "lit"]
  params  = { lr = 0.1, wd = 1e-5, n = 128, tiny = 0.000000123 }
  sweep {
    param "lr" { values = [0.1, 3e-4, 1, 1.5] }
  }
  seeds = [0, -7, 123456789012]
}`
	p, diags := Load(fstest.MapFS{"experiments/x.hcl": {Data: []byte(src)}}, LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	e := p.Experiments[0]
	fc := compileFastCommand(e.command)
	if fc == nil {
		t.Fatal("command not compiled for the fast path")
	}
	n := 0
	for _, point := range e.Points() {
		for _, seed := range e.Seeds {
			ctx := e.trialContext(point, seed)
			fast, ok := fc.eval(ctx)
			if !ok {
				t.Fatalf("fast path gave up on seed %d", seed)
			}
			slow, d := evalCommand(e.command, ctx)
			if d.HasErrors() {
				t.Fatal(d.Error())
			}
			if diff := cmp.Diff(slow, fast); diff != "" {
				t.Errorf("fast path differs from HCL (-hcl +fast):\n%s", diff)
			}
			n++
		}
	}
	if n != 12 {
		t.Errorf("checked %d trials", n)
	}
}

// Shapes outside the fast path fall back to HCL, with its diagnostics.
func TestFastCommandFallsBack(t *testing.T) {
	for _, cmd := range []string{
		`["t", upper("x")]`,
		`["t", "${param.a + 1}"]`,
		`["t", "%{ if param.a > 0 }pos%{ endif }"]`,
		`"sh -c true"`,
		`concat(["t"], ["u"])`,
	} {
		p, diags := Load(fstest.MapFS{"experiments/x.hcl": {Data: []byte(`experiment "e" {
  command = ` + cmd + `
  params  = { a = 1 }
}`)}}, LoadOptions{})
		if diags.HasErrors() {
			t.Fatalf("%s: %s", cmd, diags.Error())
		}
		if fc := compileFastCommand(p.Experiments[0].command); fc != nil {
			t.Errorf("%s: compiled for the fast path", cmd)
		}
		if ts, d := p.Experiments[0].Trials(""); d.HasErrors() || len(ts) != 1 {
			t.Errorf("%s: expansion failed: %v", cmd, d)
		}
	}
}

// TestNumbersInCommands: a number in a command reads as HCL prints it.
// A variable or local keeps every digit it was written with; a param is
// the float64 a training script would parse, in its shortest form.
func TestNumbersInCommands(t *testing.T) {
	for _, c := range []struct{ name, decl, arg, want string }{
		{"a variable of many digits", `variable "x" { default = 0.12345678901234567890123 }`, `var.x`, "0.12345678901234567890123"},
		{"a variable in a template", `variable "x" { default = 0.12345678901234567890123 }`, `"--x=${var.x}"`, "--x=0.12345678901234567890123"},
		{"a variable of three decimals", `variable "x" { default = 0.125 }`, `var.x`, "0.125"},
		{"a local of many digits", `locals { x = 2.00000000000000000001 }`, `"${local.x}"`, "2.00000000000000000001"},
		{"a param of many digits", `variable "unused" { default = 0 }`, `param.x`, "0.12345678901234568"},
		{"a whole param", `variable "unused" { default = 0 }`, `param.n`, "128"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := c.decl + "\nexperiment \"e\" {\n  command = [\"t\", " + c.arg + "]\n  params  = { x = 0.12345678901234567890123, n = 128 }\n}\n"
			p, diags := Load(fstest.MapFS{"experiments/x.hcl": {Data: []byte(src)}}, LoadOptions{})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			ts, d := p.Experiments[0].Trials("")
			if d.HasErrors() || len(ts) != 1 {
				t.Fatalf("%d trials, %v", len(ts), d)
			}
			if got := ts[0].Command[1]; got != c.want {
				t.Errorf("argument %q, want %q", got, c.want)
			}
		})
	}
}

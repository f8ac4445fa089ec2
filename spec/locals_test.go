package spec

import "testing"

// TestCycleInLocalsNamesEveryLocalOnIt: a cycle is reported once, with
// the whole loop spelled out from the local where it closes, and the
// locals that merely depend on it stay quiet.
func TestCycleInLocalsNamesEveryLocalOnIt(t *testing.T) {
	_, diags := loadSrc(t, map[string]string{"experiments/e.hcl": `locals {
  a = local.b + 1
  b = local.c * 2
  c = local.a - 3
  d = local.a
}

experiment "e" {
  command = ["train", "--d=${local.d}"]
}
`})
	want := `Cycle in locals: local.a refers to itself: local.a → local.b → local.c → local.a.`
	if got := errorsOf(diags); len(got) != 1 || got[0] != want {
		t.Errorf("errors %q, want %q", got, want)
	}
}

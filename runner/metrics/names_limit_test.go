package metrics

import (
	"fmt"
	"strings"
	"testing"

	"github.com/assaylab/assay/spec"
)

// TestUndeclaredNamesAreCapped reports a name per line, far more than the
// cap: exactly MaxUndeclared undeclared names are kept, declared ones
// always are (even when they first appear after the cap is reached), and
// one warning names the limit and the way to keep more.
func TestUndeclaredNamesAreCapped(t *testing.T) {
	var b strings.Builder
	for i := range MaxUndeclared + 500 {
		fmt.Fprintf(&b, "{\"step\": %d, \"loss_%d\": 0.5}\n", i, i)
	}
	b.WriteString(`{"step": 9999, "val_acc": 0.9, "loss_0": 0.25}` + "\n")
	declared := []*spec.Metric{{Name: "val_acc", Summary: "last"}}
	got := collect(t, declared, b.String())

	if len(got.Series) != MaxUndeclared+1 {
		t.Errorf("%d series kept, want %d undeclared and 1 declared", len(got.Series), MaxUndeclared)
	}
	if got.Summaries["val_acc"] != 0.9 {
		t.Errorf("the declared metric, first seen after the cap, was not kept: %v", got.Summaries["val_acc"])
	}
	if _, ok := got.Series[fmt.Sprintf("loss_%d", MaxUndeclared-1)]; !ok {
		t.Errorf("the last name within the cap was dropped")
	}
	if _, ok := got.Series[fmt.Sprintf("loss_%d", MaxUndeclared)]; ok {
		t.Errorf("the first name over the cap was kept")
	}
	if got.Summaries["loss_0"] != 0.25 {
		t.Errorf("a kept name stopped taking points after the cap: %v", got.Summaries["loss_0"])
	}
	want := fmt.Sprintf(`500 points beyond the first %d undeclared metric names were dropped (first: "loss_%d"); declare the metrics you need with metric blocks`, MaxUndeclared, MaxUndeclared)
	if len(got.Warnings) != 1 || !strings.HasPrefix(got.Warnings[0], want) {
		t.Errorf("warnings = %q, want one starting %q", got.Warnings, want)
	}

	// Exactly at the cap: no warning.
	b.Reset()
	for i := range MaxUndeclared {
		fmt.Fprintf(&b, "{\"m%d\": 1}\n", i)
	}
	if got := collect(t, nil, b.String()); len(got.Series) != MaxUndeclared || len(got.Warnings) != 0 {
		t.Errorf("at the cap: %d series, warnings %q", len(got.Series), got.Warnings)
	}
}

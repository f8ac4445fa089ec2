package spec

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// evalDuration reads a Go duration string ("90s", "2h30m"). A bare number
// is refused: "2" could mean seconds or hours, and a wrong guess kills a
// day-long training run.
func evalDuration(attr *hcl.Attribute, ctx *hcl.EvalContext) (time.Duration, bool, hcl.Diagnostics) {
	s, ok, diags := evalString(attr, ctx)
	if !ok {
		return 0, false, diags
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, false, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid duration",
			Detail:   fmt.Sprintf("%q is not a positive duration; write a number with a unit, such as \"90s\", \"45m\" or \"2h30m\".", s),
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	return d, true, nil
}

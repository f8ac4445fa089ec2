package spec

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/robfig/cron/v3"
)

// scheduleAliases are the words users write instead of a cron expression.
var scheduleAliases = map[string]string{
	"nightly": "0 3 * * *",
	"daily":   "0 3 * * *",
	"weekly":  "0 3 * * 0",
	"hourly":  "0 * * * *",
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule turns a schedule attribute value into a cron schedule. It
// accepts five-field cron, the @daily-style descriptors, and the aliases
// nightly, daily, weekly and hourly. It returns the normalised expression.
func ParseSchedule(s string) (cron.Schedule, string, error) {
	expr := s
	if a, ok := scheduleAliases[s]; ok {
		expr = a
	}
	sched, err := cronParser.Parse(expr)
	if err != nil {
		return nil, "", err
	}
	return sched, expr, nil
}

func evalSchedule(attr *hcl.Attribute, ctx *hcl.EvalContext) (string, bool, hcl.Diagnostics) {
	s, ok, diags := evalString(attr, ctx)
	if !ok {
		return "", false, diags
	}
	_, expr, err := ParseSchedule(s)
	if err != nil {
		return "", false, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid schedule",
			Detail: fmt.Sprintf("%q is not a cron schedule (%s). Write five fields, minute hour day-of-month month day-of-week, "+
				"such as \"0 3 * * *\", or one of \"nightly\", \"weekly\", \"hourly\".", s, err),
			Subject: attr.Expr.Range().Ptr(),
		}}
	}
	return expr, true, nil
}

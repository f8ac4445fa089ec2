package pages

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/assaylab/assay/reporter/html"
)

// Sparkline sizes, in CSS pixels.
const (
	sparkWidth  = 120
	sparkHeight = 28
	sparkPad    = 3
)

// Sparkline draws a nightly trend as a small inline SVG: a line through
// the nights and a dot on the latest. The page needs no script for it, so
// the home page paints without the chart library. Only numbers reach the
// markup; the metric's name is escaped. Its <title> names it for screen
// readers and shows on hover.
func Sparkline(points []html.TrendPoint, metric string) template.HTML {
	if len(points) == 0 {
		return ""
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range points {
		lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
	}
	x := func(i int) float64 {
		if len(points) == 1 {
			return sparkWidth / 2
		}
		return sparkPad + float64(i)*(sparkWidth-2*sparkPad)/float64(len(points)-1)
	}
	y := func(v float64) float64 {
		if hi == lo {
			return sparkHeight / 2
		}
		return sparkPad + (hi-v)*(sparkHeight-2*sparkPad)/(hi-lo)
	}
	var pts strings.Builder
	for i, p := range points {
		if i > 0 {
			pts.WriteByte(' ')
		}
		fmt.Fprintf(&pts, "%.1f,%.1f", x(i), y(p.Value))
	}
	last := points[len(points)-1]
	title := fmt.Sprintf("%s by night: %s to %s (%d nights), latest %s", metric, points[0].Date, last.Date, len(points), Num(last.Value))
	return template.HTML(fmt.Sprintf(
		`<svg class="spark" width="%d" height="%d" viewBox="0 0 %d %d" role="img"><title>%s</title>`+
			`<polyline points="%s" fill="none" stroke="currentColor" stroke-width="1.5"/>`+
			`<circle cx="%.1f" cy="%.1f" r="2.5" fill="currentColor"/></svg>`,
		sparkWidth, sparkHeight, sparkWidth, sparkHeight, template.HTMLEscapeString(title),
		pts.String(), x(len(points)-1), y(last.Value)))
}

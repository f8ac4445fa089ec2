package html_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/reporter/html"
)

// The HTML headline names the configs it compares, as every report does.
func TestHeadlineNamesItsConfigs(t *testing.T) {
	in := comparetest.Replaced(t)
	c, err := compare.Compare(in)
	if err != nil {
		t.Fatal(err)
	}
	r := html.FromComparison(c, html.Source{}, html.Options{})
	if len(r.Headline) == 0 || r.Headline[0].Configs != "2 configs, replaced" {
		t.Fatalf("headline lines %+v", r.Headline)
	}
	var b bytes.Buffer
	if err := html.RenderComparison(&b, c, html.Source{}, html.Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `<td class="mono">2 configs, replaced</td>`) {
		t.Error("the page's summary table does not show the configs")
	}
}

// An experiment's cost line says what this change ran and reused, and
// what is missing, each with its count, and leaves out what is zero.
func TestSpentLine(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ran     int
		hours   float64
		wall    float64
		reused  int
		missing int
		want    string
	}{
		{"ran and reused", 6, 0, 26, 6, 0, "this change ran 6 runs (0 GPU-hours, 26s) · 6 trials reused from history"},
		{"all reused", 0, 0, 0, 12, 0, "12 trials reused from history"},
		{"one of each", 1, 0.05, 3600, 1, 1, "this change ran 1 run (0.05 GPU-hours, 1h0m0s) · 1 trial reused from history · 1 result missing"},
		{"nothing", 0, 0, 0, 0, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := compare.Compare(comparetest.Replaced(t))
			if err != nil {
				t.Fatal(err)
			}
			ce := c.Experiments[0]
			ce.Cost.HeadNew = compare.SideCost{Runs: tc.ran, GPUHours: tc.hours, WallSeconds: tc.wall}
			ce.Reused = make([]compare.Reuse, tc.reused)
			ce.Missing = make([]compare.MissingTrial, tc.missing)
			if got := html.FromComparison(c, html.Source{}, html.Options{}).Experiments[0].Spent; got != tc.want {
				t.Errorf("Spent = %q, want %q", got, tc.want)
			}
			var b bytes.Buffer
			if err := html.RenderComparison(&b, c, html.Source{}, html.Options{}); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			if tc.want != "" && !strings.Contains(page, `<p class="muted">`+tc.want+`</p>`) {
				t.Errorf("the page does not show %q", tc.want)
			}
			if strings.Contains(page, "trial(s)") || strings.Contains(page, "GPU-hours spent") {
				t.Error("the page still says trial(s) or GPU-hours spent")
			}
		})
	}
}

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

package render

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/compare/comparetest"
)

// Every format names the configs a headline compares.
func TestHeadlineNamesItsConfigs(t *testing.T) {
	c := compareScenario(t, comparetest.Scenario{Name: "replaced", Input: comparetest.Replaced})
	var b bytes.Buffer
	if err := RenderTable(&b, c, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^logreg +2 configs, replaced +val_acc ↑ .* regressed$`).Match(b.Bytes()) {
		t.Errorf("the terminal headline does not name its configs:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "l2=0.001 lr=0.1 → l2=0.001 lr=0.3 (replaced)") {
		t.Errorf("the config table does not show the replaced pair:\n%s", b.String())
	}
	md, err := RenderMarkdown(c, MarkdownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| **logreg** | 2 configs, replaced | val\\_acc ↑ |") {
		t.Errorf("the markdown headline does not name its configs:\n%s", md.String())
	}
	b.Reset()
	if err := RenderJSON(&b, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"base": "l2=0.001 lr=0.1",`) || !strings.Contains(b.String(), `"head": "l2=0.001 lr=0.3"`) {
		t.Errorf("the JSON headline does not list its pairs")
	}
}

// Values at float64's limits still give a valid JSON document.
func TestExtremesStayValidJSON(t *testing.T) {
	c := compareScenario(t, comparetest.Scenario{Name: "extremes", Input: comparetest.Extremes})
	var b bytes.Buffer
	if err := RenderJSON(&b, c); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b.Bytes()) || !strings.Contains(b.String(), "cannot compare") {
		t.Errorf("document:\n%s", b.String())
	}
}

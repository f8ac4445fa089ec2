package github

import (
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/reporter/render"
)

// renderedLarge renders a pull request that touches n experiments, every
// fifth regressed and every seventh with failed trials.
func renderedLarge(t *testing.T, n int) render.Markdown {
	t.Helper()
	in := comparetest.Large(t, n, []string{"0.1", "0.03"}, []string{"0.0", "0.01"}, func(exp int) string {
		switch {
		case exp%7 == 0:
			return "failed"
		case exp%5 == 0:
			return "regressed"
		}
		return "unchanged"
	}, nil)
	c, err := compare.Compare(in)
	if err != nil {
		t.Fatal(err)
	}
	md, err := render.RenderMarkdown(c, render.MarkdownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return md
}

func TestRenderedReportFitsWhole(t *testing.T) {
	md := renderedLarge(t, 4)
	r := ReportFromMarkdown(md)
	if len(r.Sections) != 4 || r.Head == "" || r.Foot == "" {
		t.Fatalf("report has %d sections, head %d, foot %d bytes", len(r.Sections), len(r.Head), len(r.Foot))
	}
	if r.Markdown() != md.String() {
		t.Errorf("the report's markdown differs from the rendered one")
	}
	f := Fit(r, "u", 0)
	if f.Shortened() || f.Body != Marker+"\n"+strings.TrimSuffix(md.String(), "\n")+"\n\n[Full report](u) on the results branch.\n" {
		t.Errorf("a small report is not posted as rendered:\n%s", f.Body)
	}
}

func TestRenderedReportOverTheLimitIsCutBetweenExperiments(t *testing.T) {
	md := renderedLarge(t, 150)
	full := md.String()
	if len(full) <= MaxCommentChars {
		t.Fatalf("the report is only %d bytes", len(full))
	}
	r := ReportFromMarkdown(md)
	f := Fit(r, "https://example.com/full.md", 0)
	checkWellFormed(t, f.Body, MaxCommentChars)
	if !f.Shortened() {
		t.Fatalf("fitted = %+v", f)
	}
	// Every kept section is the renderer's own text, whole or summarised.
	for _, s := range r.Sections {
		if strings.Contains(f.Body, s.Body) {
			continue
		}
		if strings.Contains(f.Body, s.Heading) && !strings.Contains(f.Body, s.Heading+"\n\n"+s.Summary) {
			t.Errorf("section %q was cut inside", s.Heading)
		}
	}
	if !strings.Contains(f.Body, r.Head) {
		t.Error("the head (result and headline table) was cut")
	}
}

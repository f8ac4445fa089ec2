package render

import (
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
)

// largeInput is a pull request touching 40 experiments of 12 configs (a
// 4 × 3 grid) with 3 seeds each: 1,440 trials a side.
func largeInput(t testing.TB) compare.Input {
	return comparetest.Large(t, 40, []string{"0.1", "0.03", "0.01", "0.003"}, []string{"0.0", "0.0001", "0.001"}, func(exp int) string {
		switch exp % 10 {
		case 3:
			return "improved"
		case 7:
			return "regressed"
		}
		return "unchanged"
	}, nil)
}

// A 40 × 12 report keeps the headline table first and every experiment's
// detail folded, so the part a reviewer sees unfolded stays short however
// many configs there are.
func TestLargeReportStaysReadable(t *testing.T) {
	c, err := compare.Compare(largeInput(t))
	if err != nil {
		t.Fatal(err)
	}
	md, err := RenderMarkdown(c, MarkdownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := md.String()
	if len(md) != 43 || md[1].Kind != SectionHeadline || md[42].Kind != SectionFooter {
		t.Fatalf("%d sections", len(md))
	}
	if first := strings.Index(out, "<details>"); first < strings.Index(out, md[1].Body) {
		t.Error("an experiment's details come before the headline table")
	}
	// Unfolded: the header, the headline table (two goal metrics per
	// experiment) and each experiment's heading and summary.
	visible := len(md[0].Body) + len(md[1].Body)
	for _, s := range md[2:42] {
		visible += len(s.Heading) + len(s.Summary)
		if strings.Count(s.Body, "<details>") != 1 || !strings.Contains(s.Body, "<details>\n<summary>") {
			t.Fatalf("%s: details not folded", s.Experiment)
		}
	}
	rows := strings.Count(md[1].Body, "\n|") - 1
	if rows != 80 {
		t.Errorf("headline table has %d rows, want 80", rows)
	}
	t.Logf("40 experiments × 12 configs × 3 seeds: markdown %d bytes (%d unfolded: header and headline %d, headings and summaries %d); largest section %d bytes",
		len(out), visible, len(md[0].Body)+len(md[1].Body), visible-len(md[0].Body)-len(md[1].Body), largestSection(md))
}

func largestSection(md Markdown) int {
	n := 0
	for _, s := range md {
		n = max(n, len(s.Body))
	}
	return n
}

// BenchmarkLarge compares and renders the 40 × 12 pull request; the
// figures to watch are ns/op and the report's size.
func BenchmarkLarge(b *testing.B) {
	in := largeInput(b)
	var size int
	for b.Loop() {
		c, err := compare.Compare(in)
		if err != nil {
			b.Fatal(err)
		}
		md, err := RenderMarkdown(c, MarkdownOptions{})
		if err != nil {
			b.Fatal(err)
		}
		size = len(md.String())
	}
	b.ReportMetric(float64(size), "markdown-bytes")
}

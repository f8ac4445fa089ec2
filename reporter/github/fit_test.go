package github

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// bigReport has n sections whose details are size characters each, with
// a code block in every one.
func bigReport(n, size int) Report {
	r := Report{
		Head: "## assay: 2 regressions\n\n| experiment | verdict |\n|---|---|\n| resnet | regressed |",
		Foot: "<sub>assay compared base (1111111) with head (2222222).</sub>",
	}
	for i := range n {
		filler := strings.Repeat(fmt.Sprintf("log line %d of experiment exp%03d\n", i, i), size/20+1)[:size]
		r.Sections = append(r.Sections, Section{
			Heading: fmt.Sprintf("### exp%03d", i),
			Summary: fmt.Sprintf("| metric | base | head |\n|---|---|---|\n| val_acc | 0.9%d | 0.8%d |", i, i),
			Details: "```\n" + filler + "\n```",
		})
	}
	return r
}

// checkWellFormed fails when body is over the limit, does not start with
// the marker, or leaves a code block or <details> open.
func checkWellFormed(t *testing.T, body string, limit int) {
	t.Helper()
	if n := CommentLength(body); n > limit {
		t.Errorf("body is %d long, over %d", n, limit)
	}
	if !strings.HasPrefix(body, Marker+"\n") {
		t.Errorf("body does not start with the marker: %.60q", body)
	}
	fences := 0
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fences++
		}
	}
	if fences%2 != 0 {
		t.Errorf("a code block is left open (%d fences)", fences)
	}
	if o, c := strings.Count(body, "<details>"), strings.Count(body, "</details>"); o != c {
		t.Errorf("%d <details> but %d </details>", o, c)
	}
}

func TestASmallReportIsPostedWhole(t *testing.T) {
	r := bigReport(2, 200)
	f := Fit(r, "https://github.com/acme/models/blob/assay/results/reports/pr-7/x.md", 0)
	if f.Shortened() || f.Folded {
		t.Errorf("fitted = %+v, want nothing folded or cut", f)
	}
	for _, s := range r.Sections {
		if !strings.Contains(f.Body, s.Details) {
			t.Errorf("details of %s missing", s.Heading)
		}
	}
	if !strings.Contains(f.Body, "[Full report](https://github.com/acme/models/blob/assay/results/reports/pr-7/x.md)") {
		t.Error("no link to the full report")
	}
	checkWellFormed(t, f.Body, MaxCommentChars)
}

func TestALongReportIsFoldedFirst(t *testing.T) {
	r := bigReport(8, 3000)
	f := Fit(r, "u", 0)
	if !f.Folded || f.Shortened() {
		t.Fatalf("fitted = %+v, want folded but nothing left out", f)
	}
	if n := strings.Count(f.Body, "<details><summary>Details of exp"); n != 8 {
		t.Errorf("%d folded sections, want 8", n)
	}
	checkWellFormed(t, f.Body, MaxCommentChars)
}

func Test300KBReportIsCutAtSectionBoundaries(t *testing.T) {
	r := bigReport(400, 800)
	if n := len(r.Markdown()); n < 300_000 {
		t.Fatalf("report is %d bytes, want over 300 KB", n)
	}
	url := "https://github.com/acme/models/blob/assay/results/reports/pr-7/x.md"
	f := Fit(r, url, 0)
	checkWellFormed(t, f.Body, MaxCommentChars)
	if f.Dropped == 0 || f.Cut == 0 {
		t.Errorf("fitted = %+v, want details dropped and sections cut", f)
	}
	if f.Length < MaxCommentChars-6000 {
		t.Errorf("body is %d long: far more was cut than needed", f.Length)
	}
	// The most important sections come first and keep their summaries,
	// with a link for their details; the others are counted in the note
	// about the cut ones, which names the first 20.
	if !strings.Contains(f.Body, r.Sections[0].Summary+"\n\n_The details of exp000 are in the [full report]("+url+")._") {
		t.Error("the first section lost its summary or the link to its details")
	}
	kept := strings.Count(f.Body, "\n### exp")
	if kept+f.Cut != len(r.Sections) {
		t.Errorf("%d sections kept and %d cut, of %d", kept, f.Cut, len(r.Sections))
	}
	note := fmt.Sprintf("_%d more sections (exp%03d, ", f.Cut, kept)
	if !strings.Contains(f.Body, note) || !strings.Contains(f.Body, ", …) are in the [full report]("+url+")._") {
		t.Errorf("no note that sections were cut, starting %q", note)
	}
	if !strings.Contains(f.Body, "shortened to fit GitHub's limit of 65536 characters") {
		t.Error("no note that the comment is shortened")
	}
	if !strings.Contains(f.Body, r.Head) || !strings.Contains(f.Body, r.Foot) {
		t.Error("head or foot lost")
	}
}

func TestAHugeHeadIsCutAtALineAndItsCodeBlockClosed(t *testing.T) {
	r := Report{Head: "# title\n```\n" + strings.Repeat("a long line of a table\n", 5000) + "```\n"}
	f := Fit(r, "u", 4000)
	if !f.HeadCut {
		t.Fatalf("fitted = %+v, want the head cut", f)
	}
	checkWellFormed(t, f.Body, 4000)
	if !strings.Contains(f.Body, "[Full report](u)") {
		t.Error("no link")
	}
}

func TestFitAlwaysFits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	chunks := []string{"x", "é", "😀", "\n", "| a | b |\n", "```\n"}
	text := func(n int) string {
		var b strings.Builder
		for range n {
			c := chunks[rng.IntN(len(chunks))]
			if c == "```\n" {
				c = "`x`\n"
			}
			b.WriteString(c)
		}
		return b.String()
	}
	for i := range 100 {
		limit := 300 + rng.IntN(20000)
		var r Report
		r.Head = text(rng.IntN(3000))
		for range rng.IntN(40) {
			r.Sections = append(r.Sections, Section{
				Heading: "### " + text(1+rng.IntN(10)),
				Summary: text(rng.IntN(300)),
				Details: "```\n" + text(rng.IntN(4000)) + "\n```",
			})
		}
		r.Foot = text(rng.IntN(100))
		f := Fit(r, "https://example.com/r.md", limit)
		if f.Length != CommentLength(f.Body) {
			t.Fatalf("case %d: Length %d, body %d", i, f.Length, CommentLength(f.Body))
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkWellFormed(t, f.Body, limit) })
	}
}

func TestCommentLengthCountsUTF16(t *testing.T) {
	if n := CommentLength("aé😀"); n != 4 {
		t.Errorf("CommentLength = %d, want 4 (1 + 1 + 2)", n)
	}
}

func TestSplitMarkdownCutsAtHeadings(t *testing.T) {
	md := "## assay report\n\nsummary table\n\n### exp1\n\n| a |\n|---|\n| 1 |\n\nmore about exp1\n\n```\n### not a heading\n```\n\n### exp2\n\nshort\n"
	r := SplitMarkdown(md)
	if r.Head != "## assay report\n\nsummary table" {
		t.Errorf("head = %q", r.Head)
	}
	if len(r.Sections) != 2 {
		t.Fatalf("sections = %+v", r.Sections)
	}
	s := r.Sections[0]
	if s.Heading != "### exp1" || s.Summary != "| a |\n|---|\n| 1 |" || !strings.Contains(s.Details, "### not a heading") {
		t.Errorf("section 1 = %+v", s)
	}
	if r.Sections[1].Summary != "short" || r.Sections[1].Details != "" {
		t.Errorf("section 2 = %+v", r.Sections[1])
	}
	if strings.TrimSpace(r.Markdown()) != strings.TrimSpace(md) {
		t.Errorf("Markdown() does not give the input back:\n%s", r.Markdown())
	}
}

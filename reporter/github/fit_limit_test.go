package github

import (
	"fmt"
	"strings"
	"testing"
)

// TestAReportOfExactlyTheLimitIsPostedWhole: a body exactly as long as the
// limit is posted as it is; one character less of room and it is folded
// or shortened, and still fits. The length Fit counts before building the
// body is the body's length to the character, for every part a body has.
func TestAReportOfExactlyTheLimitIsPostedWhole(t *testing.T) {
	section := func(i int) Section {
		return Section{
			Heading: fmt.Sprintf("### exp%d", i),
			Summary: fmt.Sprintf("| val_acc | 0.9%d | 0.8%d |", i, i),
			Details: "```\nlog 😀 line\n```",
		}
	}
	// A head long enough that the notes of a shortened body fit with
	// room to spare.
	head := "## assay\n\n" + strings.Repeat("| resnet | val_acc | 0.91 | 0.93 | improved |\n", 40)
	for _, c := range []struct {
		name string
		r    Report
		url  string
	}{
		{"head only", Report{Head: head}, ""},
		{"head and link", Report{Head: head}, "https://example.com/r.md"},
		{"one section", Report{Head: head, Sections: []Section{section(1)}}, "u"},
		{"two sections and a foot", Report{Head: head, Sections: []Section{section(1), section(2)}, Foot: "<sub>legend</sub>"}, "u"},
		{"three sections, no link", Report{Head: head, Sections: []Section{section(1), section(2), section(3)}, Foot: "foot"}, ""},
		{"a section laid out whole", Report{Head: head, Sections: []Section{{Heading: "### a", Body: "### a\n\nwhole é"}, section(2)}}, "u"},
		{"a section without details", Report{Head: head, Sections: []Section{{Heading: "### a", Summary: "only a summary"}, section(2)}}, "u"},
	} {
		t.Run(c.name, func(t *testing.T) {
			whole := Fit(c.r, c.url, MaxCommentChars)
			if whole.Folded || whole.Shortened() || whole.Length != CommentLength(whole.Body) {
				t.Fatalf("fitted = %+v, want the whole report", whole)
			}
			at := Fit(c.r, c.url, whole.Length)
			if at.Body != whole.Body || at.Folded || at.Shortened() {
				t.Errorf("at a limit of exactly %d: %+v, want the whole body", whole.Length, at)
			}
			under := Fit(c.r, c.url, whole.Length-1)
			if under.Length > whole.Length-1 || under.Length != CommentLength(under.Body) || !(under.Folded || under.Shortened()) {
				t.Errorf("at a limit of %d: length %d, folded %v, shortened %v; want it folded or shortened to fit", whole.Length-1, under.Length, under.Folded, under.Shortened())
			}
		})
	}
}

// TestFoldingStartsPastFoldOver: a report of several sections is folded
// only when it is longer than FoldOver; one of exactly FoldOver shows its
// details open.
func TestFoldingStartsPastFoldOver(t *testing.T) {
	r := bigReport(2, 100)
	pad := FoldOver - Fit(r, "u", 0).Length
	if pad <= 0 {
		t.Fatalf("the report is already %d long", Fit(r, "u", 0).Length)
	}
	r.Head += "\n\n" + strings.Repeat("x", pad-2)
	f := Fit(r, "u", 0)
	if f.Length != FoldOver || f.Folded || f.Shortened() {
		t.Errorf("at %d characters: %+v, want %d and open details", f.Length, f, FoldOver)
	}
	r.Head += "x"
	if f := Fit(r, "u", 0); !f.Folded || f.Shortened() || f.Length <= FoldOver {
		t.Errorf("at one character more: %+v, want the details folded, nothing left out", f)
	}
}

// TestAHeadIsCutNoShorterThanItMustBe: a head cut to fit keeps every
// whole line that fits, with room for the fence that closes an open code
// block, and no more than that is lost.
func TestAHeadIsCutNoShorterThanItMustBe(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		// Each line is 2 units, and 4 are kept for a closing fence.
		{"a\nb\nc\n", 6, "a"},
		{"a\nb\nc\n", 5, ""},
		{"a\nb\nc\n", 8, "a\nb"},
		{"a\nb\nc\n", 100, "a\nb\nc"},
		{"```\nb\nc\n", 9, "```\n```"},
		{"```\nb\nc\n", 10, "```\nb\n```"},
		{"```\nb\n```\nd\n", 16, "```\nb\n```\nd"},
	} {
		if got := cutLines(c.s, c.n); got != c.want {
			t.Errorf("cutLines(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
	line := "a long line of a table\n"
	// A head in a code block too: its cut spends the room kept for the
	// closing fence, and can land on the limit exactly.
	for _, r := range []Report{{Head: "# title\n" + strings.Repeat(line, 500)}, {Head: "# title\n```\n" + strings.Repeat(line, 500) + "```"}} {
		// Every offset of the limit within a line, one of them the exact
		// length of a cut.
		limits := []int{4000}
		for l := 1000; l <= 1024; l++ {
			limits = append(limits, l)
		}
		for _, limit := range limits {
			f := Fit(r, "u", limit)
			if !f.HeadCut || f.Length > limit || f.Length <= limit-len(line)-4 {
				t.Errorf("limit %d: head cut %v, length %d; want the head cut to within a line of the limit", limit, f.HeadCut, f.Length)
			}
		}
	}
}

// TestAHeadEndingInBlankSpaceIsCutNoShorterThanItMustBe: the blank lines
// and spaces that end a head are not part of the body, so the first cut,
// which counts them, can leave the body over the limit; the head is then
// cut further in steps of at least 64 units, by half of what is still too
// long, and loses no more than a step and a line beyond what it must.
func TestAHeadEndingInBlankSpaceIsCutNoShorterThanItMustBe(t *testing.T) {
	line := "a long line of a table\n"
	for _, end := range []string{strings.Repeat("\n", 100), strings.Repeat(" \n", 50), strings.Repeat(" ", 300)} {
		r := Report{Head: "# title\n" + strings.Repeat(line, 500) + end}
		limits := []int{4000}
		for l := 1000; l <= 1024; l++ {
			limits = append(limits, l)
		}
		for _, limit := range limits {
			f := Fit(r, "u", limit)
			if !f.HeadCut || f.Length > limit || f.Length <= limit-64-len(line)-4 || !strings.Contains(f.Body, "# title\n"+line) {
				t.Errorf("%d blank units at the end, limit %d: head cut %v, length %d; want the head cut to within a step and a line of the limit",
					len(end), limit, f.HeadCut, f.Length)
			}
		}
	}
}

// TestEachStepStopsAtExactlyTheLimit: a report that fits once folded, once
// the last details are dropped, once the last sections are cut, or once
// the head is cut, at a limit of exactly that length, goes no further.
func TestEachStepStopsAtExactlyTheLimit(t *testing.T) {
	r := bigReport(4, 4000)
	folded := Fit(r, "u", 0)
	if !folded.Folded || folded.Shortened() {
		t.Fatalf("the report is not folded whole: %+v", folded)
	}
	dropped := Fit(r, "u", folded.Length-1)
	if dropped.Dropped != 1 || dropped.Cut != 0 || !dropped.Shortened() {
		t.Fatalf("one character under the folded length: %+v, want the last section's details dropped", dropped)
	}
	cut := Fit(r, "u", 600)
	if cut.Cut == 0 || cut.HeadCut {
		t.Fatalf("at 600: %+v, want sections cut", cut)
	}
	for _, want := range []Fitted{folded, dropped, cut} {
		got := Fit(r, "u", want.Length)
		if got.Body != want.Body || got.Dropped != want.Dropped || got.Cut != want.Cut || got.HeadCut != want.HeadCut {
			t.Errorf("at a limit of exactly %d: dropped %d, cut %d, head cut %v; want dropped %d, cut %d, head cut %v",
				want.Length, got.Dropped, got.Cut, got.HeadCut, want.Dropped, want.Cut, want.HeadCut)
		}
	}
}

// TestTwentyCutSectionsAreAllNamed: the note about cut sections names up
// to maxCutNames of them; at exactly that many it names every one.
func TestTwentyCutSectionsAreAllNamed(t *testing.T) {
	r := bigReport(maxCutNames, 100)
	f := Fit(r, "u", 600)
	if f.Cut != maxCutNames || f.HeadCut {
		t.Fatalf("at 600: %+v, want all %d sections cut and the head whole", f, maxCutNames)
	}
	var names []string
	for i := range maxCutNames {
		names = append(names, fmt.Sprintf("exp%03d", i))
	}
	if want := fmt.Sprintf("_%d more sections (%s) are in the [full report](u)._", maxCutNames, strings.Join(names, ", ")); !strings.Contains(f.Body, want) {
		t.Errorf("body %q does not name every cut section: want %q", f.Body, want)
	}
}

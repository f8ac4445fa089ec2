package github

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// MaxCommentChars is GitHub's limit on a comment or issue body.
const MaxCommentChars = 65536

// FoldOver is the length past which a report with several sections shows
// each section's details folded, so a long comment stays readable.
const FoldOver = 12000

// Report is a markdown report cut into the parts a comment may fold or
// drop: a head that always stays, one section per experiment, and a foot.
type Report struct {
	// Head is the title, the outcome and the summary table.
	Head string
	// Sections are ordered most important first: when space runs out,
	// the last lose their details first, then are cut.
	Sections []Section
	// Foot closes the report: legends, notes.
	Foot string
}

// Section is one experiment's part of a report.
type Section struct {
	// Heading is the section's markdown heading line ("### resnet18").
	Heading string
	// Summary stays as long as the section does.
	Summary string
	// Details may be folded into <details>, or dropped for a link to the
	// full report.
	Details string
}

// title is the heading as plain text, for <summary> and notes.
func (s Section) title() string {
	return strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s.Heading), "#"))
}

// Fitted says how a body was made to fit.
type Fitted struct {
	Body string
	// Length is the body's length as GitHub counts it.
	Length int
	// Folded is set when details were folded into <details>.
	Folded bool
	// Dropped counts sections whose details were left to the full report,
	// and Cut sections left out altogether.
	Dropped, Cut int
	// HeadCut is set when even the head had to be shortened.
	HeadCut bool
}

// Shortened reports whether anything was left out of the body.
func (f Fitted) Shortened() bool { return f.Dropped > 0 || f.Cut > 0 || f.HeadCut }

// CommentLength counts s as GitHub's limit does, conservatively: in UTF-16
// code units, so a character outside the Basic Multilingual Plane counts
// twice.
func CommentLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Fit builds the comment body for r: Marker, then the report, then a link
// to fullURL (the whole report on the results branch) when it is set. The
// body stays within limit (MaxCommentChars when zero): first the details
// are folded, then the details of the last sections are replaced by the
// link, then the last sections are cut whole, and only then is the head cut
// at a line. A cut never falls inside a section, a code block or a
// <details> element.
func Fit(r Report, fullURL string, limit int) Fitted {
	if limit <= 0 {
		limit = MaxCommentChars
	}
	f := fitter{r: r, url: fullURL, limit: limit, mode: make([]sectionMode, len(r.Sections))}
	if f.length() <= limit && (len(r.Sections) < 2 || f.length() <= FoldOver) {
		return f.done()
	}
	f.folded = len(r.Sections) > 1 || f.length() > limit
	for i := len(r.Sections) - 1; i >= 0 && f.length() > limit; i-- {
		if r.Sections[i].Details != "" {
			f.mode[i] = dropped
		}
	}
	for i := len(r.Sections) - 1; i >= 0 && f.length() > limit; i-- {
		f.mode[i] = cut
	}
	if f.length() > limit {
		f.cutHead()
	}
	return f.done()
}

// maxCutNames bounds the names a note about cut sections lists.
const maxCutNames = 20

type sectionMode int

const (
	whole sectionMode = iota
	dropped
	cut
)

type fitter struct {
	r       Report
	url     string
	limit   int
	folded  bool
	mode    []sectionMode
	headCut bool
}

// blocks are the body's parts, joined by blank lines.
func (f *fitter) blocks() []string {
	out := []string{Marker + "\n" + strings.TrimSpace(f.r.Head)}
	var cutNames []string
	for i, s := range f.r.Sections {
		switch f.mode[i] {
		case cut:
			cutNames = append(cutNames, s.title())
			continue
		case dropped:
			out = append(out, joinBlocks(s.Heading, s.Summary, f.linkNote("The details of "+s.title()+" are")))
			continue
		}
		details := strings.TrimSpace(s.Details)
		if details != "" && f.folded {
			details = fmt.Sprintf("<details><summary>Details of %s</summary>\n\n%s\n\n</details>", htmlText(s.title()), details)
		}
		out = append(out, joinBlocks(s.Heading, s.Summary, details))
	}
	if len(cutNames) > 0 {
		names := cutNames
		if len(names) > maxCutNames {
			names = append(names[:maxCutNames:maxCutNames], "…")
		}
		out = append(out, f.linkNote(fmt.Sprintf("%s more (%s) %s", countNoun(len(cutNames), "section"), strings.Join(names, ", "), areOrIs(len(cutNames)))))
	}
	if foot := strings.TrimSpace(f.r.Foot); foot != "" {
		out = append(out, foot)
	}
	shortened := f.headCut || len(cutNames) > 0
	for _, m := range f.mode {
		shortened = shortened || m == dropped
	}
	if shortened {
		out = append(out, fmt.Sprintf("> [!NOTE]\n> This comment is shortened to fit GitHub's limit of %d characters.", MaxCommentChars))
	}
	if f.url != "" {
		out = append(out, fmt.Sprintf("[Full report](%s) on the results branch.", f.url))
	}
	return out
}

func (f *fitter) linkNote(what string) string {
	if f.url == "" {
		return "_" + what + " left out of this comment._"
	}
	return fmt.Sprintf("_%s in the [full report](%s)._", what, f.url)
}

func (f *fitter) length() int {
	bs := f.blocks()
	n := 2 * (len(bs) - 1)
	for _, b := range bs {
		n += CommentLength(b)
	}
	return n + 1
}

func (f *fitter) done() Fitted {
	body := strings.Join(f.blocks(), "\n\n") + "\n"
	out := Fitted{Body: body, Length: CommentLength(body), Folded: f.folded, HeadCut: f.headCut}
	for _, m := range f.mode {
		switch m {
		case dropped:
			out.Dropped++
		case cut:
			out.Cut++
		}
	}
	return out
}

// cutHead shortens the head to whole lines, outside code blocks, until
// the body fits.
func (f *fitter) cutHead() {
	f.headCut = true
	head := f.r.Head
	over := f.length() - f.limit
	keep := CommentLength(head) - over - 64
	f.r.Head = cutLines(head, max(keep, 0)) + "\n\n_The rest of the summary is in the full report._"
	for f.length() > f.limit && f.r.Head != "" {
		keep -= 1024
		f.r.Head = cutLines(head, max(keep, 0)) + "\n\n_The rest of the summary is in the full report._"
		if keep <= 0 {
			f.r.Head = ""
		}
	}
}

// cutLines returns the longest run of whole lines of s within n UTF-16
// units, closing a code block it would leave open.
func cutLines(s string, n int) string {
	var b strings.Builder
	used, fence := 0, false
	for _, line := range strings.SplitAfter(s, "\n") {
		l := CommentLength(line)
		if used+l+4 > n {
			break
		}
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
		}
		b.WriteString(line)
		used += l
	}
	out := strings.TrimRight(b.String(), "\n")
	if fence {
		out += "\n```"
	}
	return out
}

func joinBlocks(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\n\n")
}

func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func areOrIs(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

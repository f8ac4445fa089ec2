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
	// Body, when set, is the whole section as its renderer lays it out
	// (details already folded); Fit shows it whenever the section is shown
	// whole.
	Body string
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
	f := newFitter(r, fullURL, limit)
	if f.length() <= limit && (len(r.Sections) < 2 || f.length() <= FoldOver) {
		return f.done()
	}
	f.fold(len(r.Sections) > 1 || f.length() > limit)
	for i := len(r.Sections) - 1; i >= 0 && f.length() > limit; i-- {
		if r.Sections[i].Details != "" {
			f.setMode(i, dropped)
		}
	}
	for i := len(r.Sections) - 1; i >= 0 && f.length() > limit; i-- {
		f.setMode(i, cut)
	}
	if f.length() > limit {
		f.cutHead()
	}
	if f.length() > limit {
		// Only a tiny limit gets here: keep the marker, the notes and the
		// link, which say where everything is.
		f.r.Foot, f.bare = "", true
	}
	return f.done()
}

type sectionMode int

const (
	whole sectionMode = iota
	dropped
	cut
)

// maxCutNames bounds the names a note about cut sections lists.
const maxCutNames = 20

type fitter struct {
	r       Report
	url     string
	limit   int
	folded  bool
	mode    []sectionMode
	headCut bool
	// bare leaves the names out of the note about cut sections.
	bare bool
	// cache and lengths hold each section's block per mode and folding.
	cache   map[sectionKey]string
	lengths map[sectionKey]int
	// sum is the length of the sections shown, and shown their count.
	sum, shown int
}

type sectionKey struct {
	i      int
	mode   sectionMode
	folded bool
}

func newFitter(r Report, url string, limit int) *fitter {
	f := &fitter{r: r, url: url, limit: limit, mode: make([]sectionMode, len(r.Sections)),
		cache: map[sectionKey]string{}, lengths: map[sectionKey]int{}}
	f.fold(false)
	return f
}

// fold sets the folding and recounts the sections' length.
func (f *fitter) fold(folded bool) {
	f.folded = folded
	f.sum, f.shown = 0, 0
	for i := range f.r.Sections {
		if f.mode[i] != cut {
			f.sum += f.sectionLength(i)
			f.shown++
		}
	}
}

// setMode changes how section i is shown, keeping the count current.
func (f *fitter) setMode(i int, m sectionMode) {
	if f.mode[i] != cut {
		f.sum -= f.sectionLength(i)
		f.shown--
	}
	f.mode[i] = m
	if m != cut {
		f.sum += f.sectionLength(i)
		f.shown++
	}
}

// section renders section i as the current mode and folding have it.
func (f *fitter) section(i int) string {
	k := sectionKey{i, f.mode[i], f.folded}
	if b, ok := f.cache[k]; ok {
		return b
	}
	s := f.r.Sections[i]
	var b string
	if f.mode[i] == dropped {
		b = joinBlocks(s.Heading, s.Summary, f.linkNote("The details of "+s.title()+" are"))
	} else if s.Body != "" {
		b = strings.TrimSpace(s.Body)
	} else {
		details := strings.TrimSpace(s.Details)
		if details != "" && f.folded {
			details = fmt.Sprintf("<details><summary>Details of %s</summary>\n\n%s\n\n</details>", htmlText(s.title()), details)
		}
		b = joinBlocks(s.Heading, s.Summary, details)
	}
	f.cache[k] = b
	return b
}

// sectionLength is CommentLength(f.section(i)), cached alike.
func (f *fitter) sectionLength(i int) int {
	k := sectionKey{i, f.mode[i], f.folded}
	if n, ok := f.lengths[k]; ok {
		return n
	}
	n := CommentLength(f.section(i))
	f.lengths[k] = n
	return n
}

// blocks are the parts around the sections, joined by blank lines: the
// head first, the rest after the sections.
func (f *fitter) blocks() (head string, tail []string) {
	head = Marker + "\n" + strings.TrimSpace(f.r.Head)
	var cutNames []string
	shortened := f.headCut
	for i, s := range f.r.Sections {
		switch f.mode[i] {
		case cut:
			cutNames = append(cutNames, s.title())
			shortened = true
		case dropped:
			shortened = true
		}
	}
	if len(cutNames) > 0 {
		what := countNoun(len(cutNames), "more section") + " " + areOrIs(len(cutNames))
		if !f.bare {
			names := cutNames
			if len(names) > maxCutNames {
				names = append(names[:maxCutNames:maxCutNames], "…")
			}
			what = fmt.Sprintf("%s (%s) %s", countNoun(len(cutNames), "more section"), strings.Join(names, ", "), areOrIs(len(cutNames)))
		}
		tail = append(tail, f.linkNote(what))
	}
	if foot := strings.TrimSpace(f.r.Foot); foot != "" {
		tail = append(tail, foot)
	}
	if shortened {
		tail = append(tail, fmt.Sprintf("> [!NOTE]\n> This comment is shortened to fit GitHub's limit of %d characters.", MaxCommentChars))
	}
	if f.url != "" {
		tail = append(tail, fmt.Sprintf("[Full report](%s) on the results branch.", f.url))
	}
	return head, tail
}

func (f *fitter) linkNote(what string) string {
	if f.url == "" {
		return "_" + what + " left out of this comment._"
	}
	return fmt.Sprintf("_%s in the [full report](%s)._", what, f.url)
}

// length is the body's length, from cached parts.
func (f *fitter) length() int {
	head, tail := f.blocks()
	n, count := CommentLength(head)+f.sum, 1+f.shown
	for _, b := range tail {
		n += CommentLength(b)
		count++
	}
	return n + 2*(count-1) + 1
}

func (f *fitter) done() Fitted {
	head, tail := f.blocks()
	parts := []string{head}
	for i := range f.r.Sections {
		if f.mode[i] != cut {
			parts = append(parts, f.section(i))
		}
	}
	body := strings.Join(append(parts, tail...), "\n\n") + "\n"
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
	const more = "\n\n_The rest of the summary is in the full report._"
	keep := CommentLength(head) - (f.length() - f.limit) - CommentLength(more)
	for {
		f.r.Head = cutLines(head, max(keep, 0)) + more
		if f.length() <= f.limit || keep <= 0 {
			return
		}
		keep -= max(64, (f.length()-f.limit)/2)
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

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func htmlText(s string) string { return htmlEscaper.Replace(s) }

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

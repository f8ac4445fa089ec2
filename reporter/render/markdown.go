package render

import (
	"embed"
	"fmt"
	"strings"
	"text/template"

	"github.com/assaylab/assay/reporter/compare"
)

//go:embed templates/*.md.tmpl
var templateFS embed.FS

var templates = template.Must(template.New("").ParseFS(templateFS, "templates/*.md.tmpl"))

// Section kinds, in the order Markdown returns them.
const (
	SectionHeader     = "header"
	SectionHeadline   = "headline"
	SectionExperiment = "experiment"
	SectionFooter     = "footer"
)

// Section is one self-contained block of a markdown report. Joining the
// sections' bodies with blank lines gives the whole report; any experiment
// section may be dropped, or shortened to its Heading and Summary, without
// breaking the rest.
type Section struct {
	Kind string
	// Experiment names the experiment of an experiment section.
	Experiment string
	// Verdict is the experiment's, so a caller cutting for size can keep
	// the sections that matter most.
	Verdict compare.Verdict
	// Heading ("#### name · verdict · status"), Summary (one line of what
	// stands out) and Details (tables, failures, history) are the parts of
	// an experiment section, Details unfolded.
	Heading, Summary, Details string
	// Body is the section as the report prints it: for an experiment, the
	// heading, the summary and the details folded in <details>.
	Body string
}

// Markdown is a report as sections: header, headline table, one section
// per experiment (most severe verdict first), footer.
type Markdown []Section

// String joins the sections into one document.
func (m Markdown) String() string {
	parts := make([]string, len(m))
	for i, s := range m {
		parts[i] = strings.TrimRight(s.Body, "\n")
	}
	return strings.Join(parts, "\n\n") + "\n"
}

// MarkdownOptions tune the markdown report.
type MarkdownOptions struct {
	// LogLines is how many trailing log lines a failure shows; 0 means 20.
	LogLines int
	// MaxListed bounds the missing trials listed per experiment; 0 means 10.
	MaxListed int
	// Artifacts links the files of each experiment's headline runs, by
	// experiment name (see ArtifactLinks); nil links none.
	Artifacts map[string]ExperimentArtifacts
}

// RenderMarkdown renders c as GitHub-flavoured markdown: a header with the
// result, one table of headline metrics, a section per experiment with
// its details folded in <details>, and a legend.
func RenderMarkdown(c *compare.Comparison, opts MarkdownOptions) (Markdown, error) {
	if opts.LogLines == 0 {
		opts.LogLines = 20
	}
	if opts.MaxListed == 0 {
		opts.MaxListed = 10
	}
	var out Markdown
	add := func(kind, tmpl string, view any) error {
		body, err := execute(tmpl, view)
		if err == nil {
			out = append(out, Section{Kind: kind, Body: body})
		}
		return err
	}
	if err := add(SectionHeader, "header.md.tmpl", headerView(c)); err != nil {
		return nil, err
	}
	if len(c.Experiments) == 0 {
		return out, nil
	}
	if err := add(SectionHeadline, "headline.md.tmpl", headlineView(c)); err != nil {
		return nil, err
	}
	for _, e := range c.Experiments {
		v := experimentView(e, opts)
		s := Section{Kind: SectionExperiment, Experiment: e.Name, Verdict: e.Verdict}
		for _, part := range []struct {
			name string
			dst  *string
		}{{"heading", &s.Heading}, {"summary", &s.Summary}, {"details", &s.Details}, {"section", &s.Body}} {
			text, err := execute(part.name, v)
			if err != nil {
				return nil, err
			}
			*part.dst = strings.Trim(text, "\n")
		}
		out = append(out, s)
	}
	if err := add(SectionFooter, "footer.md.tmpl", headlineView(c)); err != nil {
		return nil, err
	}
	return out, nil
}

func execute(name string, view any) (string, error) {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name, view); err != nil {
		return "", fmt.Errorf("rendering %s: %w", name, err)
	}
	return b.String(), nil
}

var resultIcons = map[compare.Result]string{
	compare.ResultSuccess: "✅", compare.ResultFailure: "❌", compare.ResultError: "⚠️",
}

var verdictIcons = map[compare.Verdict]string{
	compare.Improved: "✅ ", compare.Regressed: "❌ ", compare.Failed: "💥 ", compare.Missing: "⚠️ ",
	compare.Inconclusive: "❔ ", compare.New: "🆕 ", compare.Removed: "➖ ",
}

func verdictMD(v compare.Verdict) string {
	if v == compare.Reported {
		return ""
	}
	s := verdictIcons[v] + string(v)
	if v == compare.Regressed || v == compare.Failed {
		s = "**" + s + "**"
	}
	return s
}

type headerData struct {
	Icon, Result, Description, Refs, Experiments, Cost string
}

func headerView(c *compare.Comparison) headerData {
	refs := fmt.Sprintf("base %s → head %s", code(c.Base.Short()), code(c.Head.Short()))
	if c.PR != 0 {
		refs += fmt.Sprintf(" (#%d)", c.PR)
	}
	v := headerData{
		Icon: resultIcons[c.Result], Result: string(c.Result), Description: md(c.Description),
		Refs: refs, Experiments: plural(len(c.Experiments), "experiment"),
	}
	if c.Cost.Base.Runs+c.Cost.Head.Runs > 0 {
		v.Cost = fmt.Sprintf("GPU-hours: base %s, head %s, of which this change spent %s · head trials: %d run for this change, %d reused",
			gpuHours(c.Cost.Base.GPUHours), gpuHours(c.Cost.Head.GPUHours), gpuHours(c.Cost.HeadNew.GPUHours),
			c.Cost.HeadNew.Runs, c.Cost.Head.Runs-c.Cost.HeadNew.Runs)
	}
	return v
}

type metricRow struct {
	Experiment, Config, Metric, Base, Head, Delta, CI, P, Verdict string
}

type headlineData struct {
	Rows   []metricRow
	Legend string
}

func headlineView(c *compare.Comparison) headlineData {
	v := headlineData{Legend: md(legend(c))}
	for _, e := range c.Experiments {
		name := "**" + md(e.Name) + "**"
		configs := md(e.HeadlineConfigs())
		if e.Headline == nil {
			v.Rows = append(v.Rows, metricRow{Experiment: name, Config: configs, Metric: "—", Verdict: verdictMD(e.Verdict)})
			continue
		}
		for i, m := range headlineMetrics(e.Headline) {
			r := metricCells(m, nil)
			if i == 0 {
				r.Experiment, r.Config = name, configs
			}
			v.Rows = append(v.Rows, r)
		}
	}
	return v
}

// configsOn counts an experiment's configs on one side.
func configsOn(e *compare.Experiment, base bool) int {
	n := 0
	for _, r := range e.Configs {
		if (base && r.Base != nil) || (!base && r.Head != nil) {
			n++
		}
	}
	return n
}

// footnotes numbers the notes of one table.
type footnotes struct {
	list []footnote
	idx  map[string]int
}

type footnote struct {
	N    int
	Text string
}

func (f *footnotes) ref(note string) string {
	if note == "" || f == nil {
		return ""
	}
	if f.idx == nil {
		f.idx = map[string]int{}
	}
	n, ok := f.idx[note]
	if !ok {
		n = len(f.list) + 1
		f.idx[note] = n
		f.list = append(f.list, footnote{N: n, Text: md(note)})
	}
	return fmt.Sprintf("<sup>%d</sup>", n)
}

func metricCells(m *compare.Metric, notes *footnotes) metricRow {
	return metricRow{
		Metric: md(metricName(m.Name, m.Goal)), Base: sampleCell(m.Base), Head: sampleCell(m.Head),
		Delta: deltaCell(m), CI: ciCell(m), P: pCell(m), Verdict: verdictMD(m.Verdict) + notes.ref(m.Note),
	}
}

type changeRow struct{ Field, Base, Head string }

type failureView struct{ Title, Log string }

type experimentData struct {
	Name, Verdict, Status string
	// SummaryName is the name for the HTML <summary> element.
	SummaryName  string
	Summary      string
	File         string
	Changes      []changeRow
	Notes        []string
	Rows         []metricRow
	Footnotes    []footnote
	Missing      []string
	MissingCount int
	MissingMore  int
	MissingHint  string
	Failures     []failureView
	Reused       []string
	Cost         string
	History      []string
	Artifacts    []string
}

func experimentView(e *compare.Experiment, opts MarkdownOptions) experimentData {
	v := experimentData{
		Name: md(e.Name), Verdict: verdictIcons[e.Verdict] + string(e.Verdict), Status: md(e.Status),
		SummaryName: htmlText(e.Name), Summary: md(summaryText(e)), MissingCount: len(e.Missing),
	}
	if e.File != "" {
		v.File = code(e.File)
	}
	for _, c := range e.Changes {
		v.Changes = append(v.Changes, changeRow{Field: codeCell(c.Name()), Base: codeCell(c.Base), Head: codeCell(c.Head)})
	}
	for _, n := range e.Notes {
		v.Notes = append(v.Notes, "<sub>"+md(n)+"</sub>")
	}
	notes := &footnotes{}
	for _, r := range e.Configs {
		for i, m := range r.Metrics {
			row := metricCells(m, notes)
			if i == 0 {
				row.Config = md(configLabel(r) + rowMark(r))
			}
			v.Rows = append(v.Rows, row)
		}
	}
	v.Footnotes = notes.list
	for i, m := range e.Missing {
		if i == opts.MaxListed {
			v.MissingMore = len(e.Missing) - i
			break
		}
		v.Missing = append(v.Missing, md(missingTitle(m)))
	}
	if len(e.Missing) > 0 {
		var cmds []string
		for _, c := range missingCommands(e.Missing) {
			cmds = append(cmds, code(c.Command)+" ("+c.Side+")")
		}
		v.MissingHint = "produce them with " + strings.Join(cmds, " and ")
	}
	for _, f := range e.Failures {
		fv := failureView{Title: md(failureTitle(f))}
		if lines := logLines(f.LogTail, opts.LogLines); len(lines) > 0 {
			fv.Log = codeBlock(lines)
		} else {
			fv.Log = "<sub>no log recorded</sub>"
		}
		v.Failures = append(v.Failures, fv)
	}
	for _, g := range reuseGroups(e.Reused) {
		v.Reused = append(v.Reused, md(g.String()))
	}
	if e.Cost.Base.Runs+e.Cost.Head.Runs > 0 {
		v.Cost = costSummary(e.Cost)
	}
	for _, h := range e.History {
		v.History = append(v.History, md(historyLine(h)))
	}
	if ea, ok := opts.Artifacts[e.Name]; ok {
		v.Artifacts = artifactLines(ea)
	}
	return v
}

// summaryText is one line of what stands out in an experiment: the
// headline metrics that moved, failures, missing results, reuse.
func summaryText(e *compare.Experiment) string {
	var parts []string
	if e.Headline != nil {
		for _, m := range headlineMetrics(e.Headline) {
			if m.Verdict == compare.Improved || m.Verdict == compare.Regressed {
				parts = append(parts, m.Name+" "+deltaCell(m))
			}
		}
	}
	if e.Sweep {
		best := ""
		if b := bestAtHead(e); b != "" {
			best = ", best " + b
		}
		parts = append(parts, fmt.Sprintf("%d → %d configs%s", configsOn(e, true), configsOn(e, false), best))
	}
	if n := countSide(e.Failures, compare.SideHead); n > 0 {
		parts = append(parts, plural(n, "failed trial"))
	}
	if len(e.Missing) > 0 {
		parts = append(parts, plural(len(e.Missing), "missing result"))
	}
	if len(e.Reused) > 0 {
		parts = append(parts, fmt.Sprintf("%d reused", len(e.Reused)))
	}
	if len(parts) == 0 {
		switch e.Verdict {
		case compare.Unchanged:
			return "no significant change"
		case compare.Inconclusive:
			return "too few seeds to test"
		}
		return string(e.Verdict)
	}
	return strings.Join(parts, " · ")
}

func countSide(fs []compare.FailedTrial, side string) int {
	n := 0
	for _, f := range fs {
		if f.Side == side {
			n++
		}
	}
	return n
}

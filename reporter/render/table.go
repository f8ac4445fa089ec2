package render

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/assaylab/assay/reporter/compare"
)

// TableOptions tune the terminal report.
type TableOptions struct {
	// Color marks verdicts with ANSI colours. Set it only for a terminal
	// and never under NO_COLOR.
	Color bool
	// LogLines is how many trailing log lines a failure shows; 0 means 10.
	LogLines int
}

// ANSI colours for verdicts.
const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBold   = "\x1b[1m"
)

var verdictColors = map[compare.Verdict]string{
	compare.Regressed: ansiRed + ansiBold, compare.Failed: ansiRed + ansiBold, compare.Improved: ansiGreen,
	compare.Missing: ansiYellow, compare.Inconclusive: ansiYellow,
}

var resultColors = map[compare.Result]string{
	compare.ResultFailure: ansiRed + ansiBold, compare.ResultError: ansiYellow, compare.ResultSuccess: ansiGreen,
}

type tableWriter struct {
	w    io.Writer
	opts TableOptions
	err  error
}

func (t *tableWriter) colour(code, s string) string {
	if !t.opts.Color || code == "" || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *tableWriter) verdict(v compare.Verdict) string {
	if v == compare.Reported {
		return ""
	}
	return t.colour(verdictColors[v], string(v))
}

func (t *tableWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func (t *tableWriter) table(headers []string, rows [][]string) {
	if t.err == nil {
		t.err = WriteTable(t.w, headers, rows)
	}
}

// RenderTable writes c for a terminal: the result, one table of headline
// metrics, then what each experiment needs a reader to know.
func RenderTable(w io.Writer, c *compare.Comparison, opts TableOptions) error {
	if opts.LogLines == 0 {
		opts.LogLines = 10
	}
	t := &tableWriter{w: w, opts: opts}
	head := c.Head.Short()
	if c.PR != 0 {
		head += fmt.Sprintf(", PR #%d", c.PR)
	}
	t.printf("base %s → head %s: %s\n", c.Base.Short(), head, plural(len(c.Experiments), "experiment"))
	t.printf("%s: %s\n", t.colour(resultColors[c.Result], string(c.Result)), c.Description)
	if len(c.Experiments) == 0 {
		return t.err
	}
	t.printf("\n")
	var rows [][]string
	for _, e := range c.Experiments {
		configs := e.HeadlineConfigs()
		if e.Headline == nil {
			rows = append(rows, []string{e.Name, configs, "—", "", "", "", "", "", t.verdict(e.Verdict)})
			continue
		}
		for i, m := range headlineMetrics(e.Headline) {
			r := append([]string{""}, t.metricRow(m)...)
			if i == 0 {
				r[0], r[1] = e.Name, configs
			}
			rows = append(rows, r)
		}
	}
	t.table(append([]string{"EXPERIMENT", "CONFIGS"}, metricHeaders...), rows)
	for _, e := range c.Experiments {
		t.experiment(e)
	}
	if c.Cost.Base.Runs+c.Cost.Head.Runs > 0 {
		t.printf("\ncost: %s\n", costSummary(c.Cost))
	}
	t.printf("\n%s; ↑/↓: the metric's goal\n", legend(c))
	return t.err
}

func (t *tableWriter) metricRow(m *compare.Metric) []string {
	return []string{"", metricName(m.Name, m.Goal), sampleCell(m.Base), sampleCell(m.Head), deltaCell(m), ciCell(m), pCell(m), t.verdict(m.Verdict)}
}

// metricHeaders are the columns of metricRow, after the first.
var metricHeaders = []string{"METRIC", "BASE", "HEAD", "DELTA", "95% CI", "P", "VERDICT"}

func (t *tableWriter) experiment(e *compare.Experiment) {
	t.printf("\n%s %s · %s · %s\n", t.colour(ansiBold, "=="), t.colour(ansiBold, e.Name), t.verdict(e.Verdict), e.Status)
	if e.File != "" {
		t.printf("spec: %s\n", e.File)
	}
	for _, ch := range e.Changes {
		t.printf("changed %s: %s → %s\n", ch.Name(), quoteEmpty(ch.Base), quoteEmpty(ch.Head))
	}
	for _, n := range e.Notes {
		t.printf("%s\n", n)
	}
	if e.Sweep {
		var rows [][]string
		for _, r := range e.Configs {
			for i, m := range r.Metrics {
				row := t.metricRow(m)
				if i == 0 {
					row[0] = configLabel(r) + rowMark(r)
				}
				rows = append(rows, row)
			}
		}
		t.table(append([]string{"CONFIG"}, metricHeaders...), rows)
	}
	if !e.Sweep && e.Headline != nil {
		// The headline table showed the judged metrics; the rest go here.
		shown := map[*compare.Metric]bool{}
		for _, m := range headlineMetrics(e.Headline) {
			shown[m] = true
		}
		for _, m := range e.Headline.Metrics {
			if !shown[m] {
				line := fmt.Sprintf("%s: %s → %s, %s", m.Name, sampleCell(m.Base), sampleCell(m.Head), deltaCell(m))
				if ci := ciCell(m); ci != "" {
					line += ", 95% ci " + ci
				}
				if p := pCell(m); p != "" {
					line += ", p " + p
				}
				t.printf("%s\n", line)
			}
		}
	}
	for _, n := range metricNotes(e) {
		t.printf("note: %s\n", n)
	}
	if len(e.Missing) > 0 {
		var cmds []string
		for _, c := range missingCommands(e.Missing) {
			cmds = append(cmds, c.Command+" ("+c.Side+")")
		}
		t.printf("missing %s; produce with: %s\n", plural(len(e.Missing), "result"), strings.Join(cmds, "; "))
		for i, m := range e.Missing {
			if i == 10 {
				t.printf("  … and %d more\n", len(e.Missing)-i)
				break
			}
			t.printf("  %s\n", missingTitle(m))
		}
	}
	for _, f := range e.Failures {
		t.printf("%s\n", failureTitle(f))
		for _, l := range logLines(f.LogTail, t.opts.LogLines) {
			t.printf("  │ %s\n", l)
		}
	}
	for _, g := range reuseGroups(e.Reused) {
		t.printf("reused: %s\n", g)
	}
	for _, h := range e.History {
		t.printf("history: %s\n", historyLine(h))
	}
}

// metricNotes are the distinct notes of an experiment's metrics, headline
// first, each with the metrics it applies to.
func metricNotes(e *compare.Experiment) []string {
	var order []string
	names := map[string][]string{}
	rows := e.Configs
	if e.Headline != nil {
		rows = append([]*compare.Row{e.Headline}, rows...)
	}
	for _, r := range rows {
		for _, m := range r.Metrics {
			if m.Note == "" {
				continue
			}
			if _, ok := names[m.Note]; !ok {
				order = append(order, m.Note)
			}
			if !slices.Contains(names[m.Note], m.Name) {
				names[m.Note] = append(names[m.Note], m.Name)
			}
		}
	}
	out := make([]string, len(order))
	for i, n := range order {
		out[i] = strings.Join(names[n], ", ") + ": " + n
	}
	return out
}

func quoteEmpty(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

var trailingPad = regexp.MustCompile(` +((?:\x1b\[[0-9;]*m)+)$`)

// WriteTable prints rows under headers, as given, in plain aligned
// columns, the way kubectl and gh print lists: no borders, two spaces
// between columns, no trailing blanks. Every assay table is printed by it.
func WriteTable(w io.Writer, headers []string, rows [][]string) error {
	var buf bytes.Buffer
	t := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off},
			},
		})),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoFormat(tw.Off),
		// Headers are given as printed; auto-formatting would split "95%".
		tablewriter.WithHeaderAutoFormat(tw.Off),
	)
	h := make([]any, len(headers))
	for i, s := range headers {
		h[i] = s
	}
	t.Header(h...)
	for _, r := range rows {
		row := make([]any, len(r))
		for i, s := range r {
			row[i] = s
		}
		if err := t.Append(row...); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line == "" {
			continue
		}
		line = strings.TrimRight(line, " \n")
		// Padding inside a coloured last cell ends before the reset code.
		line = trailingPad.ReplaceAllString(line, "$1")
		if _, err := io.WriteString(w, line+"\n"); err != nil {
			return err
		}
	}
	return nil
}

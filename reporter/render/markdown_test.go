package render

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
)

func TestMarkdownSections(t *testing.T) {
	c := compareScenario(t, comparetest.Scenario{Name: "failures", Input: comparetest.Failures})
	md, err := RenderMarkdown(c, MarkdownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range md {
		kinds = append(kinds, s.Kind)
	}
	if got := strings.Join(kinds, " "); got != "header headline experiment experiment footer" {
		t.Fatalf("sections %q", got)
	}
	for _, s := range md[2:4] {
		if !strings.HasPrefix(s.Body, s.Heading+"\n\n"+s.Summary+"\n\n<details>") || !strings.Contains(s.Body, s.Details) {
			t.Errorf("%s: body is not heading, summary, folded details:\n%s", s.Experiment, s.Body)
		}
		if !strings.HasSuffix(s.Body, "</details>") {
			t.Errorf("%s: body does not end its <details>", s.Experiment)
		}
	}
	if md[2].Experiment != "gpt-small" || md[2].Verdict != compare.Failed {
		t.Errorf("most severe first: got %s (%s)", md[2].Experiment, md[2].Verdict)
	}
	// Dropping a section leaves a valid report: every <details> still
	// closes.
	short := append(Markdown{}, md[0], md[1], md[3], md[4])
	if o, cl := strings.Count(short.String(), "<details>"), strings.Count(short.String(), "</details>"); o != cl || o != 1 {
		t.Errorf("%d <details> and %d </details> after dropping a section", o, cl)
	}
}

// hostile is a comparison whose every user-controlled string tries to
// break out of where it lands.
func hostile() *compare.Comparison {
	bad := "a|b `c` ``d`` <script>alert(1)</script> *e* _f_ [g](http://x) @octocat &amp; \\| ~~h~~\nnext line"
	sample := &compare.Sample{N: 3, Mean: 0.5, SD: 0.01, Values: []float64{0.49, 0.5, 0.51}}
	row := &compare.Row{
		Base: &compare.Config{Label: "arch=" + bad, Params: json.RawMessage(`{}`)}, Head: &compare.Config{Label: "arch=" + bad, Params: json.RawMessage(`{}`)},
		Pairing: compare.PairParams, Verdict: compare.Unchanged,
		Metrics: []*compare.Metric{{Name: "m|" + bad, Goal: "maximize", Base: sample, Head: sample, Delta: new(float64), Verdict: compare.Unchanged, Note: "note " + bad,
			Test: &compare.Test{Method: "welch", P: 1}}},
	}
	e := &compare.Experiment{
		Name: "exp" + bad, Status: compare.StatusModified, Verdict: compare.Failed, File: "experiments/" + bad + ".hcl",
		Changes:  []compare.Change{{Field: "env." + bad, Base: bad, Head: "`" + bad + "`"}},
		Headline: row, Configs: []*compare.Row{row},
		Missing: []compare.MissingTrial{{Side: compare.SideHead, Config: bad, Key: "k", Command: "assay run --experiment '" + bad + "'"}},
		Failures: []compare.FailedTrial{{Side: compare.SideHead, Config: bad, RunID: bad, Status: "failed", ExitCode: 1,
			LogTail: "```\n</details>\n<script>x</script>\n````` five\n\x1b[31mred\x1b[0m @octocat\n"}},
		Reused:  []compare.Reuse{{Config: bad, Commit: "abc", Trigger: bad, At: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)}},
		History: []compare.History{{Metric: bad, Points: []compare.HistoryPoint{{Date: "2024-01-01", Value: 1}, {Date: "2024-01-02", Value: 2}}, Spark: "▁█"}},
		Notes:   []string{bad},
	}
	return &compare.Comparison{
		Schema: compare.Schema, Base: compare.Ref{Name: bad}, Head: compare.Ref{Name: "`x`"}, Alpha: 0.05,
		Result: compare.ResultError, Description: bad, Counts: compare.Counts{Experiments: 1},
		Experiments: []*compare.Experiment{e},
	}
}

func TestMarkdownEscapesUserText(t *testing.T) {
	md, err := RenderMarkdown(hostile(), MarkdownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := md.String()
	if strings.Contains(out, "\x1b") {
		t.Error("a terminal escape reached the markdown")
	}
	// Outside code, where markdown and HTML are live, nothing of the
	// input may act: no tag, no mention, no link.
	prose := withoutCode(out)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "<summary>") && (strings.Contains(line, "<script>") || strings.Contains(line, "@octocat")) {
			t.Errorf("raw HTML reached a <summary>: %s", line)
		}
	}
	for _, raw := range []string{"<script>", "@octocat", " [g](http", "*e*", "~~h~~"} {
		if strings.Contains(prose, raw) {
			t.Errorf("raw %q reached the markdown outside code", raw)
		}
	}
	// Every table row has as many unescaped pipes as its header, outside
	// code blocks.
	fence, want := "", 0
	for _, line := range strings.Split(out, "\n") {
		if f := leadingFence(line); f != "" {
			switch {
			case fence == "":
				fence = f
			case len(f) >= len(fence) && strings.TrimSpace(line) == f:
				fence = ""
			}
			continue
		}
		if fence != "" || !strings.HasPrefix(line, "|") {
			if !strings.HasPrefix(line, "|") {
				want = 0
			}
			continue
		}
		n := unescapedPipes(line)
		if want == 0 {
			want = n
		}
		if n != want {
			t.Errorf("table row with %d columns' pipes, want %d:\n%s", n, want, line)
		}
	}
	if fence != "" {
		t.Errorf("a code block is never closed")
	}
	if !strings.Contains(out, "``````text\n") {
		t.Errorf("the log's fence should be longer than its longest run of backticks:\n%s", out)
	}
	if o, c := strings.Count(out, "<details>"), strings.Count(out, "</details>"); o != 1 || c != 2 {
		// One real pair; the log's </details> sits inside the code block.
		t.Errorf("%d <details>, %d </details>", o, c)
	}
}

// withoutCode drops fenced blocks and code spans, as a markdown reader
// would treat them: literal text.
func withoutCode(md string) string {
	var out []string
	fence := ""
	for _, line := range strings.Split(md, "\n") {
		if f := leadingFence(line); f != "" && (fence == "" || len(f) >= len(fence) && strings.TrimSpace(line) == f) {
			if fence == "" {
				fence = f
			} else {
				fence = ""
			}
			continue
		}
		if fence != "" || strings.HasPrefix(line, "<summary>") {
			// Code, or raw HTML where markdown is not parsed.
			continue
		}
		out = append(out, dropSpans(line))
	}
	return strings.Join(out, "\n")
}

// dropSpans removes code spans: a run of n backticks up to the next run of
// exactly n.
func dropSpans(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		if line[i] == '\\' && i+1 < len(line) {
			b.WriteString(line[i : i+2])
			i += 2
			continue
		}
		if line[i] != '`' {
			b.WriteByte(line[i])
			i++
			continue
		}
		n := 0
		for i+n < len(line) && line[i+n] == '`' {
			n++
		}
		closeAt := -1
		for j := i + n; j < len(line); {
			if line[j] != '`' {
				j++
				continue
			}
			m := 0
			for j+m < len(line) && line[j+m] == '`' {
				m++
			}
			if m == n {
				closeAt = j + m
				break
			}
			j += m
		}
		if closeAt < 0 {
			b.WriteString(line[i : i+n])
			i += n
			continue
		}
		i = closeAt
	}
	return b.String()
}

func leadingFence(line string) string {
	n := 0
	for n < len(line) && line[n] == '`' {
		n++
	}
	if n < 3 {
		return ""
	}
	return line[:n]
}

// unescapedPipes counts the pipes GFM splits a table row at.
func unescapedPipes(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		if line[i] == '\\' {
			i++
			continue
		}
		if line[i] == '|' {
			n++
		}
	}
	return n
}

func TestTableColourOnlyWhenAsked(t *testing.T) {
	c := compareScenario(t, comparetest.Scenario{Name: "regression", Input: comparetest.Regression})
	var plain, colour strings.Builder
	if err := RenderTable(&plain, c, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := RenderTable(&colour, c, TableOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("escape codes without Color")
	}
	if !strings.Contains(colour.String(), ansiRed+ansiBold+"regressed"+ansiReset) {
		t.Errorf("no red regression with Color:\n%s", colour.String())
	}
	// Columns stay aligned: colour codes take no width.
	if stripANSI(colour.String()) != plain.String() {
		t.Errorf("coloured table differs from the plain one once codes are removed:\n%s\n---\n%s", stripANSI(colour.String()), plain.String())
	}
}

func stripANSI(s string) string { return stripControl(s) }

func TestTableEscapesTerminalControl(t *testing.T) {
	var b strings.Builder
	if err := RenderTable(&b, hostile(), TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "\x1b") {
		t.Error("a log tail's escape codes reached the terminal")
	}
}

func TestJSONDocument(t *testing.T) {
	c := compareScenario(t, comparetest.Scenario{Name: "forty", Input: comparetest.Forty})
	var b strings.Builder
	if err := RenderJSON(&b, c); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema      string `json:"schema"`
		Result      string `json:"result"`
		Experiments []struct {
			Name     string `json:"name"`
			Verdict  string `json:"verdict"`
			Headline struct {
				Metrics []struct {
					Name string   `json:"name"`
					P    *float64 `json:"-"`
					Test *struct {
						P  float64    `json:"p"`
						CI [2]float64 `json:"ci"`
					} `json:"test"`
				} `json:"metrics"`
			} `json:"headline"`
		} `json:"experiments"`
	}
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "assay.compare/v2" || doc.Result != "failure" || len(doc.Experiments) != 40 {
		t.Errorf("schema %q result %q with %d experiments", doc.Schema, doc.Result, len(doc.Experiments))
	}
	if m := doc.Experiments[1].Headline.Metrics[0]; doc.Experiments[1].Name != "exp-07" || m.Name != "val_acc" || m.Test == nil || m.Test.P >= 0.05 || m.Test.CI[1] >= 0 {
		t.Errorf("exp-07's regression: %+v", doc.Experiments[1])
	}
}

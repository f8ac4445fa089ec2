package github

import (
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"text/template"

	"github.com/assaylab/assay/reporter/drift"
)

// DriftLabel marks the issues nightly drift opens.
const DriftLabel = "assay:drift"

// driftMarkerPrefix starts the hidden first line of a drift issue, which
// names its experiment.
const driftMarkerPrefix = "<!-- assay:drift experiment="

// DriftMarker is the hidden first line of experiment's drift issue.
func DriftMarker(experiment string) string {
	return driftMarkerPrefix + experiment + " -->"
}

// driftExperiment reads the experiment a drift issue's body names on its
// first line, or "".
func driftExperiment(body string) string {
	first, _, _ := strings.Cut(body, "\n")
	first = strings.TrimSpace(strings.TrimSuffix(first, "\r"))
	if !strings.HasPrefix(first, driftMarkerPrefix) || !strings.HasSuffix(first, " -->") {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(first, driftMarkerPrefix), " -->")
}

// DriftTitle is the title of experiment's drift issue: the same every
// night, so the issue is easy to find and follow.
func DriftTitle(experiment string) string { return "Nightly drift in " + experiment }

//go:embed templates/*.tmpl
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{"ordinal": ordinal}).ParseFS(templateFS, "templates/*.tmpl"))

// driftView is what the drift templates show.
type driftView struct {
	Marker     string
	Experiment string
	Night      string
	Streak     int
	Accepted   bool
	Rows       []driftRow
	Others     string
	Alpha      string
	Window     int
}

type driftRow struct {
	Config, Metric, Goal, Night, Baseline, Delta, Band, P string
}

func newDriftView(f drift.Finding, rule drift.Rule, onlyDrifting bool) driftView {
	rule = ruleDefaults(rule)
	v := driftView{
		Marker: DriftMarker(f.Experiment), Experiment: f.Experiment, Night: f.Night,
		Alpha: num(rule.Alpha), Window: rule.Window,
	}
	var others []string
	for _, j := range f.Judgements {
		v.Accepted = v.Accepted || j.Accepted
		if onlyDrifting && j.Verdict != drift.Drifting {
			others = append(others, fmt.Sprintf("%s %s", configName(j.Series.Config), j.Series.Metric))
			continue
		}
		v.Streak = max(v.Streak, j.Streak)
		v.Rows = append(v.Rows, rowOf(j))
	}
	v.Others = strings.Join(others, ", ")
	return v
}

// ruleDefaults fills in the rule's defaults for the explanation.
func ruleDefaults(r drift.Rule) drift.Rule {
	if r.Window <= 0 {
		r.Window = drift.DefaultWindow
	}
	if r.Alpha <= 0 {
		r.Alpha = drift.DefaultAlpha
	}
	return r
}

func rowOf(j drift.Judgement) driftRow {
	r := driftRow{
		Config: configName(j.Series.Config), Metric: j.Series.Metric, Goal: j.Series.Goal,
		Night:    fmt.Sprintf("%s (%d)", num(j.Mean), len(j.Night.Values)),
		Baseline: "–", Delta: "–", Band: "–", P: "–",
	}
	if b := j.Baseline; b != nil {
		r.Baseline = fmt.Sprintf("%s ± %s (%d, %d)", num(b.Mean), num(b.SD), b.N, len(j.BaselineNights))
		r.Delta = signed(j.Delta)
		r.Band = fmt.Sprintf("[%s, %s]", num(j.Low), num(j.High))
	}
	if j.P != nil {
		r.P = pValue(*j.P)
	}
	return r
}

func configName(c string) string {
	if c == "" {
		return "(default)"
	}
	return strings.ReplaceAll(c, "|", `\|`)
}

// DriftIssueBody renders the body of a drift issue for a finding.
func DriftIssueBody(f drift.Finding, rule drift.Rule) string {
	return renderText("drift_issue.md.tmpl", newDriftView(f, rule, true))
}

// DriftRecoveredComment renders the comment that closes a drift issue.
func DriftRecoveredComment(f drift.Finding, rule drift.Rule) string {
	return renderText("drift_recovered.md.tmpl", newDriftView(f, rule, false))
}

func renderText(name string, v any) string {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, v); err != nil {
		// The templates are compiled in and their views fixed: a failure
		// is a bug, not something a user can act on.
		panic(fmt.Sprintf("github: rendering %s: %v", name, err))
	}
	return strings.TrimSpace(b.String()) + "\n"
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', 4, 64) }

func signed(f float64) string {
	if f > 0 {
		return "+" + num(f)
	}
	return num(f)
}

func pValue(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

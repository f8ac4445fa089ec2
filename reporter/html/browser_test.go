package html_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/assaylab/assay/reporter/html"
	"github.com/assaylab/assay/reporter/internal/browsertest"
	"github.com/assaylab/assay/reporter/internal/fixture"
)

// openReport renders the fixture's report to a file and opens it in
// Chromium, as a reviewer opens a downloaded report.
func openReport(t *testing.T, fx *fixture.Fixture) (*browsertest.Browser, *html.Report, string) {
	t.Helper()
	b := browsertest.New(t)
	r, page := render(t, fx, html.Options{Generated: "test"})
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	u := (&url.URL{Scheme: "file", Path: file}).String()
	b.Do(t, chromedp.Navigate(u))
	b.WaitFor(t, `document.documentElement.dataset.chartsDone`, 20*time.Second)
	return b, r, u
}

// chartCheck is what the page says about one chart: how many series
// ECharts holds and how many pixels of its canvas are not background.
type chartCheck struct {
	Kind   string `json:"kind"`
	Exp    string `json:"exp"`
	Metric string `json:"metric"`
	Series int    `json:"series"`
	Inked  int    `json:"inked"`
}

const chartsJS = `Array.from(document.querySelectorAll('[data-chart]')).map(function (el) {
  var c = echarts.getInstanceByDom(el);
  var canvas = el.querySelector('canvas');
  var inked = 0;
  if (canvas) {
    var px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (var i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
  }
  return {kind: el.dataset.chart, exp: el.dataset.exp, metric: el.dataset.metric || '',
          series: c ? c.getOption().series.length : -1, inked: inked};
})`

// expectedCurveSeries is what a curves chart of the headline draws: per
// side, the band, one line per seed and the mean.
func expectedCurveSeries(e *html.Experiment, metric string) int {
	n := 0
	for side, idx := range map[string]int{"base": e.Headline.BaseIndex, "head": e.Headline.HeadIndex} {
		if cc := e.Curves[side][idx]; cc != nil && cc.Metrics[metric] != nil {
			n += 2 + len(cc.Metrics[metric].Seeds)
		}
	}
	return n
}

// TestReportInBrowser opens a report in Chromium once and checks it as a
// reader would: what is drawn, then what the tables and charts do.
func TestReportInBrowser(t *testing.T) {
	fx := fixture.Build(t, fixture.Options{})
	b, r, self := openReport(t, fx)
	b.Screenshot(t, browsertest.ArtifactsDir(t), "report")
	t.Run("drawn", func(t *testing.T) { checkDrawn(t, b, r, self) })
	t.Run("interaction", func(t *testing.T) { checkInteraction(t, b, r) })
}

// checkDrawn looks at the page as loaded: nothing fetched, every chart
// drawn with its series, hostile text shown as text, no console errors.
func checkDrawn(t *testing.T, b *browsertest.Browser, r *html.Report, self string) {

	// Nothing but the file itself was loaded.
	for _, u := range b.Requests() {
		if u != self && !strings.HasPrefix(u, "data:") {
			t.Errorf("the report requested %s", u)
		}
	}

	byID := map[string]*html.Experiment{}
	for _, e := range r.Experiments {
		byID[e.ID] = e
	}
	charts := browsertest.Eval[[]chartCheck](t, b, chartsJS)
	kinds := map[string]int{}
	for _, c := range charts {
		kinds[c.Kind]++
		e := byID[c.Exp]
		if c.Inked < 500 {
			t.Errorf("%s chart of %s %s is blank (%d inked pixels)", c.Kind, e.Name, c.Metric, c.Inked)
		}
		want := -1
		switch c.Kind {
		case "curves":
			want = expectedCurveSeries(e, c.Metric)
		case "parallel":
			want = 2 // base and head
		case "trend":
			want = 1
		}
		if c.Series != want {
			t.Errorf("%s chart of %s %s has %d series, want %d", c.Kind, e.Name, c.Metric, c.Series, want)
		}
	}
	// Every line, band and point lies inside its chart's axes: the
	// parallel view's axes cover the head's configs as well as the base's.
	for _, p := range browsertest.Eval[[]string](t, b, browsertest.OutsideAxesJS) {
		t.Errorf("drawn outside its axes: %s", p)
	}
	// ridge, resnet, canary and intruder draw curves of their metrics;
	// ridge is a sweep; canary has nights.
	if kinds["curves"] < 7 || kinds["parallel"] != 1 || kinds["trend"] != 2 {
		t.Errorf("charts drawn: %v", kinds)
	}

	// The hostile name is text in the page, and ran nowhere.
	var ridge *html.Experiment
	for _, e := range r.Experiments {
		if e.Name == "ridge" {
			ridge = e
		}
	}
	shown := browsertest.Eval[bool](t, b, `Array.from(document.querySelectorAll('#`+ridge.ID+`-configs td')).some(function (td) { return td.textContent.indexOf(`+jsString(fixture.Hostile)+`) >= 0; })`)
	if !shown {
		t.Errorf("the config table does not show %s as text", fixture.Hostile)
	}
	if n := browsertest.Eval[int](t, b, `document.scripts.length`); n != 2 {
		t.Errorf("page has %d script elements, want the 2 it was written with", n)
	}
	b.CheckClean(t)
}

// checkInteraction filters, sorts, brushes and clicks as a reviewer
// would, on the page checkDrawn has looked at.
func checkInteraction(t *testing.T, b *browsertest.Browser, r *html.Report) {

	visible := `document.querySelectorAll('#summary-table tbody tr:not(.f-text):not(.f-brush)').length`
	all := browsertest.Eval[int](t, b, visible)
	if all != len(r.Headline) {
		t.Fatalf("summary shows %d rows, want %d", all, len(r.Headline))
	}
	b.Do(t, chromedp.SendKeys(chromedp.CSS(`input[data-filter="summary-table"]`), "resnet"))
	if got := browsertest.Eval[int](t, b, visible); got != 2 {
		t.Errorf("filtering the summary by resnet leaves %d rows, want its 2 metrics", got)
	}
	count := browsertest.Eval[string](t, b, `document.querySelector('[data-count="summary-table"]').textContent`)
	if count != "2 of "+itoa(all)+" rows" {
		t.Errorf("row count reads %q", count)
	}
	// A table of one row counts it in the singular.
	one := browsertest.Eval[string](t, b, `(function () {
	  var body = document.querySelector('#summary-table tbody');
	  var input = document.querySelector('input[data-filter="summary-table"]');
	  var rest = Array.from(body.rows).slice(1), query = input.value;
	  rest.forEach(function (r) { r.remove(); });
	  input.value = '';
	  input.dispatchEvent(new Event('input'));
	  var text = document.querySelector('[data-count="summary-table"]').textContent;
	  rest.forEach(function (r) { body.appendChild(r); });
	  input.value = query;
	  input.dispatchEvent(new Event('input'));
	  return text;
	})()`)
	if one != "1 row" {
		t.Errorf("a one-row table's count reads %q, want 1 row", one)
	}

	// Sorting the ridge configs by head val_acc puts them in order.
	var ridge *html.Experiment
	for _, e := range r.Experiments {
		if e.Name == "ridge" {
			ridge = e
		}
	}
	table := "#" + ridge.ID + "-configs"
	col := browsertest.Eval[int](t, b, `Array.from(document.querySelectorAll('`+table+` thead th')).findIndex(function (th) { return th.textContent === 'val_acc head'; })`)
	if col < 0 {
		t.Fatal("no val_acc head column")
	}
	b.Do(t, chromedp.Click(chromedp.CSS(table+" thead th:nth-child("+itoa(col+1)+")")))
	keys := browsertest.Eval[[]string](t, b, `Array.from(document.querySelectorAll('`+table+` tbody tr')).map(function (tr) { return tr.cells[`+itoa(col)+`].dataset.sort; })`)
	for i := 1; i < len(keys); i++ {
		if keys[i-1] != "" && keys[i] != "" && atof(keys[i-1]) > atof(keys[i]) {
			t.Errorf("after sorting, %s comes before %s", keys[i-1], keys[i])
		}
	}

	// Brushing the metric axis of the parallel view keeps only the
	// configs inside the range.
	rows := `document.querySelectorAll('` + table + ` tbody tr:not(.f-text):not(.f-brush)').length`
	before := browsertest.Eval[int](t, b, rows)
	var means []float64
	for _, l := range ridge.Parallel.Lines {
		if v, ok := l.Values[len(l.Values)-1].(float64); ok {
			means = append(means, v)
		}
	}
	sort.Float64s(means)
	cut := means[len(means)/2]
	browsertest.Eval[bool](t, b, `(function () {
	  var el = document.querySelector('[data-chart="parallel"]');
	  var c = echarts.getInstanceByDom(el);
	  var axes = c.getOption().parallelAxis;
	  c.dispatchAction({type: 'axisAreaSelect', parallelAxisId: axes[axes.length - 1].id, intervals: [[`+strconv.FormatFloat(cut, 'g', -1, 64)+`, 10]]});
	  return true;
	})()`)
	after := browsertest.Eval[int](t, b, rows)
	if after == 0 || after >= before {
		t.Errorf("brushing val_acc ≥ %g kept %d of %d config rows", cut, after, before)
	}

	// Clicking a config row draws its curves.
	b.Do(t, chromedp.Click(chromedp.CSS(table+" tbody tr:not(.f-brush) td")))
	label := browsertest.Eval[string](t, b, `document.querySelector('[data-curve-label="`+ridge.ID+`"]').textContent`)
	if label == "" {
		t.Error("clicking a config row did not name the config whose curves are drawn")
	}
	b.CheckClean(t)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func itoa(i int) string { return strconv.Itoa(i) }

func atof(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

package site_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/assaylab/assay/reporter/internal/browsertest"
	"github.com/assaylab/assay/reporter/internal/fixture"
	"github.com/assaylab/assay/reporter/results/query"
	"github.com/assaylab/assay/reporter/site"
)

// chartsJS describes every chart on a page: its kind, ECharts' series
// count, its legend names and how many canvas pixels are not background.
const chartsJS = `Array.from(document.querySelectorAll('[data-chart]')).map(function (el) {
  var c = echarts.getInstanceByDom(el);
  var canvas = el.querySelector('canvas');
  var inked = 0;
  if (canvas) {
    var px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (var i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
  }
  var legend = c && c.getOption().legend && c.getOption().legend[0] ? (c.getOption().legend[0].data || []).map(function (d) { return typeof d === 'string' ? d : d.name; }) : [];
  return {kind: el.dataset.chart, metric: el.dataset.metric || '', series: c ? c.getOption().series.length : -1, legend: legend, inked: inked};
})`

type chart struct {
	Kind   string   `json:"kind"`
	Metric string   `json:"metric"`
	Series int      `json:"series"`
	Legend []string `json:"legend"`
	Inked  int      `json:"inked"`
}

// overflowJS lists the tables a reader could not see whole: wider than
// the window with no frame that scrolls them. The page itself must not
// scroll sideways either.
const overflowJS = `(function () {
  var out = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push('the page is ' + document.documentElement.scrollWidth + 'px wide in a ' + window.innerWidth + 'px window');
  Array.prototype.forEach.call(document.querySelectorAll('table'), function (t) {
    var wrap = t.closest('.table-wrap');
    var right = t.getBoundingClientRect().right;
    if (!wrap) { if (right > window.innerWidth + 1) out.push((t.id || 'a table') + ' runs past the window unframed'); return; }
    if (wrap.scrollWidth > wrap.clientWidth + 1 && getComputedStyle(wrap).overflowX !== 'auto' && getComputedStyle(wrap).overflowX !== 'scroll') out.push((t.id || 'a table') + ' is cut by a frame that does not scroll');
  });
  return out;
})()`

// TestSiteInBrowser opens the site as a team would, from disk (file://)
// and from a web server (as GitHub Pages serves it), and goes through it:
// the home page, an experiment opened from it, a search, a pull
// request's page and a run. Every chart draws, every drawn series lies
// inside its axes, wide tables scroll, nothing is fetched from anywhere
// else, and the page reports no error.
func TestSiteInBrowser(t *testing.T) {
	env := newSiteEnv(t, fixture.Options{})
	dir, _ := env.build(t, site.Options{})
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	idx, err := env.fx.Store.Index()
	if err != nil {
		t.Fatal(err)
	}
	for _, origin := range []struct{ name, base string }{
		{"file", (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir) + "/"}).String()},
		{"http", srv.URL + "/"},
	} {
		t.Run(origin.name, func(t *testing.T) {
			b := browsertest.New(t)
			art := browsertest.ArtifactsDir(t)
			open := func(t *testing.T, p, ready string) {
				t.Helper()
				b.Do(t, chromedp.Navigate(origin.base+p))
				b.WaitFor(t, `document.readyState === 'complete' && (`+ready+`)`, 20*time.Second)
			}
			drawn := func(t *testing.T) []chart {
				t.Helper()
				got := browsertest.Eval[[]chart](t, b, chartsJS)
				for _, c := range got {
					if c.Series < 1 || c.Inked < 300 {
						t.Errorf("%s chart %s is blank: %d series, %d inked pixels", c.Kind, c.Metric, c.Series, c.Inked)
					}
				}
				for _, p := range browsertest.Eval[[]string](t, b, browsertest.OutsideAxesJS) {
					t.Errorf("drawn outside its axes: %s", p)
				}
				for _, p := range browsertest.Eval[[]string](t, b, overflowJS) {
					t.Errorf("layout: %s", p)
				}
				return got
			}

			t.Run("home", func(t *testing.T) {
				open(t, "index.html", "true")
				b.Screenshot(t, art, "home")
				rows := browsertest.Eval[int](t, b, `document.querySelectorAll('#experiments-table tbody tr').length`)
				if rows != 4 {
					t.Errorf("home lists %d experiments, want 4", rows)
				}
				if n := browsertest.Eval[int](t, b, `document.querySelectorAll('script[src*="echarts"]').length`); n != 0 {
					t.Errorf("home loads the chart library (%d scripts); it draws its trends as SVG", n)
				}
				drawn(t)
			})

			t.Run("experiment", func(t *testing.T) {
				b.Do(t, chromedp.Click(chromedp.CSS(`#experiments-table a[href$="experiments/ridge.html"]`)))
				b.WaitFor(t, `location.pathname.endsWith('/experiments/ridge.html') && document.readyState === 'complete' && document.documentElement.dataset.chartsDone !== undefined`, 20*time.Second)
				b.Screenshot(t, art, "experiment")
				kinds := map[string]bool{}
				for _, c := range drawn(t) {
					kinds[c.Kind] = true
					if c.Kind == "curves" && (len(c.Legend) != 1 || c.Legend[0] != "mean over 3 seeds") {
						t.Errorf("curves of the best config are labelled %v, want the mean over its 3 seeds", c.Legend)
					}
				}
				for _, k := range []string{"history", "curves", "parallel"} {
					if !kinds[k] {
						t.Errorf("experiment page draws no %s chart", k)
					}
				}
				// With the pull request's configs turned on, the axes still
				// cover every line.
				browsertest.Eval[bool](t, b, `(function () {
				  var c = echarts.getInstanceByDom(document.querySelector('[data-chart="parallel"]'));
				  c.dispatchAction({type: 'legendSelect', name: 'pull requests and other branches'});
				  return true;
				})()`)
				for _, p := range browsertest.Eval[[]string](t, b, browsertest.OutsideAxesJS) {
					t.Errorf("with every side shown, drawn outside its axes: %s", p)
				}
			})

			t.Run("search", func(t *testing.T) {
				open(t, "search.html", `document.documentElement.dataset.searchDone`)
				where := `experiment == "ridge" && metrics.val_acc > 0.74`
				b.Do(t,
					chromedp.SetValue(chromedp.CSS("#where"), where),
					chromedp.SetValue(chromedp.CSS("#sort"), "-metrics.val_acc"),
					chromedp.Click(chromedp.CSS(`#search-form button`)),
				)
				b.WaitFor(t, `document.documentElement.dataset.searchDone === '2'`, 20*time.Second)
				b.Screenshot(t, art, "search")
				want, err := query.Run(idx.Entries, query.Options{Where: where, Sort: "-metrics.val_acc"})
				if err != nil {
					t.Fatal(err)
				}
				got := browsertest.Eval[[]string](t, b, `Array.from(document.querySelectorAll('#results-table tbody tr td:first-child')).map(function (td) { return td.textContent; })`)
				var wantIDs []string
				for _, e := range want.Runs {
					wantIDs = append(wantIDs, e.RunID)
				}
				if len(wantIDs) == 0 || strings.Join(got, ",") != strings.Join(wantIDs, ",") {
					t.Errorf("the search lists %v, assay ls lists %v", got, wantIDs)
				}
				if !strings.Contains(browsertest.Eval[string](t, b, `location.hash`), "where=") {
					t.Error("the search is not kept in the address")
				}
				// A query that cannot run says why.
				b.Do(t, chromedp.SetValue(chromedp.CSS("#where"), "statsu == 1"), chromedp.Click(chromedp.CSS(`#search-form button`)))
				b.WaitFor(t, `document.documentElement.dataset.searchDone === '3'`, 20*time.Second)
				if msg := browsertest.Eval[string](t, b, `document.getElementById('search-error').textContent`); !strings.Contains(msg, "unknown name statsu") {
					t.Errorf("a bad query says %q", msg)
				}
				drawn(t)
			})

			t.Run("pull request", func(t *testing.T) {
				open(t, "prs.html", "true")
				b.Do(t, chromedp.Click(chromedp.CSS(`#prs-table a[href$="pr/42.html"]`)))
				b.WaitFor(t, `location.pathname.endsWith('/pr/42.html') && document.readyState === 'complete' && document.documentElement.dataset.chartsDone !== undefined`, 20*time.Second)
				b.Screenshot(t, art, "pr")
				if got := browsertest.Eval[string](t, b, `document.documentElement.outerHTML.length > 0 && document.title`); !strings.Contains(got, "PR #42") {
					t.Errorf("the pull request's page is titled %q", got)
				}
				drawn(t)
			})

			t.Run("run", func(t *testing.T) {
				var id string
				for _, e := range idx.Entries {
					if e.Experiment == "resnet" && e.SourceCommit == fixture.BaseCommit {
						id = e.RunID
					}
				}
				open(t, "run.html#"+id, `document.documentElement.dataset.runShown === `+jsString(id)+` && document.documentElement.dataset.chartsDone !== undefined && document.querySelectorAll('[data-chart][data-rendered]').length > 0`)
				b.Screenshot(t, art, "run")
				for _, c := range drawn(t) {
					if c.Kind == "curves" && (len(c.Legend) != 1 || !strings.HasPrefix(c.Legend[0], "seed ")) {
						t.Errorf("a single run's curve is labelled %v, want its seed", c.Legend)
					}
				}
				open(t, "run.html#nope", `document.documentElement.dataset.runShown === 'missing'`)
			})

			for _, u := range b.Requests() {
				if !strings.HasPrefix(u, origin.base) {
					t.Errorf("the site requested %s, outside itself", u)
				}
			}
			b.CheckClean(t)
		})
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

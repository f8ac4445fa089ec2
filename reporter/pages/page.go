package pages

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/assaylab/assay/reporter/html"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

// Page is what the layout ("top" and "bottom") needs around a page's own
// view, Body.
type Page struct {
	Title   string
	Project string
	Links   Links
	Nav     []NavItem
	// Note is the line at the right of the navigation bar.
	Note string
	// CSP is the Content-Security-Policy the page carries in a <meta>
	// tag; "" for none (the UI sends its policy as a header).
	CSP string
	// Generator names what made the page.
	Generator string
	// Footer is the footer's text before the chart library's credit.
	Footer string
	// Data is the JSON the page's script reads; "" for none.
	Data template.JS
	// Charts loads the chart library; pages without charts leave it
	// out and paint sooner.
	Charts bool
	// Scripts are assets loaded after the shared script ("site.js").
	Scripts []string
	Body    any
}

// NavItem is one link of the navigation bar.
type NavItem struct {
	Label, Href string
	Current     bool
}

var (
	templatesOnce sync.Once
	templates     *template.Template
	templatesErr  error
)

// Templates returns the pages' templates: the layout ("top",
// "bottom"), the experiment page ("experiment-page"), the home page
// ("home") and the HTML report's partials, with their functions. Each
// call returns a clone the caller may add its own pages to.
func Templates() (*template.Template, error) {
	templatesOnce.Do(func() {
		t, err := html.Partials()
		if err != nil {
			templatesErr = err
			return
		}
		templates, templatesErr = t.Funcs(Funcs).ParseFS(templateFiles, "templates/*.tmpl")
	})
	if templatesErr != nil {
		return nil, templatesErr
	}
	return templates.Clone()
}

// Funcs are the functions the pages' templates use.
var Funcs = template.FuncMap{
	"shortCommit": ShortCommit,
	"when":        When,
	"num":         Num,
	"duration":    Duration,
	"plural":      Plural,
	"runRows": func(l Links, rows []*RunRow, metric string) RunRows {
		return RunRows{Links: l, Rows: rows, Metric: metric}
	},
}

// RunRows is the "run-rows" template's input: a table of runs.
type RunRows struct {
	Links  Links
	Rows   []*RunRow
	Metric string
}

// ShortCommit is a commit's first 7 digits.
func ShortCommit(c string) string {
	if len(c) > 7 {
		return c[:7]
	}
	return c
}

// When is a time as pages show it: UTC to the minute.
func When(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// Num is a value with 4 significant digits.
func Num(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// Duration is seconds as a rounded duration ("1h2m3s").
func Duration(s float64) string {
	return (time.Duration(s * float64(time.Second))).Round(time.Second).String()
}

// Plural is "1 run", "2 runs".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// DataJS encodes a page's chart data for <script type="application/json">:
// encoding/json escapes <, > and & inside strings, so no text can end
// the element early.
func DataJS(v any) (template.JS, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return template.JS(b), nil
}

// Render writes the page whose template is name.
func Render(w io.Writer, t *template.Template, name string, p *Page) error {
	if p.Generator == "" {
		p.Generator = "assay"
	}
	return t.ExecuteTemplate(w, name, p)
}

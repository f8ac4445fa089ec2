package html

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sync"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/web"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

// ContentSecurityPolicy is the policy the report carries in a <meta>
// tag: no network access of any kind, and only the report's own inline
// scripts and style (by hash) may run. %s are the allowed script and
// style hashes.
const contentSecurityPolicy = "default-src 'none'; script-src %s; style-src %s; img-src data:; " +
	"connect-src 'none'; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"

// inline is what every report embeds, prepared once per process.
type inline struct {
	style, script []byte
	csp           string
	license       string
}

// firstPaint is the start of the report's one script. The script is a
// module, so it runs only once the page is parsed; this line then waits
// for the first frame, so the tables are on screen before the chart
// library (a megabyte of it) runs.
const firstPaint = "await new Promise(function (r) { requestAnimationFrame(function () { setTimeout(r, 0); }); });\n"

var (
	inlineOnce sync.Once
	inlined    inline
	inlineErr  error

	partialsOnce sync.Once
	partials     *template.Template
	partialsErr  error
)

// inlineAssets reads what every report embeds once per process; a binary
// built without its assets gets an error that says so (web.MissingAssetError).
func inlineAssets() (inline, error) {
	inlineOnce.Do(func() {
		inlined, inlineErr = readInline()
	})
	return inlined, inlineErr
}

func readInline() (inline, error) {
	chart, err := web.ChartLibrary()
	if err != nil {
		return inline{}, err
	}
	own, err := web.Script()
	if err != nil {
		return inline{}, err
	}
	style, err := web.Style()
	if err != nil {
		return inline{}, err
	}
	license, err := web.ChartLibraryLicense()
	if err != nil {
		return inline{}, err
	}
	var script bytes.Buffer
	script.WriteString(firstPaint)
	script.Write(chart)
	script.WriteString("\n;\n")
	script.Write(own)
	in := inline{
		style:   web.InlineSafe(style),
		script:  web.InlineSafe(script.Bytes()),
		license: string(license),
	}
	in.csp = fmt.Sprintf(contentSecurityPolicy, web.CSPHash(in.script), web.CSPHash(in.style))
	return in, nil
}

// Partials returns the templates the report is made of, for pages that
// show the same views: "headline" renders []HeadlineLine, "experiment"
// renders one *Experiment. Its functions (verdictClass, severity) come
// along. Each call returns a fresh clone the caller may add to.
func Partials() (*template.Template, error) {
	partialsOnce.Do(func() {
		partials, partialsErr = template.New("html").Funcs(funcs).ParseFS(templateFiles, "templates/*.tmpl")
	})
	if partialsErr != nil {
		return nil, partialsErr
	}
	return partials.Clone()
}

var funcs = template.FuncMap{
	"verdictClass": VerdictClass,
	"severity":     func(v string) int { return compare.Verdict(v).Severity() },
}

// knownWords are the verdicts, results and run statuses that have a
// style; anything else is styled as "other", so no text from a record
// ever becomes a class name.
var knownWords = map[string]bool{
	"improved": true, "regressed": true, "unchanged": true, "inconclusive": true, "new": true, "removed": true,
	"failed": true, "missing": true, "reported": true, "success": true, "failure": true, "error": true,
	"succeeded": true, "timed_out": true, "cancelled": true,
}

// VerdictClass is the CSS class suffix of a verdict, result or status.
func VerdictClass(v string) string {
	if knownWords[v] {
		return v
	}
	return "other"
}

// Render writes the report as one self-contained HTML document: tables
// rendered here, data embedded once as JSON, and the chart library,
// script and style inlined (one script, one style), under a
// Content-Security-Policy that lets the page load nothing from the
// network.
func Render(w io.Writer, r *Report) error {
	t, err := Partials()
	if err != nil {
		return err
	}
	data, err := DataJSON(r)
	if err != nil {
		return fmt.Errorf("encoding the report's data: %w", err)
	}
	a, err := inlineAssets()
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	err = t.ExecuteTemplate(bw, "report", map[string]any{
		"Report":       r,
		"CSP":          a.csp,
		"Style":        template.CSS(a.style),
		"Script":       template.JS(a.script),
		"Data":         template.JS(data),
		"License":      a.license,
		"ChartVersion": web.ChartLibraryVersion,
	})
	if err != nil {
		return fmt.Errorf("rendering the HTML report: %w", err)
	}
	return bw.Flush()
}

// RenderComparison builds the report of a comparison and writes it: what
// `assay compare --format html` prints and `assay report` commits beside
// the markdown report.
func RenderComparison(w io.Writer, c *compare.Comparison, src Source, opts Options) error {
	return Render(w, FromComparison(c, src, opts))
}

// DataJSON is the report as the page's script reads it, safe to embed in
// a <script type="application/json"> element: encoding/json escapes <, >
// and & inside strings, so no text can close the element early.
func DataJSON(r *Report) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	if bytes.Contains(b, []byte("</")) {
		// Unreachable with encoding/json; kept so a future encoder
		// cannot silently break the page.
		return nil, fmt.Errorf("report data would close its script element")
	}
	return b, nil
}

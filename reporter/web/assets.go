// Package web holds what assay's two kinds of pages share: the style
// sheet, the script that sorts and filters tables and draws charts, and
// Apache ECharts with its licence. Everything is built into
// the binary with go:embed; nothing is fetched at build time or when a
// page is opened.
//
// The HTML report (reporter/html) inlines these files, so one file works
// offline; the local UI (reporter/ui) serves them under /assets/, so its
// Content-Security-Policy can forbid inline script altogether.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

//go:embed assets
var files embed.FS

// Paths of the assets, relative to Assets().
//
// No asset may sit under a directory named vendor: Go's module zips
// leave out every path with a vendor element, so a binary built by
// go install …@version would lack it (TestAssetPathsSurviveModuleZips).
const (
	StylePath        = "assay.css"
	ScriptPath       = "assay.js"
	ChartLibraryPath = "echarts/echarts.min.js"
	// ChartLibraryVersion is the vendored ECharts release; see
	// assets/echarts/README.md to update it.
	ChartLibraryVersion = "5.6.0"
)

// required lists every asset a page needs; Check looks for each.
var required = []string{StylePath, ScriptPath, ChartLibraryPath, "echarts/LICENSE", "echarts/NOTICE"}

// Assets is the tree of shared files: assay.css, assay.js and echarts/.
func Assets() fs.FS {
	// fs.Sub fails only for an invalid directory name, and "assets" is not.
	sub, _ := fs.Sub(files, "assets")
	return sub
}

// MissingAssetError is an asset this binary was built without.
type MissingAssetError struct {
	Name string
	Err  error
}

func (e *MissingAssetError) Error() string {
	return fmt.Sprintf("this assay binary was built without its page asset %s (%v): "+
		"it came from a source tree that lacks reporter/web/assets; install a release, "+
		"or build from a complete checkout", e.Name, e.Err)
}

func (e *MissingAssetError) Unwrap() error { return e.Err }

func read(name string) ([]byte, error) {
	b, err := fs.ReadFile(Assets(), name)
	if err != nil {
		return nil, &MissingAssetError{Name: name, Err: err}
	}
	return b, nil
}

// Check reports the first asset a page needs that the binary lacks, so a
// command can refuse before it starts rather than serve a broken page.
func Check() error {
	for _, name := range required {
		if _, err := read(name); err != nil {
			return err
		}
	}
	return nil
}

// Style is the shared style sheet.
func Style() ([]byte, error) { return read(StylePath) }

// Script is the pages' own script: tables and charts.
func Script() ([]byte, error) { return read(ScriptPath) }

// ChartLibrary is the vendored ECharts, minified.
func ChartLibrary() ([]byte, error) { return read(ChartLibraryPath) }

// ChartLibraryLicense is ECharts' licence and notice, which travel with
// every copy of it.
func ChartLibraryLicense() ([]byte, error) {
	license, err := read("echarts/LICENSE")
	if err != nil {
		return nil, err
	}
	notice, err := read("echarts/NOTICE")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(license)
	b.WriteString("\n")
	b.Write(notice)
	return b.Bytes(), nil
}

// InlineSafe makes text safe between <script> and </script> (or <style>
// and </style>): the HTML parser ends those elements at the first "</"
// followed by their name, whatever JavaScript or CSS would make of it, and
// "<!--" can change how the rest is parsed. Both are rewritten with a
// backslash, which means the same inside JavaScript strings and regular
// expressions, where such text can occur in a script.
func InlineSafe(b []byte) []byte {
	lower := bytes.ToLower(b)
	if !bytes.Contains(lower, []byte("</script")) && !bytes.Contains(lower, []byte("</style")) && !bytes.Contains(b, []byte("<!--")) {
		return b
	}
	var out bytes.Buffer
	for i := 0; i < len(b); i++ {
		if b[i] == '<' {
			rest := lower[i:]
			if bytes.HasPrefix(rest, []byte("</script")) || bytes.HasPrefix(rest, []byte("</style")) {
				out.WriteString(`<\/`)
				i++
				continue
			}
			if bytes.HasPrefix(rest, []byte("<!--")) {
				out.WriteString(`<\!--`)
				i += 1
				continue
			}
		}
		out.WriteByte(b[i])
	}
	return out.Bytes()
}

// CSPHash is the Content-Security-Policy source that allows one inline
// script or style: 'sha256-…' of its exact text.
func CSPHash(b []byte) string {
	sum := sha256.Sum256(b)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Handler serves the assets (mount it under a prefix with
// http.StripPrefix). They change only with the binary, so browsers may
// keep them for a day.
func Handler() http.Handler {
	fsys := Assets()
	started := time.Now()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		b, err := fs.ReadFile(fsys, name)
		if err != nil || name == "" {
			http.NotFound(w, r)
			return
		}
		switch {
		case strings.HasSuffix(name, ".js"):
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		case strings.HasSuffix(name, ".css"):
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
		default:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		http.ServeContent(w, r, name, started, bytes.NewReader(b))
	})
}

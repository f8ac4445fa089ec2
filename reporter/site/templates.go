package site

import (
	"embed"
	"html/template"

	"github.com/assaylab/assay/reporter/pages"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

// templates are the pages' shared templates with the site's own: the
// search page, the run page and the list of pull requests.
func templates() (*template.Template, error) {
	t, err := pages.Templates()
	if err != nil {
		return nil, err
	}
	return t.ParseFS(templateFiles, "templates/*.tmpl")
}

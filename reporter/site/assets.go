package site

import (
	"io/fs"
	"strconv"

	"github.com/assaylab/assay/reporter/web"
)

// writeAssets copies the shared style, scripts and the chart library
// with its licence under assets/: every page loads them from there, so
// the site fetches nothing from elsewhere.
func writeAssets(b *builder) error {
	return fs.WalkDir(web.Assets(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(web.Assets(), p)
		if err != nil {
			return err
		}
		return b.file("assets/"+p, data)
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

package main

import (
	"io"
	"strings"

	"github.com/assaylab/assay/reporter/render"
)

// writeTable prints a command's list with upper-case headers, as every
// assay table is printed (render.WriteTable).
func writeTable(w io.Writer, headers []string, rows [][]string) error {
	up := make([]string, len(headers))
	for i, h := range headers {
		up[i] = strings.ToUpper(h)
	}
	return render.WriteTable(w, up, rows)
}

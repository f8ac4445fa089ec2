package render

import (
	"encoding/json"
	"io"

	"github.com/assaylab/assay/reporter/compare"
)

// RenderJSON writes c as the assay.compare/v2 document, indented, with a
// trailing newline.
func RenderJSON(w io.Writer, c *compare.Comparison) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(c)
}

package spec

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Format returns src in canonical HCL layout. A file that does not parse is
// returned unchanged with its diagnostics: formatting never guesses at
// broken syntax.
func Format(src []byte, path string) ([]byte, hcl.Diagnostics) {
	if _, diags := parseSource(src, path); diags.HasErrors() {
		return src, diags
	}
	if _, diags := hclwrite.ParseConfig(src, path, hcl.InitialPos); diags.HasErrors() {
		return src, diags
	}
	return hclwrite.Format(src), nil
}

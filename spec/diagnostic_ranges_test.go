package spec

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestInvalidDiagnosticsPointAtTheCode: every diagnostic of the invalid
// cases points at code a user can see under the caret — its range's line
// and column agree with its byte offset, it starts on a non-blank
// character before the line's comment, and it does not end before it
// starts. TestInvalid checks the line; this checks where on it.
func TestInvalidDiagnosticsPointAtTheCode(t *testing.T) {
	for _, path := range caseEntries(t, "testdata/invalid") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			fsys, p, diags := loadCase(t, path)
			if !diags.HasErrors() {
				for _, e := range p.Experiments {
					_, d := e.Trials("")
					diags = append(diags, d...)
				}
			}
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("%s: no range", d.Summary)
					continue
				}
				src, err := fs.ReadFile(fsys, d.Subject.Filename)
				if err != nil {
					t.Errorf("%s: %s", d.Summary, err)
					continue
				}
				checkRange(t, d.Summary, src, *d.Subject)
			}
		})
	}
}

// checkRange checks that r is a range a caret can be drawn under in src.
func checkRange(t *testing.T, what string, src []byte, r hcl.Range) {
	t.Helper()
	if r.Start.Byte < 0 || r.End.Byte > len(src) || r.End.Byte < r.Start.Byte {
		t.Errorf("%s: range %s is outside the file or ends before it starts", what, r)
		return
	}
	lineStart := bytes.LastIndexByte(src[:r.Start.Byte], '\n') + 1
	if line := bytes.Count(src[:r.Start.Byte], []byte("\n")) + 1; line != r.Start.Line {
		t.Errorf("%s: range %s says line %d, its offset is on line %d", what, r, r.Start.Line, line)
	}
	if col := r.Start.Byte - lineStart + 1; col != r.Start.Column {
		t.Errorf("%s: range %s says column %d, its offset is column %d", what, r, r.Start.Column, col)
	}
	line, _, _ := bytes.Cut(src[lineStart:], []byte("\n"))
	code, _, _ := strings.Cut(string(line), "#")
	at := r.Start.Byte - lineStart
	if at >= len(code) || code[at] == ' ' || code[at] == '\t' {
		t.Errorf("%s: range %s starts at column %d of %q, not on its code", what, r, r.Start.Column, line)
	}
}

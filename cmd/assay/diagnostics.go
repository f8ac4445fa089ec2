package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

const (
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

// printDiagnostics writes each diagnostic to stderr as
//
//	file:line:col: error: summary
//	  detail
//	    12 |   lr = "x"
//	       |        ^^^
//
// and, inside GitHub Actions, also as a workflow command on stdout so it is
// shown on the pull request's diff.
func printDiagnostics(f *Factory, files map[string]*hcl.File, diags hcl.Diagnostics) {
	color := f.IO.ColorErr()
	for _, d := range diags {
		writeDiagnostic(f.IO.ErrOut, files, d, color)
	}
	if f.InActions() {
		for _, d := range diags {
			fmt.Fprintln(f.IO.Out, actionsAnnotation(d))
		}
	}
}

func writeDiagnostic(w io.Writer, files map[string]*hcl.File, d *hcl.Diagnostic, color bool) {
	sev, col := "error", ansiRed
	if d.Severity == hcl.DiagWarning {
		sev, col = "warning", ansiYellow
	}
	if color {
		sev = col + ansiBold + sev + ansiReset
	}
	loc := "assay"
	if d.Subject != nil {
		loc = fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
	}
	fmt.Fprintf(w, "%s: %s: %s\n", loc, sev, d.Summary)
	if d.Detail != "" {
		for _, line := range strings.Split(d.Detail, "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	if d.Subject != nil {
		if src := sourceLine(files, d.Subject); src != nil {
			w.Write(src)
		}
	}
}

// sourceLine renders the subject's first line with a caret run under the
// subject, or nil when the source is not at hand.
func sourceLine(files map[string]*hcl.File, rng *hcl.Range) []byte {
	f := files[rng.Filename]
	if f == nil || rng.Start.Line < 1 {
		return nil
	}
	lines := bytes.Split(f.Bytes, []byte("\n"))
	if rng.Start.Line > len(lines) {
		return nil
	}
	line := strings.TrimRight(string(lines[rng.Start.Line-1]), "\r")
	line = strings.ReplaceAll(line, "\t", " ")
	start := max(rng.Start.Column, 1)
	end := rng.End.Column
	if rng.End.Line != rng.Start.Line || end <= start {
		end = len([]rune(line)) + 1
	}
	width := max(end-start, 1)
	var b bytes.Buffer
	num := fmt.Sprintf("%d", rng.Start.Line)
	fmt.Fprintf(&b, "  %s | %s\n", num, line)
	fmt.Fprintf(&b, "  %s | %s%s\n", strings.Repeat(" ", len(num)), strings.Repeat(" ", start-1), strings.Repeat("^", width))
	return b.Bytes()
}

// actionsAnnotation formats d as a GitHub Actions workflow command.
func actionsAnnotation(d *hcl.Diagnostic) string {
	kind := "error"
	if d.Severity == hcl.DiagWarning {
		kind = "warning"
	}
	msg := d.Summary
	if d.Detail != "" {
		msg += ": " + d.Detail
	}
	props := ""
	if d.Subject != nil {
		props = fmt.Sprintf(" file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s",
			escapeProperty(d.Subject.Filename), d.Subject.Start.Line, d.Subject.Start.Column,
			d.Subject.End.Line, d.Subject.End.Column, escapeProperty(d.Summary))
	}
	return fmt.Sprintf("::%s%s::%s", kind, props, escapeData(msg))
}

// escapeData and escapeProperty follow the workflow-command escaping of
// @actions/core, so a message with a newline or comma stays one annotation.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

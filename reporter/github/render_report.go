package github

import (
	"strings"

	"github.com/assaylab/assay/reporter/render"
)

// ReportFromMarkdown arranges a rendered comparison for Fit: the header
// and the headline table are the head, each experiment a section (most
// severe first, as rendered), the footer the foot.
func ReportFromMarkdown(md render.Markdown) Report {
	var r Report
	var head, foot []string
	for _, s := range md {
		switch s.Kind {
		case render.SectionExperiment:
			r.Sections = append(r.Sections, Section{Heading: s.Heading, Summary: s.Summary, Details: s.Details, Body: s.Body})
		case render.SectionFooter:
			foot = append(foot, strings.TrimSpace(s.Body))
		default:
			head = append(head, strings.TrimSpace(s.Body))
		}
	}
	r.Head = strings.Join(head, "\n\n")
	r.Foot = strings.Join(foot, "\n\n")
	return r
}

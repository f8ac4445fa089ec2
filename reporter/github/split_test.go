package github

import (
	"strings"
	"testing"
)

// TestSplitMarkdownPicksTheSectionLevel: sections start at the shallowest
// heading level from ## down that occurs more than once, else at the
// deepest level there is; a line is a heading only as "#…# text" with one
// to six marks.
func TestSplitMarkdownPicksTheSectionLevel(t *testing.T) {
	for _, c := range []struct {
		name     string
		md       string
		head     string
		headings []string
	}{
		{"repeated ###", "## report\n\ntable\n\n### a\n\nx\n\n### b\n\ny\n", "## report\n\ntable", []string{"### a", "### b"}},
		{"repeated ## wins over ###", "## a\n\n### a1\n\n### a2\n\n## b\n\nz\n", "", []string{"## a", "## b"}},
		{"repeated ### over a single ####", "## report\n\n### a\n\nx\n\n#### note\n\n### b\n\ny\n", "## report", []string{"### a", "### b"}},
		{"repeated # titles stay in the head", "# one\n\n# two\n\n### a\n\nx\n", "# one\n\n# two", []string{"### a"}},
		{"a single ## stays in the head", "# title\n\n## only\n\ntext\n", "# title", []string{"## only"}},
		{"the deepest single level", "## one\n\n#### deep\n\ntext\n", "## one", []string{"#### deep"}},
		{"level six", "###### a\n\nx\n\n###### b\n\ny\n", "", []string{"###### a", "###### b"}},
		{"seven marks are text", "####### a\n\nx\n\n####### b\n", "####### a\n\nx\n\n####### b", nil},
		{"a mark without a space is text", "##a\n\n##b\n", "##a\n\n##b", nil},
		{"marks alone are text", "##\n\n##\n", "##\n\n##", nil},
		{"no headings", "just text\n", "just text", nil},
		{"a fenced heading is text", "### a\n\n```\n### b\n```\n\n### c\n", "", []string{"### a", "### c"}},
		{"windows line ends", "### a\r\n\r\nx\r\n\r\n### b\r\n", "", []string{"### a", "### b"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := SplitMarkdown(c.md)
			var got []string
			for _, s := range r.Sections {
				got = append(got, s.Heading)
			}
			if r.Head != c.head || strings.Join(got, "|") != strings.Join(c.headings, "|") {
				t.Errorf("head %q, sections %q; want %q, %q", r.Head, got, c.head, c.headings)
			}
		})
	}
}

// TestASectionsSummaryIsItsFirstBlock: the summary is the first run of
// non-blank lines, a code block in it included whole, and the details
// the rest.
func TestASectionsSummaryIsItsFirstBlock(t *testing.T) {
	for _, c := range []struct {
		text, summary, details string
	}{
		{"\n\nfirst\nline\n\nrest\n\nmore", "first\nline", "rest\n\nmore"},
		{"```\na\n\nb\n```\n\nrest", "```\na\n\nb\n```", "rest"},
		{"only", "only", ""},
		{"", "", ""},
	} {
		s, d := firstBlock(c.text)
		if s != c.summary || d != c.details {
			t.Errorf("firstBlock(%q) = %q, %q; want %q, %q", c.text, s, d, c.summary, c.details)
		}
	}
}

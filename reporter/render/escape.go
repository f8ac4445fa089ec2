package render

import (
	"html"
	"strings"
)

// mdText escapes text for inline markdown, table cells included: every
// character that could open emphasis, a link, a code span, an HTML tag, an
// entity or a table column is backslash-escaped or written as an entity,
// and line breaks become spaces so a cell stays one line. "@" becomes an
// entity so a value never mentions a GitHub user.
var mdText = strings.NewReplacer(
	`\`, `\\`,
	"`", "\\`",
	"*", `\*`,
	"_", `\_`,
	"[", `\[`,
	"]", `\]`,
	"<", "&lt;",
	">", "&gt;",
	"&", "&amp;",
	"|", `\|`,
	"~", `\~`,
	"!", `\!`,
	"#", `\#`,
	"@", "&#64;",
	"\r\n", " ",
	"\n", " ",
	"\r", " ",
)

func md(s string) string { return mdText.Replace(s) }

// htmlText escapes text inside an HTML element such as <summary>, where
// markdown is not parsed.
func htmlText(s string) string {
	s = html.EscapeString(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s))
	return strings.ReplaceAll(s, "@", "&#64;")
}

// code is a code span for running text: the fence is longer than any run
// of backticks in s, so nothing in s can close it.
func code(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		pad = " "
	}
	return fence + pad + s + pad + fence
}

// codeCell is a code span safe inside a table cell. GFM splits a row at
// every pipe not escaped by a backslash, code spans included, and reads
// "\\" as an escaped backslash first: so pipes become "\|", and a
// run of backslashes right before a pipe is doubled so it cannot swallow
// the pipe's escape.
func codeCell(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '|':
			b.WriteString(`\|`)
		case s[i] == '\\':
			j := i
			for j < len(s) && s[j] == '\\' {
				j++
			}
			run := s[i:j]
			if j < len(s) && s[j] == '|' {
				run += run
			}
			b.WriteString(run)
			i = j - 1
		default:
			b.WriteByte(s[i])
		}
	}
	return code(b.String())
}

// codeBlock fences lines as a code block whose fence no line can close.
func codeBlock(lines []string) string {
	body := strings.Join(lines, "\n")
	fence := strings.Repeat("`", max(3, longestRun(body, '`')+1))
	return fence + "text\n" + body + "\n" + fence
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

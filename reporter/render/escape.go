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

// codeCell is a code span safe inside a table cell: the fence is longer
// than any run of backticks in s, and pipes are escaped (GFM unescapes
// them inside code spans in tables).
func codeCell(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		pad = " "
	}
	return fence + pad + strings.ReplaceAll(s, "|", `\|`) + pad + fence
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

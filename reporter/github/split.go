package github

import "strings"

// SplitMarkdown cuts a markdown report into a Report for Fit. Sections
// start at headings of one level: the shallowest level from ## down that
// occurs more than once (so a single "## title" stays in the head), or
// else the deepest level there is. What comes before the first section is
// the head. In each section, the first block (the lines up to the first
// blank one) is the summary and the rest the details. Headings inside
// code blocks do not count.
func SplitMarkdown(md string) Report {
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	levels := make([]int, len(lines))
	counts := map[int]int{}
	fence := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fence = !fence
			continue
		}
		if !fence {
			levels[i] = headingLevel(l)
			counts[levels[i]]++
		}
	}
	level := 0
	for l := 2; l <= 6; l++ {
		if counts[l] > 1 {
			level = l
			break
		}
	}
	if level == 0 {
		for l := 6; l >= 2; l-- {
			if counts[l] > 0 {
				level = l
				break
			}
		}
	}
	var r Report
	var cur *Section
	var body []string
	flush := func() {
		text := strings.Trim(strings.Join(body, "\n"), "\n")
		if cur == nil {
			r.Head = text
			return
		}
		cur.Summary, cur.Details = firstBlock(text)
		r.Sections = append(r.Sections, *cur)
	}
	for i, l := range lines {
		if level > 0 && levels[i] == level {
			flush()
			cur, body = &Section{Heading: strings.TrimSpace(l)}, nil
			continue
		}
		body = append(body, l)
	}
	flush()
	return r
}

// headingLevel is the level of an ATX heading line, or 0.
func headingLevel(line string) int {
	n := 0
	for n < len(line) && line[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || n == len(line) || line[n] != ' ' {
		return 0
	}
	return n
}

// firstBlock splits text after its first run of non-blank lines.
func firstBlock(text string) (first, rest string) {
	lines := strings.Split(text, "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	start := i
	fence := false
	for i < len(lines) && (fence || strings.TrimSpace(lines[i]) != "") {
		if strings.HasPrefix(strings.TrimSpace(lines[i]), "```") {
			fence = !fence
		}
		i++
	}
	return strings.Join(lines[start:i], "\n"), strings.Trim(strings.Join(lines[i:], "\n"), "\n")
}

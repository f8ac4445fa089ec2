package github

import (
	"strings"
	"testing"
)

// FuzzParseApprovals feeds arbitrary comment bodies to the approval
// parser. Whatever the body: every target found is one word, with no
// ASCII capital (the line's word with A-Z lowered, nothing else changed),
// from a line that begins with the command; quoting every line approves
// nothing; and a fence-free body followed by an approval line yields that
// approval last.
func FuzzParseApprovals(f *testing.F) {
	full := strings.Repeat("ab", 20)
	for _, s := range []string{
		"/assay approve " + full,
		"LGTM\r\n/assay approve " + full + "\r\n",
		"```\n/assay approve " + full + "\n```",
		"> /assay approve " + full,
		"/assay approve\t" + full + " extra",
		"~~~\n/assay approve x\n",
		"/assay approve 1234567",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got := parseApprovals(body)
		lines := strings.Split(body, "\n")
		for _, target := range got {
			if target == "" || strings.ContainsAny(target, "ABCDEFGHIJKLMNOPQRSTUVWXYZ \t\r\n") {
				t.Fatalf("target %q from %q", target, body)
			}
			found := false
			for _, l := range lines {
				l = strings.TrimSpace(l)
				if strings.HasPrefix(l, ApproveCommand) && strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(l, ApproveCommand)), target) {
					found = true
				}
			}
			if !found {
				t.Fatalf("target %q is on no line of %q", target, body)
			}
		}
		quoted := "> " + strings.Join(lines, "\n> ")
		if q := parseApprovals(quoted); len(q) != 0 {
			t.Fatalf("quoting %q still approves %q", body, q)
		}
		if !strings.Contains(body, "```") && !strings.Contains(body, "~~~") {
			with := parseApprovals(body + "\n/assay approve " + full)
			if len(with) != len(got)+1 || with[len(with)-1] != full {
				t.Fatalf("an approval line after %q gives %q", body, with)
			}
		}
	})
}

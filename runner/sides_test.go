package runner

import "testing"

// A side is named for people the way plan output and warnings show it:
// the revision as named, with the commit cut to 12 characters.
func TestSideString(t *testing.T) {
	t.Parallel()
	const id = "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"
	cases := []struct {
		side Side
		want string
	}{
		{Side{Kind: SideWorktree, Commit: id, Source: "working-tree"}, "working tree"},
		{Side{Kind: SideNone, Source: "none"}, "none"},
		{Side{Kind: SideCommit, Rev: "main", Commit: id, Source: "merge-base"}, "main (1a2b3c4d5e6f)"},
		{Side{Kind: SideCommit, Rev: "HEAD~1", Commit: id, Source: "flag"}, "HEAD~1 (1a2b3c4d5e6f)"},
		{Side{Kind: SideCommit, Commit: id, Source: "flag"}, "1a2b3c4d5e6f"},
		{Side{Kind: SideCommit, Rev: id, Commit: id, Source: "flag"}, "1a2b3c4d5e6f"},
		{Side{Kind: SideCommit, Rev: "v1", Commit: "1a2b3c", Source: "flag"}, "v1 (1a2b3c)"},
	}
	for _, c := range cases {
		if got := c.side.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.side, got, c.want)
		}
	}
}

//go:build linux

package local

import (
	"testing"
)

// mountinfo escapes a space, a tab, a newline and a backslash in a mount
// point as three octal digits; a cgroup v2 hierarchy mounted at such a
// path must still be found, and a backslash that starts no escape is
// kept as it is.
func TestUnescapeMount(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`/sys/fs/cgroup`, `/sys/fs/cgroup`},
		{`/mnt/my\040cgroups`, `/mnt/my cgroups`},
		{`/a\011b\012c\134d`, "/a\tb\nc\\d"},
		{`\040`, ` `},
		{`/x\040`, `/x `},
		{`/x\040\040y`, `/x  y`},
		{`/x\04`, `/x\04`},
		{`/x\0`, `/x\0`},
		{`/x\`, `/x\`},
		{`/x\999y`, `/x\999y`},
		{`/x\4000`, `/x\4000`},
	} {
		if got := unescapeMount(c.in); got != c.want {
			t.Errorf("unescapeMount(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

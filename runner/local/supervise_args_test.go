//go:build linux

package local

import (
	"testing"
	"time"
)

// The supervisor's arguments: the kill grace assay runs with, and whether
// trials get cgroups. An argument it does not know (a newer assay's, or a
// typo) is refused, not read as some other setting.
func TestSupervisorArgs(t *testing.T) {
	for _, c := range []struct {
		args   []string
		grace  time.Duration
		cgroup bool
		bad    bool
	}{
		{args: nil, grace: DefaultKillGrace, cgroup: true},
		{args: []string{"--grace=3s"}, grace: 3 * time.Second, cgroup: true},
		{args: []string{"--cgroup=off"}, grace: DefaultKillGrace, cgroup: false},
		{args: []string{"--cgroup=off", "--cgroup=auto", "--grace=250ms"}, grace: 250 * time.Millisecond, cgroup: true},
		{args: []string{"--grace=soon"}, bad: true},
		{args: []string{"--cgroup=on"}, bad: true},
		{args: []string{"--cgroup=off", "--verbose"}, bad: true},
	} {
		grace, cgroup, err := parseSupervisorArgs(c.args)
		if c.bad {
			if err == nil {
				t.Errorf("%q: accepted (grace %s, cgroup %t), want an error", c.args, grace, cgroup)
			}
			continue
		}
		if err != nil || grace != c.grace || cgroup != c.cgroup {
			t.Errorf("%q: grace %s, cgroup %t, %v; want %s, %t", c.args, grace, cgroup, err, c.grace, c.cgroup)
		}
	}
}

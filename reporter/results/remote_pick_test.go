package results

import (
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
)

// TestWhichRemoteGetsTheResults: results go to origin, or to the only
// remote there is; with several and no origin they stay local, and the
// outbox says so. A remote given as a relative path is resolved against
// the work tree, as git does; URLs and ssh's user@host:path are kept.
func TestWhichRemoteGetsTheResults(t *testing.T) {
	requireGit(t)
	for _, c := range []struct {
		name    string
		remotes map[string]string
		// want is the remote URL; "WT/" stands for the work tree.
		want, outbox string
	}{
		{"origin among others", map[string]string{"origin": "git://host/a.git", "upstream": "git://host/b.git"}, "git://host/a.git", "assay/results, ahead of origin/assay/results"},
		{"the only remote", map[string]string{"upstream": "git://host/b.git"}, "git://host/b.git", "assay/results, ahead of upstream/assay/results"},
		{"two remotes, no origin", map[string]string{"a": "git://host/a.git", "b": "git://host/b.git"}, "", "assay/results"},
		{"no remote", nil, "", "assay/results"},
		{"relative path", map[string]string{"origin": "../team.git"}, "WT/../team.git", ""},
		{"absolute path", map[string]string{"origin": "/srv/team.git"}, "/srv/team.git", ""},
		{"scp-like ssh", map[string]string{"origin": "git@example.com:team/results.git"}, "git@example.com:team/results.git", ""},
		{"scp-like without a user", map[string]string{"origin": "example.com:results.git"}, "example.com:results.git", ""},
		{"a folder with a colon", map[string]string{"origin": "runs/a:b"}, "WT/runs/a:b", ""},
		{"a path starting with a colon", map[string]string{"origin": ":team.git"}, "WT/:team.git", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := newCodeRepo(t)
			r, err := git.PlainOpen(dir)
			if err != nil {
				t.Fatal(err)
			}
			for name, url := range c.remotes {
				if _, err := r.CreateRemote(&config.RemoteConfig{Name: name, URLs: []string{url}}); err != nil {
					t.Fatal(err)
				}
			}
			s := openStore(t, dir, Options{})
			want := c.want
			if len(want) > 3 && want[:3] == "WT/" {
				want = filepath.Join(s.Worktree(), want[3:])
			}
			if got := s.Remote(); got != want {
				t.Errorf("results go to %q, want %q", got, want)
			}
			if c.outbox != "" && s.Outbox() != c.outbox {
				t.Errorf("the outbox is %q, want %q", s.Outbox(), c.outbox)
			}
		})
	}
}

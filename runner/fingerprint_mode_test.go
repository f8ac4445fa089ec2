package runner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// TestInputsFingerprintTheFileMode: a file made executable, its content
// untouched, is a different input — a script that now runs, or a train.sh
// that now is a program — whether the glob names the file or a directory
// holding it, in the working tree and once committed; git records the
// mode, and so does the fingerprint.
func TestInputsFingerprintTheFileMode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, inputs string }{
		{"file", `["tools/run.sh"]`},
		{"glob", `["tools/*.sh"]`},
		{"directory", `["tools/**"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := gittest.New(t)
			r.Write("experiments/e.hcl", `experiment "e" {
  command = ["sh", "tools/run.sh"]
  inputs  = `+tc.inputs+`
}
`)
			r.Write("tools/run.sh", "echo train\n")
			r.Write("tools/other.txt", "x\n")
			r.Commit("e")
			before := inputsAt(t, r.Dir, "HEAD", "e").Fingerprint
			if got := inputsAt(t, r.Dir, "", "e").Fingerprint; got != before {
				t.Fatal("a clean working tree must fingerprint as HEAD")
			}

			if err := os.Chmod(filepath.Join(r.Dir, "tools", "run.sh"), 0o755); err != nil {
				t.Fatal(err)
			}
			worktree := inputsAt(t, r.Dir, "", "e").Fingerprint
			if worktree == before {
				t.Error("chmod +x in the working tree left the fingerprint as it was")
			}
			r.Commit("make run.sh executable")
			if got := r.Git("ls-files", "-s", "tools/run.sh"); got[:6] != "100755" {
				t.Fatalf("git did not record the mode: %s", got)
			}
			committed := inputsAt(t, r.Dir, "HEAD", "e").Fingerprint
			if committed == before || committed != worktree {
				t.Errorf("committed %s, before %s, working tree %s: want the working tree's, not the old one", committed, before, worktree)
			}
		})
	}
}

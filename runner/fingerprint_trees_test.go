package runner

import (
	"strconv"
	"strings"
	"testing"

	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// TestInputsSpellingsOfOneTree: the ways of writing "this whole directory"
// name the same input, one entry with the directory's tree id, so
// rewriting inputs from one spelling to another reruns nothing; and a
// glob that overlaps one already covering the tree adds nothing.
func TestInputsSpellingsOfOneTree(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Write("src/a.py", "a\n")
	r.Write("src/deep/b.py", "b\n")
	r.Write("top.txt", "t\n")
	for _, tc := range []struct {
		name   string
		inputs []string
	}{
		{"src", []string{"src"}},
		{"src-slash", []string{"src/"}},
		{"dot-src", []string{"./src"}},
		{"src-starstar", []string{"src/**"}},
		{"src-starstar-star", []string{"src/**/*"}},
		{"overlap", []string{"src/**", "src/a.py", "src/deep/**"}},
		{"root", []string{"**"}},
		{"root-dot", []string{"."}},
		{"root-starstar-star", []string{"**/*"}},
		{"root-overlap", []string{"**", "top.txt", "src/**"}},
	} {
		quoted := make([]string, len(tc.inputs))
		for i, g := range tc.inputs {
			quoted[i] = strconv.Quote(g)
		}
		r.Write("experiments/"+tc.name+".hcl", `experiment "`+tc.name+`" {
  command = ["true"]
  inputs  = [`+strings.Join(quoted, ", ")+`]
}
`)
	}
	r.Commit("one tree, many spellings")

	srcTree := r.Git("rev-parse", "HEAD:src")
	rootTree := r.Git("rev-parse", "HEAD^{tree}")
	want := map[bool]string{true: inputsAt(t, r.Dir, "HEAD", "src").Fingerprint, false: inputsAt(t, r.Dir, "HEAD", "root").Fingerprint}
	for _, name := range []string{"src", "src-slash", "dot-src", "src-starstar", "src-starstar-star", "overlap", "root", "root-dot", "root-starstar-star", "root-overlap"} {
		in := inputsAt(t, r.Dir, "HEAD", name)
		isSrc := strings.HasPrefix(name, "src") || name == "dot-src" || name == "overlap"
		wantPath, wantID := "src/", srcTree
		if !isSrc {
			wantPath, wantID = "./", rootTree
		}
		if got := paths(in); got != wantPath || in.Entries[0].ID.String() != wantID {
			t.Errorf("%s: entries %q (%s), want the one tree %s (%s)", name, got, in.Entries[0].ID, wantPath, wantID)
		}
		if in.Fingerprint != want[isSrc] {
			t.Errorf("%s: fingerprint differs from the plain spelling's", name)
		}
		if len(in.Unmatched) != 0 {
			t.Errorf("%s: unmatched %v", name, in.Unmatched)
		}
		if wt := inputsAt(t, r.Dir, "", name); paths(wt) != wantPath || wt.Fingerprint != in.Fingerprint {
			t.Errorf("%s: the clean working tree gives %q, not HEAD's fingerprint", name, paths(wt))
		}
	}
}

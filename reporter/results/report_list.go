package results

import (
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// ReportFile is a pull request's report on the results branch:
// reports/pr-<PR>/<HeadSHA>.<Format>.
type ReportFile struct {
	Path    string
	PR      int
	HeadSHA string
	// Format is the file's extension: "md" or "html".
	Format string
	// Written is when the newest commit that wrote the file was made;
	// zero when the branch's history does not say.
	Written time.Time
	blob    plumbing.Hash
}

// Reports lists the pull requests' reports at the branch tip, the most
// recently written first. The order comes from the branch's history:
// each report commit names the files it wrote ("assay: report PATH,
// ..."); files no commit names come last, by path.
func (s *Store) Reports() ([]ReportFile, error) {
	tip, err := s.Tip()
	if err != nil || tip.IsZero() {
		return nil, err
	}
	tree, err := s.treeOf(tip)
	if err != nil {
		return nil, err
	}
	t, err := object.GetTree(s.repo.Storer, tree)
	if err != nil {
		return nil, err
	}
	top, err := t.FindEntry(ReportsDir)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, nil
	}
	if err != nil || top.Mode != filemode.Dir {
		return nil, err
	}
	reports, err := object.GetTree(s.repo.Storer, top.Hash)
	if err != nil {
		return nil, err
	}
	var out []ReportFile
	for _, dir := range reports.Entries {
		n, err := strconv.Atoi(strings.TrimPrefix(dir.Name, "pr-"))
		if dir.Mode != filemode.Dir || !strings.HasPrefix(dir.Name, "pr-") || err != nil || n <= 0 {
			continue
		}
		sub, err := object.GetTree(s.repo.Storer, dir.Hash)
		if err != nil {
			return nil, fmt.Errorf("reading %s/%s: %w", ReportsDir, dir.Name, err)
		}
		for _, f := range sub.Entries {
			ext := path.Ext(f.Name)
			if !f.Mode.IsFile() || (ext != ".md" && ext != ".html") {
				continue
			}
			out = append(out, ReportFile{
				Path: path.Join(ReportsDir, dir.Name, f.Name), PR: n,
				HeadSHA: strings.TrimSuffix(f.Name, ext), Format: ext[1:], blob: f.Hash,
			})
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	wanted := make(map[string]bool, len(out))
	for _, f := range out {
		wanted[f.Path] = true
	}
	written, err := s.reportHistory(tip, wanted)
	if err != nil {
		return nil, err
	}
	rank := func(p string) int {
		if w, ok := written[p]; ok {
			return w.order
		}
		return math.MaxInt
	}
	for i := range out {
		out[i].Written = written[out[i].Path].when
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := rank(out[i].Path), rank(out[j].Path); a != b {
			return a < b
		}
		return out[i].Path < out[j].Path
	})
	return out, nil
}

// written is where a report path was last written in the branch's
// history: order counts the report commits newer than the one that did.
type written struct {
	order int
	when  time.Time
}

// reportHistory walks the branch's history from tip, newest first, and
// returns where each report path was last written, as report commits name
// them. It stops once it has seen every wanted path, or at the oldest
// commit of a shallow copy (fetched with --depth).
func (s *Store) reportHistory(tip plumbing.Hash, wanted map[string]bool) (map[string]written, error) {
	out := map[string]written{}
	shallow, err := s.repo.Storer.Shallow()
	if err != nil {
		return nil, fmt.Errorf("reading the shallow commits of %s: %w", s.branch.Short(), err)
	}
	c, err := object.GetCommit(s.repo.Storer, tip)
	for n := 0; err == nil && len(out) < len(wanted); n++ {
		if rest, ok := strings.CutPrefix(c.Message, "assay: report "); ok {
			line, _, _ := strings.Cut(rest, "\n")
			for _, p := range strings.Split(line, ", ") {
				if _, seen := out[p]; !seen && wanted[p] {
					out[p] = written{order: n, when: c.Committer.When}
				}
			}
		}
		if c.NumParents() == 0 || slices.Contains(shallow, c.Hash) {
			break
		}
		c, err = c.Parent(0)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the history of %s: %w", s.branch.Short(), err)
	}
	return out, nil
}

// ReadReport writes the bytes of a report Reports listed to w.
func (s *Store) ReadReport(f ReportFile, w io.Writer) error {
	b, err := object.GetBlob(s.repo.Storer, f.blob)
	if err != nil {
		return fmt.Errorf("reading %s: %w", f.Path, err)
	}
	r, err := b.Reader()
	if err != nil {
		return fmt.Errorf("reading %s: %w", f.Path, err)
	}
	defer r.Close()
	if _, err := io.Copy(w, r); err != nil {
		return fmt.Errorf("reading %s: %w", f.Path, err)
	}
	return nil
}

package results

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/assaylab/assay/runner"
)

// Commit trailers, so `git log` of the results branch says where each
// batch came from.
const (
	TrailerSourceCommit = "Assay-Source-Commit"
	TrailerPR           = "Assay-PR"
	TrailerTrigger      = "Assay-Trigger"
)

// maxListedRuns bounds the runs a commit message lists one per line.
const maxListedRuns = 40

// commitMessage describes a batch of runs: a subject, one line per run,
// and the trailers of every source commit, PR and trigger in the batch.
func commitMessage(results []*runner.Result) string {
	exps := map[string]bool{}
	var sources, prs, triggers []string
	seen := map[string]bool{}
	add := func(list *[]string, kind, v string) {
		if v != "" && !seen[kind+v] {
			seen[kind+v] = true
			*list = append(*list, v)
		}
	}
	for _, r := range results {
		exps[r.Experiment] = true
		add(&sources, "s", r.SourceCommit)
		if r.PR > 0 {
			add(&prs, "p", strconv.Itoa(r.PR))
		}
		add(&triggers, "t", r.Trigger)
	}
	names := make([]string, 0, len(exps))
	for n := range exps {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "assay: record %s of %s\n\n", countNoun(len(results), "run"), strings.Join(names, ", "))
	for i, r := range results {
		if i == maxListedRuns {
			fmt.Fprintf(&b, "... and %d more\n", len(results)-i)
			break
		}
		fmt.Fprintf(&b, "%s %s seed=%d %s %s\n", r.RunID, r.Experiment, r.Seed, r.Status, shortKey(r.TrialKey))
	}
	b.WriteString("\n")
	for _, s := range sources {
		fmt.Fprintf(&b, "%s: %s\n", TrailerSourceCommit, s)
	}
	for _, p := range prs {
		fmt.Fprintf(&b, "%s: %s\n", TrailerPR, p)
	}
	for _, t := range triggers {
		fmt.Fprintf(&b, "%s: %s\n", TrailerTrigger, t)
	}
	return b.String()
}

func shortKey(k string) string {
	if len(k) > 12 {
		return k[:12]
	}
	return k
}

func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// writeCommit stores a commit of tree on parent (zero for an orphan).
func writeCommit(s storer.EncodedObjectStorer, tree, parent plumbing.Hash, author, committer object.Signature, msg string) (plumbing.Hash, error) {
	c := &object.Commit{
		Author:    author,
		Committer: committer,
		Message:   msg,
		TreeHash:  tree,
	}
	if !parent.IsZero() {
		c.ParentHashes = []plumbing.Hash{parent}
	}
	obj := s.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

// signature is who assay writes commits as, at now.
func (s *Store) signature() object.Signature {
	name, email := s.identity()
	return object.Signature{Name: name, Email: email, When: s.now().Truncate(time.Second)}
}

// identity follows git: GIT_COMMITTER_*, then user.name and user.email
// from the repository's and the user's git config, then "assay".
func (s *Store) identity() (string, string) {
	name, email := s.getenv("GIT_COMMITTER_NAME"), s.getenv("GIT_COMMITTER_EMAIL")
	if name == "" || email == "" {
		if cfg, err := s.codeRepo.ConfigScoped(config.GlobalScope); err == nil {
			if name == "" {
				name = cfg.User.Name
			}
			if email == "" {
				email = cfg.User.Email
			}
		}
	}
	if name == "" {
		name = "assay"
	}
	if email == "" {
		email = "assay@localhost"
	}
	return name, email
}

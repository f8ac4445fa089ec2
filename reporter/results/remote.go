package results

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// errRejected is a push the remote turned down because the branch moved:
// fetch, re-apply and try again.
var errRejected = errors.New("the remote results branch moved")

// errStale is a push not even tried: the remote's tip is not the one the
// outbox was built on.
var errStale = errors.New("the remote results branch is ahead of the local copy")

// unreachableError is a remote that could not be talked to.
type unreachableError struct{ err error }

func (e unreachableError) Error() string { return e.err.Error() }
func (e unreachableError) Unwrap() error { return e.err }

// authFor returns how to authenticate to u. Over http(s), GITHUB_TOKEN is
// sent the way GitHub expects it (basic auth, user x-access-token), but
// only to github.com or the host of GITHUB_SERVER_URL, so the token never
// leaves for a host it was not made for. ssh uses go-git's default, the
// ssh agent. Credentials written in the URL are used as they are.
func (s *Store) authFor(u string) transport.AuthMethod {
	ep, err := transport.NewEndpoint(u)
	if err != nil || (ep.Protocol != "http" && ep.Protocol != "https") || ep.User != "" {
		return nil
	}
	token := s.getenv("GITHUB_TOKEN")
	if token == "" {
		return nil
	}
	allowed := ep.Host == "github.com"
	if server := s.getenv("GITHUB_SERVER_URL"); server != "" {
		if su, err := url.Parse(server); err == nil && strings.EqualFold(su.Hostname(), ep.Host) {
			allowed = true
		}
	}
	if !allowed {
		return nil
	}
	return &githttp.BasicAuth{Username: "x-access-token", Password: token}
}

// fetch brings the remote results branch into the remote-tracking ref and
// returns its tip, zero when the remote has no results branch yet. Only
// that one ref moves: the user's branches are never touched.
func (s *Store) fetch(ctx context.Context) (plumbing.Hash, error) {
	rem := git.NewRemote(s.repo.Storer, &config.RemoteConfig{Name: s.remoteName, URLs: []string{s.remoteURL}})
	spec := config.RefSpec(fmt.Sprintf("+%s:%s", s.branch, s.tracking))
	err := rem.FetchContext(ctx, &git.FetchOptions{
		RemoteName: s.remoteName,
		RemoteURL:  s.remoteURL,
		RefSpecs:   []config.RefSpec{spec},
		Auth:       s.auth,
		Tags:       git.NoTags,
	})
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
	case errors.Is(err, git.NoMatchingRefSpecError{}), errors.Is(err, transport.ErrEmptyRemoteRepository):
		return plumbing.ZeroHash, nil
	default:
		return plumbing.ZeroHash, unreachableError{err}
	}
	return s.refHash(s.tracking)
}

// push sends the commits between old (the remote tip, zero for none) and
// tip, then asks the remote to move the branch from old to tip. The remote
// does that only if the branch is still at old, so nothing is ever
// overwritten. Only the objects those commits added are sent, so a push
// costs the size of the batch whatever the branch's size.
func (s *Store) push(ctx context.Context, old, tip plumbing.Hash) error {
	objs, err := s.objectsBetween(old, tip)
	if err != nil {
		return err
	}
	ep, err := transport.NewEndpoint(s.remoteURL)
	if err != nil {
		return fmt.Errorf("results remote %q: %w", s.remoteURL, err)
	}
	c, err := client.NewClient(ep)
	if err != nil {
		return fmt.Errorf("results remote %q: %w", s.remoteURL, err)
	}
	sess, err := c.NewReceivePackSession(ep, s.auth)
	if err != nil {
		return unreachableError{err}
	}
	defer sess.Close()
	ar, err := sess.AdvertisedReferencesContext(ctx)
	if err != nil {
		return unreachableError{err}
	}
	refs, err := ar.AllReferences()
	if err != nil {
		return unreachableError{err}
	}
	var current plumbing.Hash
	if r, ok := refs[s.branch]; ok {
		current = r.Hash()
	}
	if current != old {
		return errStale
	}
	req := packp.NewReferenceUpdateRequestFromCapabilities(ar.Capabilities)
	req.Commands = []*packp.Command{{Name: s.branch, Old: old, New: tip}}
	rd, wr := io.Pipe()
	req.Packfile = rd
	done := make(chan error, 1)
	go func() {
		enc := packfile.NewEncoder(wr, s.repo.Storer, false)
		_, err := enc.Encode(objs, 10)
		done <- wr.CloseWithError(err)
	}()
	report, err := sess.ReceivePack(ctx, req)
	if err != nil {
		rd.Close()
		<-done
		if report != nil {
			return fmt.Errorf("%w: %v", errRejected, err)
		}
		return unreachableError{err}
	}
	if err := <-done; err != nil {
		return fmt.Errorf("packing results: %w", err)
	}
	return nil
}

// objectsBetween lists what the commits from tip back to old (exclusive,
// along first parents) add: the commits, their new trees and blobs.
func (s *Store) objectsBetween(old, tip plumbing.Hash) ([]plumbing.Hash, error) {
	set := map[plumbing.Hash]bool{}
	for h := tip; h != old; {
		c, err := s.commit(h)
		if err != nil {
			return nil, err
		}
		set[h] = true
		var parent, parentTree plumbing.Hash
		if len(c.ParentHashes) > 0 {
			parent = c.ParentHashes[0]
			if parentTree, err = s.treeOf(parent); err != nil {
				return nil, err
			}
		} else if !old.IsZero() {
			return nil, fmt.Errorf("results commit %s does not descend from the remote tip %s", tip, old)
		}
		if err := newObjects(s.repo.Storer, parentTree, c.TreeHash, set); err != nil {
			return nil, err
		}
		if parent.IsZero() {
			break
		}
		h = parent
	}
	out := make([]plumbing.Hash, 0, len(set))
	for h := range set {
		out = append(out, h)
	}
	return out, nil
}

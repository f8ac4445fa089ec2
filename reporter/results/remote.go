package results

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/sideband"
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

// download fetches the objects of the remote results branch and returns
// its tip, zero when the remote has no results branch. It moves no ref:
// the caller decides, under the lock, what the new tip means for the
// local branch (see adopt). Only what the local copies lack is sent: the
// local and remote-tracking tips and some of their history are offered
// as haves.
func (s *Store) download(ctx context.Context) (plumbing.Hash, error) {
	ep, c, err := s.client()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	w := s.watch(ctx)
	defer w.stop()
	sess, err := openSession(w.ctx, func() (transport.UploadPackSession, error) { return c.NewUploadPackSession(ep, s.auth) })
	if err != nil {
		return plumbing.ZeroHash, w.unreachable(err)
	}
	defer sess.Close()
	ar, err := sess.AdvertisedReferencesContext(w.ctx)
	switch {
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		return plumbing.ZeroHash, nil
	case err != nil:
		return plumbing.ZeroHash, w.unreachable(err)
	}
	w.alive()
	refs, err := ar.AllReferences()
	if err != nil {
		return plumbing.ZeroHash, w.unreachable(err)
	}
	ref, ok := refs[s.branch]
	if !ok {
		return plumbing.ZeroHash, nil
	}
	tip := ref.Hash()
	if s.hasCommit(tip) {
		// Objects arrive as whole packs, so a commit here has its trees
		// and blobs here too.
		return tip, nil
	}
	req := packp.NewUploadPackRequestFromCapabilities(ar.Capabilities)
	req.Wants = []plumbing.Hash{tip}
	req.Haves = s.haves()
	resp, err := sess.UploadPack(w.ctx, req)
	if errors.Is(err, transport.ErrEmptyUploadPackRequest) {
		return tip, nil
	}
	if err != nil {
		return plumbing.ZeroHash, w.unreachable(err)
	}
	defer resp.Close()
	r := w.reader(resp)
	if t, ok := sidebandOf(req.Capabilities); ok {
		d := sideband.NewDemuxer(t, r)
		d.Progress = w.progress()
		r = d
	}
	if err := packfile.UpdateObjectStorage(s.repo.Storer, r); err != nil {
		return plumbing.ZeroHash, w.unreachable(err)
	}
	if !s.hasCommit(tip) {
		return plumbing.ZeroHash, fmt.Errorf("the remote %s did not send the results commit %s", s.remoteURL, tip)
	}
	return tip, nil
}

// maxHavesPerTip bounds how far back each local tip is offered: enough
// for a remote that dropped its last commits to find common history.
const maxHavesPerTip = 64

// haves lists commits this copy has of the results branch: the local and
// remote-tracking tips and their first parents.
func (s *Store) haves() []plumbing.Hash {
	seen := map[plumbing.Hash]bool{}
	var out []plumbing.Hash
	for _, name := range []plumbing.ReferenceName{s.branch, s.tracking} {
		h, err := s.refHash(name)
		for n := 0; err == nil && !h.IsZero() && !seen[h] && n < maxHavesPerTip; n++ {
			c, cerr := object.GetCommit(s.repo.Storer, h)
			if cerr != nil {
				break
			}
			seen[h] = true
			out = append(out, h)
			if len(c.ParentHashes) == 0 {
				break
			}
			h = c.ParentHashes[0]
		}
	}
	return out
}

func sidebandOf(caps *capability.List) (sideband.Type, bool) {
	switch {
	case caps.Supports(capability.Sideband64k):
		return sideband.Sideband64k, true
	case caps.Supports(capability.Sideband):
		return sideband.Sideband, true
	}
	return 0, false
}

var sidebandCapability = map[sideband.Type]capability.Capability{
	sideband.Sideband64k: capability.Sideband64k,
	sideband.Sideband:    capability.Sideband,
}

// client is the transport for the results remote.
func (s *Store) client() (*transport.Endpoint, transport.Transport, error) {
	ep, err := transport.NewEndpoint(s.remoteURL)
	if err != nil {
		return nil, nil, fmt.Errorf("results remote %q: %w", s.remoteURL, err)
	}
	c, err := client.NewClient(ep)
	if err != nil {
		return nil, nil, fmt.Errorf("results remote %q: %w", s.remoteURL, err)
	}
	return ep, c, nil
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
	ep, c, err := s.client()
	if err != nil {
		return err
	}
	w := s.watch(ctx)
	defer w.stop()
	sess, err := openSession(w.ctx, func() (transport.ReceivePackSession, error) { return c.NewReceivePackSession(ep, s.auth) })
	if err != nil {
		return w.unreachable(err)
	}
	defer sess.Close()
	ar, err := sess.AdvertisedReferencesContext(w.ctx)
	if err != nil {
		return w.unreachable(err)
	}
	w.alive()
	refs, err := ar.AllReferences()
	if err != nil {
		return w.unreachable(err)
	}
	var current plumbing.Hash
	if r, ok := refs[s.branch]; ok {
		current = r.Hash()
	}
	if current != old {
		return errStale
	}
	var said remoteSays
	req := packp.NewReferenceUpdateRequestFromCapabilities(ar.Capabilities)
	req.Commands = []*packp.Command{{Name: s.branch, Old: old, New: tip}}
	if t, ok := sidebandOf(ar.Capabilities); ok {
		// With a side band the remote reports its progress while it
		// takes the pack in: signs of life for the idle deadline.
		req.Capabilities.Set(sidebandCapability[t])
		req.Progress = io.MultiWriter(w.progress(), &said)
	}
	rd, wr := io.Pipe()
	// The session reads the pack as the remote takes it in: each read is
	// a sign that the transfer moves.
	req.Packfile = io.NopCloser(w.reader(rd))
	done := make(chan error, 1)
	go func() {
		enc := packfile.NewEncoder(wr, s.repo.Storer, false)
		_, err := enc.Encode(objs, 10)
		done <- wr.CloseWithError(err)
	}()
	report, err := sess.ReceivePack(w.ctx, req)
	if err != nil {
		rd.CloseWithError(err)
		<-done
		switch {
		case report != nil && declined(report):
			return fmt.Errorf("%w: %v%s", errDeclined, err, said.text())
		case report != nil:
			return fmt.Errorf("%w: %v", errRejected, err)
		}
		return w.unreachable(err)
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

package results

import (
	"encoding/json"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/assaylab/assay/runner"
)

// RunArtifacts is a recorded run's manifest as it stands now: the
// record's entries, with those a later `assay sync` uploaded no longer
// pending and carrying their URL (see UploadsSuffix).
func (s *Store) RunArtifacts(d *RunDetail) (files []runner.ArtifactFile, log *runner.ArtifactFile, err error) {
	r := d.Result
	files = append(files, r.Manifest...)
	if r.FullLog != nil {
		l := *r.FullLog
		log = &l
	}
	if !anyPending(files, log) {
		return files, log, nil
	}
	t, err := s.tipTree()
	if err != nil || t == nil {
		return files, log, err
	}
	b, err := fileAt(t, UploadsPath(r.Experiment, r.TrialKey, r.RunID))
	if err != nil {
		return files, log, nil // nothing uploaded since
	}
	var doc UploadsDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return files, log, fmt.Errorf("%s is not a valid uploads file: %w", UploadsPath(r.Experiment, r.TrialKey, r.RunID), err)
	}
	stored := map[string]runner.ArtifactFile{}
	for _, f := range doc.Files {
		stored[f.Path+"\x00"+f.SHA256] = f
	}
	for i, f := range files {
		if u, ok := stored[f.Path+"\x00"+f.SHA256]; ok && f.Pending {
			files[i].Pending, files[i].URL = false, u.URL
		}
	}
	if log != nil && log.Pending && doc.FullLog != nil && doc.FullLog.SHA256 == log.SHA256 {
		log.Pending, log.URL = false, doc.FullLog.URL
	}
	return files, log, nil
}

func anyPending(files []runner.ArtifactFile, log *runner.ArtifactFile) bool {
	for _, f := range files {
		if f.Pending {
			return true
		}
	}
	return log != nil && log.Pending
}

// tipTree is the tree reads see, or nil with no results at all.
func (s *Store) tipTree() (*object.Tree, error) {
	tip, err := s.Tip()
	if err != nil || tip.IsZero() {
		return nil, err
	}
	th, err := s.treeOf(tip)
	if err != nil {
		return nil, err
	}
	return object.GetTree(s.repo.Storer, th)
}

// LatestArtifact implements runner.ArtifactSource: the file at path kept
// by the newest succeeded run of experiment whose trial key is one of
// keys. A run that did not keep that file is passed over for an older one
// that did.
func (s *Store) LatestArtifact(experiment string, keys []string, path string) (runner.ArtifactOrigin, bool, error) {
	idx, err := s.Index()
	if err != nil {
		return runner.ArtifactOrigin{}, false, err
	}
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[k] = true
	}
	var t *object.Tree
	for i := len(idx.Entries) - 1; i >= 0; i-- {
		e := idx.Entries[i]
		if e.Experiment != experiment || e.Status != runner.StatusSucceeded || !want[e.TrialKey] {
			continue
		}
		if t == nil {
			th, err := s.treeOf(idx.Tip)
			if err != nil {
				return runner.ArtifactOrigin{}, false, err
			}
			if t, err = object.GetTree(s.repo.Storer, th); err != nil {
				return runner.ArtifactOrigin{}, false, err
			}
		}
		b, err := fileAt(t, e.Path())
		if err != nil {
			continue
		}
		var r runner.Result
		if json.Unmarshal(b, &r) != nil {
			continue
		}
		for _, f := range r.Manifest {
			if f.Path == path {
				return runner.ArtifactOrigin{Experiment: experiment, Path: path, SHA256: f.SHA256, RunID: r.RunID, TrialKey: r.TrialKey, URL: f.URL}, true, nil
			}
		}
	}
	return runner.ArtifactOrigin{}, false, nil
}

var _ runner.ArtifactSource = (*Store)(nil)

package runner

// ArtifactFile is one entry of a run's artifact manifest: a file kept from
// the run, stored once per content in the artifact store under its
// SHA-256 (sha256/<first two hex digits>/<all 64>).
type ArtifactFile struct {
	// Path is relative to the run's artifacts directory
	// (ASSAY_ARTIFACTS_DIR), in slash form: for a file an artifacts glob
	// matched, its path relative to the workdir.
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// MediaType is the file's type, from its extension or its first bytes
	// ("image/png", "application/octet-stream").
	MediaType string `json:"media_type"`
	// URL is the object in the artifact store (s3://bucket/prefix/sha256/..,
	// file:///...), set when the run is recorded.
	URL string `json:"url,omitempty"`
	// Pending marks a file whose upload failed when the run was recorded;
	// assay sync uploads it later and records that beside the record (the
	// record itself is never rewritten).
	Pending bool `json:"pending,omitempty"`
}

// ArtifactOrigin is where an artifact a trial consumed came from: the
// file of another experiment's run that an artifact() input resolved to.
type ArtifactOrigin struct {
	Experiment string `json:"experiment"`
	Path       string `json:"path"`
	// SHA256 is the file's content hash, which entered the trial key;
	// empty when the input could not be resolved (no succeeded run of the
	// upstream experiment kept the file).
	SHA256   string `json:"sha256,omitempty"`
	RunID    string `json:"run_id,omitempty"`
	TrialKey string `json:"trial_key,omitempty"`
	URL      string `json:"url,omitempty"`
}

// Resolved reports whether the input named a recorded file.
func (o ArtifactOrigin) Resolved() bool { return o.SHA256 != "" }

// ArtifactSource answers the plan's lineage question: which file does an
// artifact() input name? The results branch satisfies it; cmd wires it.
type ArtifactSource interface {
	// LatestArtifact returns the file at path kept by the newest succeeded
	// run of experiment whose trial key is one of keys, or ok false when
	// no such run kept it.
	LatestArtifact(experiment string, keys []string, path string) (origin ArtifactOrigin, ok bool, err error)
}

// Package results keeps run records on the results branch: an orphan
// branch (assay/results unless assay.hcl names another) that only grows.
//
// # Layout
//
// Each run adds three files under runs/<experiment>/<key[0:2]>/<key>/:
//
//	<run-id>.json         the assay.run/v1 record (runner.Result)
//	<run-id>.series.json  the metric series (see encodeSeries)
//	<run-id>.log          the end of the log
//
// Files under runs/ are only ever added, never rewritten. Each commit of
// runs also adds an index segment under index/ (segment.go), the one
// folder where files are removed: by compaction. A record stays small because
// every clone of the repository may fetch the branch: each series keeps at
// most 1,000 points (first, last, and each bucket's minimum and maximum)
// with 4 significant digits of its largest value, written as differences;
// the log keeps its last 8 KiB (64 KiB for a run that did not succeed).
// A realistic run (three 500-step series, a few KiB of log) packs to about
// 3.6 KiB. project { results_repo = "URL" } keeps the branch in another
// repository instead; its local copy is the bare repository
// .git/assay/results.git, so the code repository's refs and objects are
// never touched.
//
// # Writing
//
// Deliver takes the runs that `assay run` left in the spool
// (.git/assay/spool) and commits them on the local results branch, one
// commit per batch of up to BatchSize runs, built in memory from the tip
// with go-git's object storage: no checkout, so the user's work tree and
// index are never touched. Runs leave the spool only once the commit that
// holds them is on the branch. Commit messages list the runs and carry
// Assay-Source-Commit, Assay-PR and Assay-Trigger trailers.
//
// # The outbox and the push protocol
//
// The outbox is the local results branch's commits ahead of its
// remote-tracking branch (refs/remotes/<remote>/<branch>): results that
// are recorded here but not yet on the remote. Sync pushes them and never
// forces: the remote moves the branch only if it is still at the tip the
// outbox was built on (git's compare-and-swap of the ref). When another
// writer got there first, Sync fetches the new tip, re-applies the same
// files on it (integrate) and pushes again, with full-jitter exponential
// backoff, until the push deadline (10 minutes). Re-applying a file the
// tip already has is a no-op, so a retry after a crash cannot duplicate a
// result; files others committed to the branch are kept. A remote that
// cannot be reached is tried a few times, then the results wait in the
// outbox and `assay sync` delivers them later. A repository with no
// remote keeps the branch locally.
//
// Every talk with the remote has a connect deadline (the connection and
// the first answer) and an idle deadline (any silence after it), from
// ASSAY_CONNECT_TIMEOUT and ASSAY_IDLE_TIMEOUT (15s and 60s; see
// deadline.go). go-git's own fetch cannot be given either, so the store
// speaks upload-pack itself (download), as it already did receive-pack:
// the pack it reads and the progress the remote sends keep the idle
// deadline at bay. A remote silent past a deadline is unreachable and is
// not tried again by the same Sync.
//
// The outbox ends at the remote tip this clone last fetched or pushed,
// remembered in refs/assay/seen/<branch> (a plain `git fetch` moves the
// remote-tracking ref too, so that ref cannot say). What lies below it was
// delivered: if the remote has since dropped or changed some of it, that
// is someone else's rewrite, which is reported (Correction) and followed,
// never undone, and this clone's copy is kept under
// refs/assay/original/<branch>/<commit>. Pushes send only the objects the
// outbox's commits added, so a push costs the batch, not the branch.
//
// Fetch moves only the remote-tracking ref, then puts the outbox back on
// top of the new tip; the user's branches are never touched. Remotes are
// reached through go-git: file paths and file:// (go-git runs git's
// upload-pack and receive-pack for those, as git does), git://, ssh (the
// ssh agent) and https, where GITHUB_TOKEN is sent as GitHub expects it
// (basic auth, user x-access-token) to github.com or the host of
// GITHUB_SERVER_URL only. A flock on .git/assay/results.lock keeps two
// assay processes of one clone from moving the refs at once.
//
// # Reading
//
// Reads go through an index keyed by the branch tip, kept under
// .git/assay/index as a cache of what the branch carries (index_cache.go):
// the branch's index segments, byte for byte, and a small manifest (the
// tip, which segments, the records the history overrules, the entries of
// records no segment covers). The index at a tip is the segments merged
// in run id order (index_merge.go), so a fresh clone's first read
// (segments inflated from the pack) and every later one (the same bytes
// from files) read the same structure, and keeping the cache costs a
// copy, not an encoding. Which records the segments cover comes from the
// first-parent history (index_segments.go); the records no good segment
// covers are read, and a branch without segments is read record by
// record. When the tip moves only the new commits are walked. Every file
// has a checksum: a damaged segment file is read again from the branch,
// a damaged manifest rebuilt. A corrupt record, or one of a schema this
// assay does not read, is kept in the index as a Warning naming its path,
// so every later reader knows of it too; the commands whose answer
// depends on such a
// record turn it into an *UnreadableError (see Unreadable) rather than
// treat the run as missing. Store.Index returns
// every run; Store.Scan goes through the merge one run at a time without
// building it, which is what queries over many runs use (see the
// query package). Store.Recorded answers the plan's question (does a key
// have a succeeded run?) and Store.Run reads one run by a unique prefix of
// its id. Artifacts are too big for the branch: when a run is recorded
// its manifest's files and its full log are uploaded to the artifact store
// (reporter/artifacts; project { artifact_store }, .git/assay/blobs by
// default) and the record carries their URLs; the local copies move from
// the spool to .git/assay/artifacts/<run-id>. A file whose upload fails is
// marked pending in the record and queued in .git/assay/uploads; the next
// Deliver (assay sync, assay run) uploads it and adds <run-id>.uploads
// beside the record, which RunArtifacts reads. LatestArtifact answers the
// plan's lineage question (runner.ArtifactSource).
package results

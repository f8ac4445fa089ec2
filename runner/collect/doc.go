// Package collect gathers what a finished trial leaves behind for its
// record: the files its artifacts globs match and everything it wrote to
// ASSAY_ARTIFACTS_DIR, each hashed (SHA-256) into the run's manifest, and
// the full log. Both executors (runner/local, runner/slurm) call Finish
// after a trial, whatever its status, so the record is complete when the
// run is spooled; the upload to the artifact store happens later, when
// the run is recorded (reporter/results), because the runner never
// imports the reporter.
//
// Files are streamed: a file a glob matched is copied into the artifacts
// directory and hashed in the same pass, a file the trial wrote there is
// hashed in one read, and nothing is ever held whole in memory.
//
// Nothing outside the workdir is kept. A glob that is absolute or climbs
// with ".." is refused (the spec refuses it first; this is the guard for
// records built otherwise), and a match that leads outside the workdir
// through a symlink is refused with a warning that names the link and
// its target. The files are opened through an os.Root of the workdir, so
// the check is the kernel's view of the path at the moment it is read,
// not a string comparison. A symlink the trial left in its artifacts
// directory is replaced by a copy of its target when that target lies
// inside the directory, and refused otherwise.
//
// Only regular files (and the directories holding them) are kept. A FIFO,
// socket or device that a glob matches or the trial leaves in its
// artifacts directory is skipped with a warning naming what it is; files
// are classified before they are opened and opened with O_NONBLOCK, so a
// FIFO without a writer can never hang assay. A hard link is another
// name of a file that may live elsewhere (a trial can link
// ~/.aws/credentials into its workdir), so a file with more than one link
// is kept only when all its links lie inside the workdir (or inside the
// artifacts directory, for what the trial wrote there); the tree is
// walked to count them only when such a file turns up.
package collect

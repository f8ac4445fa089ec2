// Package artifacts is the artifact store: files kept from runs, too big
// for the results branch, in a blob store the team already has.
//
// # Where
//
// project { artifact_store = "URL" } names the store as gocloud.dev/blob
// takes it: file:///shared/disk/assay, s3://bucket/prefix?region=eu-west-1,
// gs://bucket/prefix, azblob://container/prefix. A path after the bucket
// is a prefix every object goes under (assay turns it into gocloud's
// prefix parameter); other query parameters go to gocloud's opener as they
// are, so an S3-compatible server is s3://bucket?endpoint=https://minio.lan&use_path_style=true.
// Credentials come from the environment the way each cloud's SDK reads
// them (AWS_*, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_*). Without
// the attribute the store is the directory .git/assay/blobs of the
// repository. A file:// directory must exist: a store that is not there
// is a mistake worth hearing about, not something to create silently.
//
// # Content addressing
//
// Every object is named by the SHA-256 of its bytes:
// sha256/<first two hex digits>/<all 64>. The same file from two runs is
// stored once, and Upload of an object already present reads nothing and
// writes nothing (one existence check). An upload streams the file with a
// bounded buffer (8 MiB parts, at most 4 in flight), hashing it again on
// the way; if the bytes no longer match the manifest the write is aborted
// before it completes, so an object's name always matches its content.
// Download streams into a temporary file beside the destination, checks
// size and SHA-256, and only then renames it into place: a damaged object
// never overwrites anything.
//
// # Browsable links
//
// BrowseURL gives a link a person can open for an object where the store
// has one: the S3 console for AWS buckets (the endpoint itself for
// S3-compatible servers), storage.cloud.google.com for GCS, the blob
// endpoint for Azure. A file store has none; its object URL (file://)
// is still in every manifest.
package artifacts

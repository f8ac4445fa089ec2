//go:build !assay_nos3

package artifacts

// The s3:// store. Its SDK adds about 18 MB to the binary; build with
// -tags assay_nos3 for a binary without it.
import _ "gocloud.dev/blob/s3blob"

//go:build !assay_nogcs

package artifacts

// The gs:// store. Its SDK adds about 30 MB to the binary; build with
// -tags assay_nogcs for a binary without it.
import _ "gocloud.dev/blob/gcsblob"

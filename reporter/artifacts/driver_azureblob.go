//go:build !assay_noazure

package artifacts

// The azblob:// store. Its SDK adds about 4 MB to the binary; build with
// -tags assay_noazure for a binary without it.
import _ "gocloud.dev/blob/azureblob"

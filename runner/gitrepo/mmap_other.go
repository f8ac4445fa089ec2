//go:build !unix

package gitrepo

import "os"

// mapFile reads a file whole where memory mapping is not available.
func mapFile(path string) ([]byte, func(), error) {
	b, err := os.ReadFile(path)
	return b, func() {}, err
}

//go:build !unix

package gitrepo

import (
	"fmt"
	"os"
)

// maxReadPack is the largest pack read whole where memory mapping is not
// available; larger ones are left to go-git.
const maxReadPack = 256 << 20

// mapFile reads a file whole where memory mapping is not available.
func mapFile(path string) ([]byte, func(), error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if info.Size() > maxReadPack {
		return nil, nil, fmt.Errorf("%s is too large to read whole", path)
	}
	b, err := os.ReadFile(path)
	return b, func() {}, err
}

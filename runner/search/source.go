package search

import "math/rand/v2"

// Source is the randomness of one proposal: a PCG generator whose seed
// is the sweep's seed and whose stream is the proposal's number, so a
// proposal's draws depend on nothing drawn before it.
type Source struct {
	pcg *rand.PCG
}

// NewSource returns the source of proposal n of a search seeded with seed.
func NewSource(seed int64, n int) *Source {
	return &Source{pcg: rand.NewPCG(uint64(seed), 0x7470650000000000^uint64(n))} // "tpe"
}

// Unit returns a number in [0, 1) from the generator's top 53 bits: the
// mapping is written out here so that it cannot change with Go.
func (s *Source) Unit() float64 { return float64(s.pcg.Uint64()>>11) / (1 << 53) }

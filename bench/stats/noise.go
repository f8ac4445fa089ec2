package main

import (
	"math"
	"math/rand/v2"
)

// The synthetic metrics: val_acc around 0.85 with a seed-to-seed spread σ
// of 0.01 (twice its 0.005 tolerance, so a 2σ drop is a regression by any
// reading), train_loss around 0.4 with σ = 0.02. Configs and experiments
// sit at different levels, as a sweep's do.
const (
	accMean, accSD   = 0.85, 0.01
	lossMean, lossSD = 0.40, 0.02
)

func accLevel(s *slot) float64  { return accMean + 0.003*float64(s.cfg) + 0.01*float64(s.exp%5) }
func lossLevel(s *slot) float64 { return lossMean - 0.004*float64(s.cfg) + 0.02*float64(s.exp%3) }

// noise draws a standardised seed-to-seed deviation.
type noise func(rng *rand.Rand) float64

func normal(rng *rand.Rand) float64 { return rng.NormFloat64() }

// studentT3 is Student's t with 3 degrees of freedom scaled to unit
// variance: heavy tails, as seeds that train badly now and then give.
func studentT3(rng *rand.Rand) float64 {
	z := rng.NormFloat64()
	chi := 0.0
	for range 3 {
		x := rng.NormFloat64()
		chi += x * x
	}
	return z / math.Sqrt(chi/3) / math.Sqrt(3)
}

// aa is an A/A change: both sides draw from the same distribution.
func aa(n noise) values {
	return func(rng *rand.Rand, s *slot) (float64, float64) {
		return accLevel(s) + accSD*n(rng), lossLevel(s) + lossSD*n(rng)
	}
}

// worse shifts val_acc of experiment exp at head by k σ against its goal
// (every config of it); everything else is A/A.
func worse(n noise, exp int, k float64) values {
	return func(rng *rand.Rand, s *slot) (float64, float64) {
		acc, loss := accLevel(s)+accSD*n(rng), lossLevel(s)+lossSD*n(rng)
		if s.head && s.exp == exp {
			acc -= k * accSD
		}
		return acc, loss
	}
}

// diverging makes a share p of seeds collapse (val_acc to 0.5, the loss to
// 2.3, chance on two classes), and shifts head's main mode of val_acc by k σ
// against its goal.
func diverging(p, k float64) values {
	return func(rng *rand.Rand, s *slot) (float64, float64) {
		if rng.Float64() < p {
			return 0.5, 2.3
		}
		acc, loss := accLevel(s)+accSD*rng.NormFloat64(), lossLevel(s)+lossSD*rng.NormFloat64()
		if s.head {
			acc -= k * accSD
		}
		return acc, loss
	}
}

// discrete is accuracy on examples test examples at true accuracy p: a
// multiple of 1/examples, as a classifier's is.
func discrete(examples int, p float64) values {
	return func(rng *rand.Rand, s *slot) (float64, float64) {
		k := 0
		for range examples {
			if rng.Float64() < p {
				k++
			}
		}
		return float64(k) / float64(examples), lossLevel(s) + lossSD*rng.NormFloat64()
	}
}

package related

import (
	"encoding/binary"
	"hash/fnv"
	"math"
)

// SigSize is the number of hash functions in a MinHash signature.
const SigSize = 64

// Signature is a MinHash signature of a text's word pairs.
type Signature [SigSize]uint32

// MinHash returns the signature of the set of adjacent word pairs in words.
// Pairs, not single words, so that two stories on one topic differ while
// two copies of one story with a few words changed still match.
func MinHash(words []string) Signature {
	var sig Signature
	for i := range sig {
		sig[i] = math.MaxUint32
	}
	h := fnv.New64a()
	for i := 0; i+1 < len(words); i++ {
		h.Reset()
		h.Write([]byte(words[i]))
		h.Write([]byte{' '})
		h.Write([]byte(words[i+1]))
		x := h.Sum64()
		for j := range sig {
			if v := uint32(mix(x+uint64(j)*0x9e3779b97f4a7c15) >> 32); v < sig[j] {
				sig[j] = v
			}
		}
	}
	return sig
}

// mix is SplitMix64's finalizer: each seed gives an independent hash.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Similarity estimates the Jaccard similarity of the two word-pair sets.
func (s *Signature) Similarity(o Signature) float64 {
	same := 0
	for i := range s {
		if s[i] == o[i] && s[i] != math.MaxUint32 {
			same++
		}
	}
	return float64(same) / SigSize
}

// Bytes encodes the signature for storage.
func (s *Signature) Bytes() []byte {
	b := make([]byte, 4*SigSize)
	for i, v := range s {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return b
}

// SignatureFrom decodes a signature written by Bytes; a malformed one
// decodes to an empty signature that matches nothing.
func SignatureFrom(b []byte) Signature {
	var s Signature
	for i := range s {
		if len(b) < 4*SigSize {
			s[i] = math.MaxUint32
			continue
		}
		s[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return s
}

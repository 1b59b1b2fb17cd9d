package alert

import (
	"slices"

	"github.com/prometheus/common/model"
)

// FNV-1a, 64 bits: the hash behind model.LabelSet.Fingerprint.
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// Fingerprint returns the fingerprint of a label set: FNV-1a over the label
// names in sorted order, each name and value followed by the byte 0xff. It is
// the value of ls.Fingerprint() from prometheus/common/model, computed
// without allocating for sets of up to 32 labels.
func Fingerprint(ls model.LabelSet) model.Fingerprint {
	var buf [32]model.LabelName
	names := buf[:0]
	for name := range ls {
		names = append(names, name)
	}
	slices.Sort(names)

	h := uint64(fnvOffset64)
	for _, name := range names {
		h = fnvString(h, string(name))
		h = fnvByte(h, model.SeparatorByte)
		h = fnvString(h, string(ls[name]))
		h = fnvByte(h, model.SeparatorByte)
	}
	return model.Fingerprint(h)
}

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime64
	}
	return h
}

func fnvByte(h uint64, b byte) uint64 {
	h ^= uint64(b)
	h *= fnvPrime64
	return h
}

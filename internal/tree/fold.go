package tree

import (
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Fold is the name a disk that ignores case and Unicode normalization
// (macOS, Windows) sees for p: two paths with the same Fold are one file
// there. It folds case fully (ſ is s, ς is σ, K the Kelvin sign is k),
// not only to lower case, and composes accents (é typed as e and U+0301
// is é).
func Fold(p string) string {
	return norm.NFC.String(cases.Fold().String(norm.NFC.String(p)))
}

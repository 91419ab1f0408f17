// Package release holds the tests of scaffold's own release
// configuration: .goreleaser.yaml and the GitHub workflows at the
// repository's root. It has no code of its own.
package release

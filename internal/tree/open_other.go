//go:build !unix

package tree

// nonBlocking is zero where the platform has no FIFOs that block an open.
const nonBlocking = 0

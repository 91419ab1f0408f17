package proc

import "sync"

// TailSize is how much of a command's output is kept for its error
// message: the end, where the error is.
const TailSize = 64 << 10

// Tail keeps the last Max bytes written to it. It is safe for concurrent
// use, so a command's output can be collected while it runs.
type Tail struct {
	Max int // 0 means TailSize

	mu      sync.Mutex
	buf     []byte
	dropped int64
}

func (t *Tail) max() int {
	if t.Max <= 0 {
		return TailSize
	}
	return t.Max
}

// Write keeps the end of p; it never fails.
func (t *Tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	max := t.max()
	t.buf = append(t.buf, p...)
	// Trim only when twice the size, so writes cost O(1) amortized.
	if len(t.buf) > 2*max {
		cut := len(t.buf) - max
		t.dropped += int64(cut)
		t.buf = append(t.buf[:0], t.buf[cut:]...)
	}
	return len(p), nil
}

// Bytes returns a copy of the last Max bytes written, and how many bytes
// before them were dropped.
func (t *Tail) Bytes() ([]byte, int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buf
	dropped := t.dropped
	if max := t.max(); len(b) > max {
		dropped += int64(len(b) - max)
		b = b[len(b)-max:]
	}
	return append([]byte(nil), b...), dropped
}

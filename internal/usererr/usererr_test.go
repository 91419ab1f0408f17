package usererr

import (
	"errors"
	"fmt"
	"testing"
)

func TestWrap(t *testing.T) {
	if Wrap(nil) != nil {
		t.Error("Wrap(nil) is not nil")
	}
	base := errors.New("bad name")
	err := fmt.Errorf("template x: %w", Wrap(base))
	if !Is(err) || !errors.Is(err, base) || err.Error() != "template x: bad name" {
		t.Errorf("a wrapped user error: Is %v, errors.Is %v, %q", Is(err), errors.Is(err, base), err)
	}
	if Is(base) || Is(nil) {
		t.Error("an unmarked error is the user's")
	}
}

package source

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/mod/semver"
)

// Tags lists the tags of a git template's repository, newest version
// first: tags that are semantic versions (v1, v1.2.3) in descending
// order, then any others by name. It asks the remote; nothing is cloned.
func Tags(ctx context.Context, ref string, opts Options) ([]string, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	if r.Kind != Git {
		return nil, fmt.Errorf("template %s is not a git repository, so it has no tags", ref)
	}
	timeout, maxTime := opts.timeouts()
	ctx, cancel := context.WithTimeout(ctx, maxTime)
	defer cancel()
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	rm, err := newRemote(r, getenv, timeout, nil, policyOf(opts, getenv))
	if err != nil {
		return nil, err
	}
	rm.maxTime = maxTime
	defer rm.close()
	refs, err := rm.list(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var tags []string
	for _, ref := range refs {
		if !ref.Name().IsTag() {
			continue
		}
		name := strings.TrimSuffix(ref.Name().Short(), "^{}")
		if !seen[name] {
			seen[name] = true
			tags = append(tags, name)
		}
	}
	sort.Slice(tags, func(i, j int) bool {
		a, b := tags[i], tags[j]
		va, vb := semver.IsValid(a), semver.IsValid(b)
		switch {
		case va && vb:
			if c := semver.Compare(a, b); c != 0 {
				return c > 0
			}
			return a < b
		case va != vb:
			return va
		}
		return a < b
	})
	return tags, nil
}

// WithRev returns the canonical reference ref names, at another revision.
func WithRev(ref, rev string) (string, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return "", err
	}
	r.Rev = rev
	return r.String(), nil
}

package update

import (
	"testing"
)

// Secret paths are the user's whatever base and theirs hold: kept when on
// disk, reported when absent but rendered, never written by Apply, never
// in the new base; every other path is merged as usual.
func TestComputeWithSecrets(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, tree{
		".env":        file("API_TOKEN=tok_real\nEXTRA=ours\n"),
		"old.secret":  file("unchanged since the old base held it\n"),
		"README.md":   file("readme v1\n"),
		"link.secret": link("elsewhere"),
	})
	base := tree{"README.md": file("readme v1\n"), "old.secret": file("unchanged since the old base held it\n")}
	theirs := tree{
		".env":        file("API_TOKEN=\nREGION=eu\n"),
		"README.md":   file("readme v2\n"),
		"new.secret":  file("KEY=\n"),
		"link.secret": file("x\n"),
	}
	secret := []string{".env", "old.secret", "new.secret", "link.secret", "never/rendered", "../bad"}
	plan, err := ComputeWithSecrets(dir, render(base), render(theirs), secret, labels)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Change{}
	var order []string
	for _, c := range plan.Changes {
		got[c.Path] = c
		order = append(order, c.Path)
	}
	want := map[string]string{".env": SecretKept, "old.secret": SecretKept, "link.secret": SecretKept, "new.secret": SecretAbsent}
	for p, reason := range want {
		c, ok := got[p]
		if !ok || c.Action != Kept || !c.Secret || c.Reason != reason {
			t.Errorf("%s: %+v, want kept (%s)", p, c, reason)
		}
	}
	for _, p := range []string{"never/rendered", "../bad"} {
		if _, ok := got[p]; ok {
			t.Errorf("%s is in the plan", p)
		}
	}
	if c := got["README.md"]; c.Action != Updated || c.Secret {
		t.Errorf("README.md: %+v", c)
	}
	for i := 1; i < len(order); i++ {
		if order[i-1] > order[i] {
			t.Errorf("changes not sorted: %v", order)
		}
	}
	if u := plan.Unresolved(); len(u) != 0 {
		t.Errorf("Unresolved = %v", u)
	}

	if err := plan.Apply(dir); err != nil {
		t.Fatal(err)
	}
	after := readTree(t, dir)
	if after[".env"].data != "API_TOKEN=tok_real\nEXTRA=ours\n" || after["old.secret"].data == "" || after["link.secret"].link != "elsewhere" {
		t.Errorf("Apply touched a secret path: %v", after)
	}
	if _, ok := after["new.secret"]; ok {
		t.Errorf("Apply wrote new.secret")
	}
	if after["README.md"].data != "readme v2\n" {
		t.Errorf("README.md = %q", after["README.md"].data)
	}
	nb := plan.NewBase(render(base), render(theirs))
	for _, f := range nb {
		if f.Path != "README.md" {
			t.Errorf("the new base holds %s", f.Path)
		}
	}
	if len(nb) != 1 {
		t.Errorf("the new base: %v", nb)
	}
}

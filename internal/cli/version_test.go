package cli

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// runVersion runs the real scaffold version command with args, the
// given -ldflags stamps and build info.
func runVersion(t *testing.T, stampCommit, stampDate string, bi *debug.BuildInfo, args ...string) string {
	t.Helper()
	oldCommit, oldDate, oldRead := commit, date, readBuildInfo
	t.Cleanup(func() { commit, date, readBuildInfo = oldCommit, oldDate, oldRead })
	commit, date = stampCommit, stampDate
	readBuildInfo = func() (*debug.BuildInfo, bool) { return bi, bi != nil }
	f, out := testFactory(nil)
	f.Version = "v1.2.3"
	root := NewCmdRoot(f)
	root.SetArgs(append([]string{"version"}, args...))
	if err := root.Execute(); err != nil {
		t.Fatalf("scaffold version %v: %v", args, err)
	}
	return out.String()
}

func TestVersionFromLdflags(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "ffff"}, {Key: "vcs.modified", Value: "true"}}}
	got := runVersion(t, "abc123", "2026-12-01T10:00:00Z", bi)
	platform := runtime.GOOS + "/" + runtime.GOARCH
	want := "scaffold v1.2.3 (go1.26.8, " + platform + ")\ncommit:   abc123\nbuilt:    2026-12-01T10:00:00Z\ngo:       go1.26.8\nplatform: " + platform + "\n"
	if got != want {
		t.Errorf("scaffold version =\n%s\nwant\n%s", got, want)
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123456789abcdef"},
		{Key: "vcs.time", Value: "2026-11-30T08:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	var b Build
	if err := json.Unmarshal([]byte(runVersion(t, "", "", bi, "--json")), &b); err != nil {
		t.Fatal(err)
	}
	want := Build{Version: "v1.2.3", Commit: "0123456789abcdef", Date: "2026-11-30T08:00:00Z", Modified: true,
		GoVersion: "go1.26.8", Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if b != want {
		t.Errorf("scaffold version --json = %+v, want %+v", b, want)
	}
	if got := runVersion(t, "", "", bi); !strings.Contains(got, "commit:   0123456789abcdef (with uncommitted changes)\n") {
		t.Errorf("scaffold version = %q, want the commit marked modified", got)
	}
}

func TestVersionWithNothingKnown(t *testing.T) {
	got := runVersion(t, "", "", nil)
	if !strings.Contains(got, "commit:   unknown\nbuilt:    unknown\n") || !strings.Contains(got, runtime.Version()) {
		t.Errorf("scaffold version = %q, want unknown commit and date and this Go", got)
	}
}

package template

import "testing"

// Every name Windows takes for a device, whatever its case, extension or
// the spaces before the extension, is refused; names that only start like
// one are not.
func TestCheckPathWindowsDevices(t *testing.T) {
	for _, p := range []string{"com¹.txt", "LPT³", "CONIN$", "conout$.log", "nul .txt", "src/Com0.go", "lpt0", "aux .tar.gz"} {
		if err := CheckPath(p); err == nil {
			t.Errorf("CheckPath(%q) = nil, want a Windows device name refused", p)
		}
	}
	for _, p := range []string{"console.txt", "com10", "lpt", "conin", "nullable.go", "com4you"} {
		if err := CheckPath(p); err != nil {
			t.Errorf("CheckPath(%q) = %v, want it accepted", p, err)
		}
	}
}

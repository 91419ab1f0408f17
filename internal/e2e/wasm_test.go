package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A WebAssembly template (kind wasm) is built with a toolchain that has
// the wasm32-unknown-unknown standard library, lld and the wasm-bindgen
// CLI: .ci/wasm-toolchain fetches one (Debian sid's, patched to run here)
// and .ci/run names its folder in SCAFFOLD_WASM_TOOLCHAIN. Its bin/ goes
// first on PATH for the wasm templates only; the other Rust templates keep
// the machine's toolchain.

func init() {
	stackChecks["rust"] = append(stackChecks["rust"], checkWasmBindgenPins)
}

// wasmEnv is what the commands of a wasm template's proof add to their
// environment: the toolchain's bin/ first on PATH.
func wasmEnv(t *testing.T) []string {
	dir := os.Getenv("SCAFFOLD_WASM_TOOLCHAIN")
	missing := func(msg string) {
		msg += " (.ci/run sets it: export SCAFFOLD_WASM_TOOLCHAIN=$(.ci/wasm-toolchain | tail -n 1))"
		if mode == "strict" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED LOUDLY: " + msg)
	}
	if dir == "" {
		missing("SCAFFOLD_WASM_TOOLCHAIN is not set, so there is no Rust toolchain for wasm32-unknown-unknown")
	}
	bin := filepath.Join(dir, "bin")
	for _, tool := range []string{"cargo", "rustc", "cargo-clippy", "rustfmt", "wasm-bindgen"} {
		if _, err := os.Stat(filepath.Join(bin, tool)); err != nil {
			missing("SCAFFOLD_WASM_TOOLCHAIN=" + dir + " has no " + tool + " in bin/")
		}
	}
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	stdout, out, err := run(bin, append(os.Environ(), env...), "sh", "-c", "rustc --print sysroot && rustc --version && wasm-bindgen --version && node --version")
	if err != nil {
		t.Fatalf("the wasm toolchain in %s does not run: %v\n%s", dir, err, out)
	}
	sysroot, versions, _ := strings.Cut(string(stdout), "\n")
	if _, err := os.Stat(filepath.Join(sysroot, "lib", "rustlib", "wasm32-unknown-unknown", "lib")); err != nil {
		t.Fatalf("the wasm toolchain's rustc (sysroot %s) has no wasm32-unknown-unknown standard library: %v", sysroot, err)
	}
	t.Logf("wasm toolchain from %s: %s", dir, strings.ReplaceAll(strings.TrimSpace(versions), "\n", ", "))
	return env
}

// isWasmCrate tells a WebAssembly crate by its Cargo.toml.
func isWasmCrate(cargoToml []byte) bool {
	return regexp.MustCompile(`(?m)^wasm-bindgen\s*=`).Match(cargoToml)
}

// checkWasmBindgenPins fails unless the wasm-bindgen version is the same
// everywhere it is named: pinned exactly in Cargo.toml, locked in
// Cargo.lock, installed in CI and in the README, and the CLI on PATH
// (which refuses a module made by another version).
func checkWasmBindgenPins(t *testing.T, where, dir string, env []string) {
	cargoToml, err := os.ReadFile(filepath.Join(dir, "Cargo.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !isWasmCrate(cargoToml) {
		return
	}
	m := regexp.MustCompile(`(?m)^wasm-bindgen\s*=\s*"=([0-9.]+)"`).FindSubmatch(cargoToml)
	if m == nil {
		t.Errorf("%s: step wasm-bindgen: Cargo.toml does not pin wasm-bindgen exactly (\"=X.Y.Z\"): the CLI must be the crate's version", where)
		return
	}
	want := string(m[1])
	lock, err := os.ReadFile(filepath.Join(dir, "Cargo.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^name = "wasm-bindgen"\nversion = "` + regexp.QuoteMeta(want) + `"$`).Match(lock) {
		t.Errorf("%s: step wasm-bindgen: Cargo.lock does not lock wasm-bindgen %s", where, want)
	}
	stdout, out, err := run(dir, env, "wasm-bindgen", "--version")
	if err != nil || strings.TrimSpace(string(stdout)) != "wasm-bindgen "+want {
		t.Errorf("%s: step wasm-bindgen: the CLI on PATH says %q (%v), Cargo.toml pins %s", where, strings.TrimSpace(string(out)), err, want)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "cargo install wasm-bindgen-cli --version "+want+" --locked") {
		t.Errorf("%s: step wasm-bindgen: README.md does not install wasm-bindgen-cli %s", where, want)
	}
	if ci, err := os.ReadFile(filepath.Join(dir, ".github", "workflows", "ci.yml")); err == nil {
		if !regexp.MustCompile(`(?m)^\s*WASM_BINDGEN_VERSION:\s*"?` + regexp.QuoteMeta(want) + `"?\s*$`).Match(ci) {
			t.Errorf("%s: step wasm-bindgen: ci.yml does not install wasm-bindgen %s (WASM_BINDGEN_VERSION)", where, want)
		}
	}
	t.Logf("%s: wasm-bindgen %s in Cargo.toml, Cargo.lock, the CLI and what the project installs", where, want)
}

package e2e

import "testing"

// A stackCheck is a language's own check of a project that was generated
// and passed scaffold verify: where names the project in messages, dir
// is its folder and env the environment its commands run with. Each
// language's file registers its checks in an init function.
type stackCheck func(t *testing.T, where, dir string, env []string)

var stackChecks = map[string][]stackCheck{}

// A runtime is one version of a language's toolchain that the proof
// runs the language's templates on.
type runtime struct {
	// name tells the runtime apart in test and project names ("node22");
	// empty for the toolchain on PATH.
	name string
	// env is added to the environment of every command (PATH first).
	env []string
	// all runs every answer set on the runtime; otherwise only the first.
	all bool
}

// runtimes gives, per language, the toolchain versions the proof runs
// on; a language with no entry runs every set on the toolchain on PATH.
var runtimes = map[string]func(t *testing.T) []runtime{}

func runtimesOf(t *testing.T, language string) []runtime {
	if f, ok := runtimes[language]; ok {
		return f(t)
	}
	return []runtime{{all: true}}
}

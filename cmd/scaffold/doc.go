// Scaffold starts backend projects that install, build, pass their own
// tests and lint, start, and answer HTTP on the first try.
//
// It asks what the project is for, recommends a stack (Node.js with Express
// or Fastify, Go with chi, Rust with Axum) by explicit rules and says why,
// renders a repository from a template and makes the first git commit.
//
// Usage:
//
//	scaffold new NAME [flags]     create ./NAME (asks what it must; flags answer ahead)
//	scaffold recommend [flags]    only the decision: which stack, and why
//	scaffold list                 the templates it knows
//	scaffold verify [DIR]         prove a generated project installs, tests, builds and serves
//	scaffold update [DIR]         merge the template's newer version into the project
//	scaffold check [DIR]          is a newer template version out, and what drifted
//	scaffold version | completion SHELL | help
//
// # Example
//
// In a terminal, answer the questions:
//
//	scaffold new myapp
//
// In CI, with no terminal, answer them with flags:
//
//	scaffold new myapp --goal performance --goal concurrency --yes
//	scaffold new api --template go/chi --set module=example.com/acme/api --yes
//
// Without a terminal nothing waits for input: a question with no answer is
// an error that names the flag answering it. Exit codes: 0 done, 1 failed,
// 2 bad usage or input, 3 update left conflicts, 4 check found a newer
// template, 130 interrupted.
package main

//! The built binary, run as a user runs it: arguments, standard input, exit
//! code and the two output streams.

// clippy.toml lets #[test] functions unwrap; the helpers here may too: a
// panic in them is a failed test.
#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test helper fails the test"
)]

use std::fs;
use std::path::PathBuf;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

const NAME: &str = env!("CARGO_PKG_NAME");

/// The binary, with no colour settings of the caller's environment.
fn cmd() -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!();
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

/// A file in a folder cargo gives integration tests for scratch files.
fn scratch(name: &str, content: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    fs::write(&path, content).unwrap();
    path
}

#[test]
fn help_names_the_commands() {
    cmd()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("count").and(predicate::str::contains("completion")))
        .stderr("");
}

#[test]
fn version_is_one_line() {
    cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("{NAME} {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn counts_standard_input() {
    cmd()
        .arg("count")
        .write_stdin("one two\nthree\n")
        .assert()
        .success()
        .stdout("2 lines, 3 words, 14 bytes\n")
        .stderr("");
}

#[test]
fn counts_a_file() {
    let path = scratch("counts_a_file.txt", "a line\n");
    cmd()
        .arg("count")
        .arg(&path)
        .assert()
        .success()
        .stdout("1 line, 2 words, 7 bytes\n");
    cmd()
        .args(["count", "--json"])
        .arg(&path)
        .assert()
        .success()
        .stdout("{\"lines\":1,\"words\":2,\"bytes\":7}\n");
}

#[test]
fn a_missing_file_exits_1() {
    cmd()
        .args(["count", "no-such-file.txt"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with(format!(
            "{NAME}: cannot open no-such-file.txt: "
        )));
}

#[test]
fn an_unknown_flag_exits_2() {
    cmd()
        .args(["count", "--bogus"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("unexpected argument '--bogus'"));
}

#[test]
fn completion_prints_a_script() {
    cmd()
        .args(["completion", "bash"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("complete -F _")
                .and(predicate::str::contains(format!(" -o default {NAME}\n"))),
        );
}

#[test]
fn no_color_wins_over_clicolor_force() {
    let escape = predicate::str::contains("\x1b[");
    cmd()
        .arg("--help")
        .env("CLICOLOR_FORCE", "1")
        .assert()
        .success()
        .stdout(escape.clone());
    cmd()
        .arg("--help")
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .assert()
        .success()
        .stdout(escape.not());
}

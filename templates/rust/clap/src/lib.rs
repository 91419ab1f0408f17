//! The command line of this tool: its commands, their arguments, and what
//! each exit code means. `main.rs` only hands [`run`] the process's
//! arguments and standard streams, so tests can run the whole program in
//! process with buffers instead.

pub mod count;

use std::error::Error as _;
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueHint};
use clap_complete::Shell;

/// The program's name in help, `--version` and error messages: the
/// package's, which is also the binary's.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The command failed, e.g. a file could not be read.
const EXIT_FAILURE: u8 = 1;
/// A command line the program does not take (clap's own code for it).
const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = NAME,
    version,
    about = "Count lines, words and bytes",
    long_about = "Count the lines, words and bytes of a file or of standard input.",
    after_help = "Exit codes: 0 ok, 1 failure (a file that cannot be read), 2 usage \
                  (an unknown command or flag, a wrong number of arguments)."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Count the lines, words and bytes of FILE or standard input
    #[command(
        long_about = "Count the lines, words and bytes of FILE, or of standard input when \
                      FILE is missing or \"-\". Lines are newline characters, as wc -l \
                      counts them; words are runs of characters that are not white space.",
        after_help = concat!(
            "Examples:\n  printf 'one two\\nthree\\n' | ",
            env!("CARGO_PKG_NAME"),
            " count\n  ",
            env!("CARGO_PKG_NAME"),
            " count --json README.md"
        )
    )]
    Count {
        /// The file to count; standard input when missing or "-"
        #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
        file: Option<PathBuf>,
        /// Print {"lines":N,"words":N,"bytes":N} instead
        #[arg(long)]
        json: bool,
    },
    /// Print the shell completion script for SHELL
    #[command(after_help = concat!(
        "Example, for bash:\n  ",
        env!("CARGO_PKG_NAME"),
        " completion bash > ~/.local/share/bash-completion/completions/",
        env!("CARGO_PKG_NAME")
    ))]
    Completion {
        /// The shell to complete in
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// What can make a command fail: exit code 1, and `NAME: message` on
/// standard error, with the causes after the message.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot open {}", .path.display())]
    Open { path: PathBuf, source: io::Error },
    #[error("cannot read {name}")]
    Read { name: String, source: io::Error },
    #[error("cannot write to standard output")]
    Write(#[source] io::Error),
}

/// Runs the program: `args` with the program name first, as
/// [`std::env::args_os`] gives them, and the standard streams. Output is
/// written with colour escapes; `main` hands in streams that drop them
/// unless the stream is a terminal and `NO_COLOR` is unset (anstream's
/// rules), and tests hand in buffers.
pub fn run<I, T>(
    args: I,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        // --help and --version arrive here too: clap knows which stream
        // each message goes to, and its exit code (0, or 2 for usage).
        Err(err) => {
            let text = err.render().ansi().to_string();
            // Nothing is left to tell a failed write to.
            let _ = if err.use_stderr() {
                emit(stderr, &text)
            } else {
                emit(stdout, &text)
            };
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(EXIT_USAGE));
        }
    };
    match execute(cli, stdin, stdout) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped early (`| head`) is not worth a message.
        Err(Error::Write(err)) if err.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::from(EXIT_FAILURE)
        }
        Err(err) => {
            let mut message = err.to_string();
            let mut cause = err.source();
            while let Some(c) = cause {
                message = format!("{message}: {c}");
                cause = c.source();
            }
            let _ = emit(stderr, &format!("{NAME}: {message}\n"));
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn execute(cli: Cli, stdin: &mut dyn Read, stdout: &mut dyn Write) -> Result<(), Error> {
    let output = match cli.command {
        // No command: the help, as --help shows it.
        None => Cli::command().render_long_help().ansi().to_string(),
        Some(Command::Count { file, json }) => {
            let counts = match file {
                Some(path) if path.as_os_str() != "-" => {
                    let file = File::open(&path).map_err(|source| Error::Open {
                        path: path.clone(),
                        source,
                    })?;
                    count::count(file).map_err(|source| Error::Read {
                        name: path.display().to_string(),
                        source,
                    })?
                }
                _ => count::count(stdin).map_err(|source| Error::Read {
                    name: "standard input".to_owned(),
                    source,
                })?,
            };
            if json {
                format!("{}\n", counts.to_json())
            } else {
                format!("{counts}\n")
            }
        }
        Some(Command::Completion { shell }) => {
            // clap_complete panics when its writer fails: give it a buffer.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), NAME, &mut script);
            stdout.write_all(&script).map_err(Error::Write)?;
            return stdout.flush().map_err(Error::Write);
        }
    };
    emit(stdout, &output).map_err(Error::Write)
}

fn emit(out: &mut dyn Write, text: &str) -> io::Result<()> {
    out.write_all(text.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the program in process: exit code, stdout, stderr, colour
    /// escapes removed.
    fn run_with(args: &[&str], stdin: &str) -> (ExitCode, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(
            std::iter::once(NAME).chain(args.iter().copied()),
            &mut stdin.as_bytes(),
            &mut out,
            &mut err,
        );
        let text =
            |b: Vec<u8>| anstream::adapter::strip_str(&String::from_utf8(b).unwrap()).to_string();
        (code, text(out), text(err))
    }

    #[test]
    fn verifies_the_command_line_definition() {
        Cli::command().debug_assert();
    }

    #[test]
    fn counts_standard_input() {
        let (code, out, err) = run_with(&["count"], "one two\nthree\n");
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (ExitCode::SUCCESS, "2 lines, 3 words, 14 bytes\n", "")
        );
        let (code, out, _) = run_with(&["count", "-", "--json"], "one two\nthree\n");
        assert_eq!(
            (code, out.as_str()),
            (
                ExitCode::SUCCESS,
                "{\"lines\":2,\"words\":3,\"bytes\":14}\n"
            )
        );
    }

    #[test]
    fn a_missing_file_fails_with_its_name() {
        let (code, out, err) = run_with(&["count", "no-such-file.txt"], "");
        assert_eq!(code, ExitCode::from(EXIT_FAILURE));
        assert_eq!(out, "");
        assert!(
            err.starts_with(&format!("{NAME}: cannot open no-such-file.txt: ")),
            "stderr: {err}"
        );
    }

    #[test]
    fn usage_errors_exit_2() {
        for args in [
            &["--bogus"][..],
            &["count", "--bogus"],
            &["count", "a", "b"],
            &["cuont"],
            &["completion", "tcsh"],
        ] {
            let (code, out, err) = run_with(args, "");
            assert_eq!(code, ExitCode::from(EXIT_USAGE), "args {args:?}");
            assert_eq!(out, "", "args {args:?}");
            assert!(err.starts_with("error: "), "args {args:?}: {err}");
        }
    }

    #[test]
    fn help_and_version_go_to_stdout() {
        for args in [&[][..], &["--help"], &["help"]] {
            let (code, out, err) = run_with(args, "");
            assert_eq!(code, ExitCode::SUCCESS, "args {args:?}");
            assert!(
                out.contains("count") && out.contains("completion"),
                "args {args:?}: {out}"
            );
            assert_eq!(err, "");
        }
        let (code, out, _) = run_with(&["--version"], "");
        assert_eq!(code, ExitCode::SUCCESS);
        assert_eq!(out, format!("{NAME} {}\n", env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn prints_completion_scripts() {
        for shell in ["bash", "elvish", "fish", "powershell", "zsh"] {
            let (code, out, _) = run_with(&["completion", shell], "");
            assert_eq!(code, ExitCode::SUCCESS, "{shell}");
            assert!(out.contains(NAME), "{shell}");
        }
    }
}

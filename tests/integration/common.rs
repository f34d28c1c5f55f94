//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// Path of a file under the repository root.
pub(crate) fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

/// Bytes of a file under the repository root.
pub(crate) fn read(path: &str) -> Vec<u8> {
    std::fs::read(repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Text of a file under the repository root.
pub(crate) fn text(path: &str) -> String {
    String::from_utf8(read(path)).unwrap()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A temporary directory holding a copy of a key file with mode 0600
/// (git does not keep file modes, so checked-in keys are copied first).
pub(crate) fn private_copy(path: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join(repo(path).file_name().unwrap());
    std::fs::copy(repo(path), &dest).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    (dir, dest)
}

/// The path of a workspace binary, built (once per test run) by the same
/// cargo that runs the tests: binaries of other packages are not rebuilt by
/// `cargo test` on their own, and a stale binary would test old code.
pub(crate) fn bin(name: &str) -> PathBuf {
    static BUILD: std::sync::Once = std::sync::Once::new();
    BUILD.call_once(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = std::process::Command::new(cargo);
        // Without the variables cargo set for this test binary (its package's name,
        // version, directory): build scripts that read them (ring's) tell cargo to
        // rebuild when they change, so with them this build and the next `cargo test`
        // would each rebuild ring and what depends on it, in turn.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if name.starts_with("CARGO_PKG_")
                || name.starts_with("CARGO_MANIFEST_")
                || [
                    "CARGO_CRATE_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                ]
                .contains(&name.as_ref())
            {
                command.env_remove(name.as_ref());
            }
        }
        let status = command
            .args([
                "build",
                "--quiet",
                "--bins",
                "-p",
                "microcred-signer",
                "-p",
                "microcred-verifier",
                "-p",
                "microcred-server",
            ])
            .current_dir(repo(""))
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build of the binaries failed");
    });
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo("target"));
    target
        .join("debug")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// An empty configuration directory, for `XDG_CONFIG_HOME` of every `microcred-verify`
/// the tests run: the verifier reads a trust list and status lists from
/// `$XDG_CONFIG_HOME/microcred/` (else `~/.config/microcred/`), and a developer's own
/// must not change what a test sees.
pub(crate) fn no_config() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    // One directory for every run (a temporary one per run would outlive it: statics are
    // never dropped); nothing is ever written into it.
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join("microcred-tests-empty-config");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

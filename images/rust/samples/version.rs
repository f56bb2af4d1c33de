// Rust has no run-time version query: ask the toolchain the program was built with.
use std::process::Command;

fn main() {
    let out = Command::new("rustc").arg("--version").output().expect("rustc runs");
    print!("{}", String::from_utf8_lossy(&out.stdout));
}

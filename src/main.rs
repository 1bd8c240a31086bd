#[cfg(target_arch = "wasm32")]
fn main() {
    lanyard::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Lanyard is a browser app: run `cargo xtask dev` (or `trunk serve`) to build it for wasm32.");
}

//! End-to-end tests of the dev backend over real HTTP on 127.0.0.1.
// Panicking on unexpected results is exactly what a test should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod bad_input;
mod binary;
mod cli;
mod common;
mod csrf;
mod hooks;
mod http_layer;
mod notes;
mod refresh;
mod shutdown;
mod static_files;
mod tls;

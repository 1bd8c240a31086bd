//! Driver tests: the real client over a model backend, a manual clock and fake tabs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bounds;
mod driver;
mod fakes;
mod props;
mod tabs;

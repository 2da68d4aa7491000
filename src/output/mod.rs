//! Outputs, from the analysis structs only: [`files`] (one run's results per folder, written
//! atomically), [`report`] (JSON, CSV, manifest), [`console`] (what is printed), [`plot`] (PNG and
//! SVG) and [`calibration`] (the calibration report).

pub mod calibration;
pub mod console;
pub mod files;
pub mod html;
pub mod lines;
pub mod plot;
pub mod report;

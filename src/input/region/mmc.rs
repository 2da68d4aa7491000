//! A single-station M/M/c model, for the benchmark and the tests against queueing theory.

/// A single-station M/M/c scenario: one zone of 10,000 inhabitants at the station (travel 0),
/// walk-in only, flat demand, `doctors` doctors around the clock, exponential consultations of
/// mean `mean_service_min`; `per_1000` are the red/yellow/green rates per 1000 per year. Used by
/// the benchmark and by the tests against queueing theory.
pub fn mmc_station_toml(doctors: u32, mean_service_min: f64, per_1000: [f64; 3]) -> String {
    let [r, y, g] = per_1000;
    format!(
        r#"
name = "M/M/{doctors} station"
[[zones]]
name = "here"
population = 10000
lat = 60.0
lon = 10.0
class = "urban"
[demand.calls_116117]
per_1000_per_year = {{ red = {r}, yellow = {y}, green = {g} }}
direct_attendance_share = {{ red = 1.0, yellow = 1.0, green = 1.0 }}
[[legevakt]]
name = "station"
lat = 60.0
lon = 10.0
open = [{{ days = "all", from = "00:00", to = "24:00" }}]
doctors = [{{ days = "all", from = "00:00", to = "24:00", count = {doctors} }}]
consultation_time_min = {{ dist = "exponential", mean = {mean_service_min} }}
home_visit_time_min = {{ dist = "constant", value = 30 }}
"#
    )
}

//! A synthetic OpenStreetMap road network for measuring `akuttsim travel-matrix` at scale.
//!
//! ```sh
//! cargo run --release --example osm_grid -- --cols 800 --rows 800 --out l.opl
//! osmium cat l.opl -o l.osm.pbf          # Debian: apt-get install osmium-tool
//! ```
//!
//! A jittered lattice of junctions (`--spacing` m apart, from 60° N 10° E) with `--shape` shape
//! points per segment; trunk roads every 50th line (maxspeed 90), primary every 10th, secondary
//! every 5th, the rest residential (10 % of them one-way, 12 % of their segments dropped). A
//! "fjord" two fifths of the way across is crossed by bridges every 400 rows and by ferries
//! (`route=ferry`, `duration=00:20`) every 40 rows. `--extra` untagged nodes per road node, in
//! building ways, stand for the buildings and addresses of a real extract. Written as OPL (osmium's
//! text format) with deterministic ids, versions and timestamps. No OpenStreetMap data.

use clap::Parser;
use std::fs::File;
use std::io::{BufWriter, Write};

#[derive(Parser)]
struct Args {
    /// Junctions per row.
    #[arg(long, default_value_t = 100)]
    cols: usize,
    /// Rows of junctions.
    #[arg(long, default_value_t = 100)]
    rows: usize,
    /// Shape points per segment.
    #[arg(long, default_value_t = 4)]
    shape: usize,
    /// Untagged (building) nodes per road node.
    #[arg(long, default_value_t = 3.0)]
    extra: f64,
    /// Junction spacing \[m\].
    #[arg(long, default_value_t = 150.0)]
    spacing: f64,
    /// The OPL file to write.
    #[arg(long)]
    out: std::path::PathBuf,
}

fn main() -> std::io::Result<()> {
    gen_grid(&Args::parse())
}

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn meta(id: u64) -> String {
    let h = id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    format!(
        "v{} dV c{} t20{:02}-{:02}-{:02}T12:00:00Z i{} uuser{}",
        1 + h % 7,
        1_000_000 + h % 90_000_000,
        10 + h % 15,
        1 + h % 12,
        1 + h % 28,
        h % 50_000,
        h % 50_000
    )
}

fn gen_grid(a: &Args) -> std::io::Result<()> {
    let (cols, rows, shape, extra, spacing, out) =
        (a.cols, a.rows, a.shape, a.extra, a.spacing, &a.out);
    let mut w = BufWriter::with_capacity(1 << 20, File::create(out)?);
    let mut rng = Rng(42);
    let (lat0, lon0) = (60.0f64, 10.0f64);
    let dlat = spacing / 111_195.0;
    let dlon = spacing / (111_195.0 * lat0.to_radians().cos());
    let fjord_col = cols * 2 / 5;

    let mut next_id = 1u64;
    let mut extra_ids: Vec<u64> = Vec::new();
    let mut extra_carry = 0.0;
    // Emits a road node, then its share of extra nodes; returns the road node id.
    let mut node =
        |w: &mut BufWriter<File>, rng: &mut Rng, lat: f64, lon: f64| -> std::io::Result<u64> {
            let id = next_id;
            next_id += 1;
            writeln!(w, "n{id} {} x{lon:.7} y{lat:.7}", meta(id))?;
            extra_carry += extra;
            while extra_carry >= 1.0 {
                extra_carry -= 1.0;
                let eid = next_id;
                next_id += 1;
                let (a, b) = (rng.unit() - 0.5, rng.unit() - 0.5);
                writeln!(
                    w,
                    "n{eid} {} x{:.7} y{:.7}",
                    meta(eid),
                    lon + a * dlon,
                    lat + b * dlat
                )?;
                extra_ids.push(eid);
            }
            Ok(id)
        };
    // Junction ids.
    let mut jid = vec![0u64; cols * rows];
    let mut jpos = vec![(0.0, 0.0); cols * rows];
    for r in 0..rows {
        for c in 0..cols {
            let lat = lat0 + r as f64 * dlat + (rng.unit() - 0.5) * 0.3 * dlat;
            let lon = lon0 + c as f64 * dlon + (rng.unit() - 0.5) * 0.3 * dlon;
            jpos[r * cols + c] = (lat, lon);
            jid[r * cols + c] = node(&mut w, &mut rng, lat, lon)?;
        }
    }
    // Segments: (from junction, to junction, shape ids), horizontal then vertical.
    let class_of = |line: usize| -> &'static str {
        if line.is_multiple_of(50) {
            "trunk"
        } else if line.is_multiple_of(10) {
            "primary"
        } else if line.is_multiple_of(5) {
            "secondary"
        } else {
            "residential"
        }
    };
    struct Seg {
        ids: Vec<u64>, // junction, shape..., junction
        keep: bool,
    }
    let mut lines: Vec<(String, Vec<Seg>)> = Vec::new();
    for horizontal in [true, false] {
        let (n_lines, n_segs) = if horizontal {
            (rows, cols - 1)
        } else {
            (cols, rows - 1)
        };
        for l in 0..n_lines {
            let class = class_of(l);
            let mut segs = Vec::with_capacity(n_segs);
            for s in 0..n_segs {
                let (a, b) = if horizontal {
                    (l * cols + s, l * cols + s + 1)
                } else {
                    (s * cols + l, (s + 1) * cols + l)
                };
                let (pa, pb) = (jpos[a], jpos[b]);
                let mut ids = vec![jid[a]];
                for k in 1..=shape {
                    let f = k as f64 / (shape + 1) as f64;
                    let wob = (rng.unit() - 0.5) * 0.1;
                    let lat = pa.0 + (pb.0 - pa.0) * f + wob * dlat;
                    let lon = pa.1 + (pb.1 - pa.1) * f + wob * dlon;
                    ids.push(node(&mut w, &mut rng, lat, lon)?);
                }
                ids.push(jid[b]);
                let in_fjord = horizontal && s == fjord_col;
                let keep = if in_fjord {
                    l % 400 == 0 // bridges
                } else {
                    class != "residential" || rng.unit() > 0.12
                };
                segs.push(Seg { ids, keep });
            }
            lines.push((class.to_string(), segs));
        }
    }
    // Ferry routes across the fjord (their own shape nodes).
    let mut ferries: Vec<Vec<u64>> = Vec::new();
    for r in (0..rows).step_by(40).skip(1) {
        let (a, b) = (r * cols + fjord_col, r * cols + fjord_col + 1);
        let (pa, pb) = (jpos[a], jpos[b]);
        let mut ids = vec![jid[a]];
        for k in 1..=3 {
            let f = k as f64 / 4.0;
            let lat = pa.0 + (pb.0 - pa.0) * f + 0.2 * dlat;
            ids.push(node(&mut w, &mut rng, lat, pa.1 + (pb.1 - pa.1) * f)?);
        }
        ids.push(jid[b]);
        ferries.push(ids);
    }
    // Ways: runs of kept segments, at most 8 segments per way.
    let mut way_id = 1u64;
    for (class, segs) in &lines {
        let mut run: Vec<u64> = Vec::new();
        let mut n_in_run = 0;
        let flush =
            |w: &mut BufWriter<File>, run: &mut Vec<u64>, rng: &mut Rng, way_id: &mut u64| {
                if run.len() >= 2 {
                    let mut tags = format!("highway={class}");
                    if class == "trunk" {
                        tags.push_str(",maxspeed=90");
                    } else if class == "residential" && rng.unit() < 0.1 {
                        tags.push_str(if rng.unit() < 0.5 {
                            ",oneway=yes"
                        } else {
                            ",oneway=-1"
                        });
                    }
                    let refs: Vec<String> = run.iter().map(|i| format!("n{i}")).collect();
                    writeln!(
                        w,
                        "w{} {} T{tags} N{}",
                        *way_id,
                        meta(*way_id),
                        refs.join(",")
                    )
                    .unwrap();
                    *way_id += 1;
                }
                run.clear();
            };
        for seg in segs {
            if !seg.keep || n_in_run == 8 {
                flush(&mut w, &mut run, &mut rng, &mut way_id);
                n_in_run = 0;
                if !seg.keep {
                    continue;
                }
            }
            if run.is_empty() {
                run.extend_from_slice(&seg.ids);
            } else {
                run.extend_from_slice(&seg.ids[1..]);
            }
            n_in_run += 1;
        }
        flush(&mut w, &mut run, &mut rng, &mut way_id);
    }
    for f in &ferries {
        let refs: Vec<String> = f.iter().map(|i| format!("n{i}")).collect();
        writeln!(
            w,
            "w{way_id} {} Troute=ferry,duration=00:20 N{}",
            meta(way_id),
            refs.join(",")
        )?;
        way_id += 1;
    }
    for b in extra_ids.chunks_exact(4) {
        writeln!(
            w,
            "w{way_id} {} Tbuilding=yes Nn{},n{},n{},n{},n{}",
            meta(way_id),
            b[0],
            b[1],
            b[2],
            b[3],
            b[0]
        )?;
        way_id += 1;
    }
    w.flush()?;
    eprintln!(
        "wrote {} nodes, {} ways to {}",
        next_id - 1,
        way_id - 1,
        out.display()
    );
    Ok(())
}

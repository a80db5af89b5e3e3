//! `cargo xtask bench photo`: processing one 12 MP phone photo (JPEG) and one 4000×3000 PNG
//! at the default settings: seconds, bytes in and out, thumbnail bytes. One JSON object per
//! line on stdout; human text on stderr.
//!
//! The inputs are synthetic (no camera here): smooth multi-scale shading, edges and sensor
//! noise, encoded as a phone does (JPEG quality 92), so their size is a phone photo's size.

use std::time::Instant;

use image::{Rgb, RgbImage};
use redvest_core::photo::process;
use redvest_shared::photo::PhotoSettings;
use serde_json::json;

/// xorshift: the same picture every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// A lattice of random values, bilinearly interpolated: one octave of "value noise".
fn octave(rng: &mut Rng, w: u32, h: u32, cell: u32) -> impl Fn(u32, u32) -> f32 {
    let (gw, gh) = (w / cell + 2, h / cell + 2);
    let grid: Vec<f32> = (0..gw * gh).map(|_| rng.unit()).collect();
    move |x, y| {
        let (fx, fy) = (x as f32 / cell as f32, y as f32 / cell as f32);
        let (ix, iy) = (fx as u32, fy as u32);
        let (tx, ty) = (fx - ix as f32, fy - iy as f32);
        let at = |i: u32, j: u32| grid[(j * gw + i) as usize];
        let top = at(ix, iy) * (1.0 - tx) + at(ix + 1, iy) * tx;
        let bottom = at(ix, iy + 1) * (1.0 - tx) + at(ix + 1, iy + 1) * tx;
        top * (1.0 - ty) + bottom * ty
    }
}

fn phone_picture(w: u32, h: u32) -> RgbImage {
    let mut rng = Rng(0x9e37_79b9_2026_1125);
    let octaves: Vec<_> = [600, 150, 40, 9].iter().map(|&c| octave(&mut rng, w, h, c)).collect();
    let tint = octave(&mut rng, w, h, 300);
    let mut noise = Rng(0x1234_5678);
    RgbImage::from_fn(w, h, |x, y| {
        let v = octaves[0](x, y) * 0.55 + octaves[1](x, y) * 0.25 + octaves[2](x, y) * 0.13 + octaves[3](x, y) * 0.07;
        // Hard edges, like walls, stalls and signs.
        let edge = if (v * 12.0).fract() < 0.08 { -0.25 } else { 0.0 };
        let t = tint(x, y);
        let base = (v + edge).clamp(0.0, 1.0) * 220.0 + 15.0;
        let mut grain = || (noise.next() % 7) as f32 - 3.0;
        Rgb([
            (base * (0.8 + 0.4 * t) + grain()).clamp(0.0, 255.0) as u8,
            (base + grain()).clamp(0.0, 255.0) as u8,
            (base * (1.2 - 0.4 * t) + grain()).clamp(0.0, 255.0) as u8,
        ])
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let settings = PhotoSettings::default();
    eprintln!("making a 4000×3000 test picture…");
    let picture = phone_picture(4000, 3000);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92).encode_image(&picture)?;
    let mut png = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut png, image::ImageFormat::Png)?;
    let png = png.into_inner();

    for (case, input) in [("jpeg_12mp", &jpeg), ("png_4000x3000", &png)] {
        let mut times = Vec::new();
        let mut out = None;
        for _ in 0..3 {
            let start = Instant::now();
            out = Some(process(input, &settings)?);
            times.push(start.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let out = out.ok_or("no run")?;
        let seconds = times[times.len() / 2];
        eprintln!(
            "{case}: {:.2} s (median of 3), {} → {} bytes, thumbnail {} bytes",
            seconds,
            input.len(),
            out.jpeg.len(),
            out.thumbnail.len()
        );
        println!(
            "{}",
            json!({
                "case": case,
                "seconds": seconds,
                "input_bytes": input.len(),
                "output_bytes": out.jpeg.len(),
                "thumbnail_bytes": out.thumbnail.len(),
                "ratio_input_over_output": input.len() as f64 / out.jpeg.len() as f64,
                "output_px": [out.width, out.height],
                "settings": { "long_edge_px": settings.long_edge_px, "jpeg_quality": settings.jpeg_quality, "thumbnail_px": settings.thumbnail_px },
                "threads": 1,
                "target": { "seconds_max": 1.5, "output_bytes_max": 400_000 },
            })
        );
    }
    Ok(())
}

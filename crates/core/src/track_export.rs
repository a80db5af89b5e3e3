//! GPX 1.1 and GeoJSON exports of a track, segments kept.

use chrono::SecondsFormat;
use redvest_shared::track::TrackPoint;
use serde_json::json;

fn segments(points: &[TrackPoint]) -> Vec<&[TrackPoint]> {
    points.chunk_by(|a, b| a.segment == b.segment).collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A GPX 1.1 document with one track and one `<trkseg>` per segment.
pub fn gpx(name: &str, points: &[TrackPoint]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <gpx version=\"1.1\" creator=\"Redvest\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n",
    );
    out.push_str(&format!("  <trk>\n    <name>{}</name>\n", escape(name)));
    for seg in segments(points) {
        out.push_str("    <trkseg>\n");
        for p in seg {
            out.push_str(&format!("      <trkpt lat=\"{:.7}\" lon=\"{:.7}\">", p.lat, p.lon));
            if let Some(a) = p.altitude_m {
                out.push_str(&format!("<ele>{a:.1}</ele>"));
            }
            out.push_str(&format!("<time>{}</time>", p.time.to_rfc3339_opts(SecondsFormat::Millis, true)));
            // GPX has no accuracy field; hdop is the closest standard slot and tools show it.
            out.push_str(&format!("<hdop>{:.1}</hdop></trkpt>\n", p.accuracy_m));
        }
        out.push_str("    </trkseg>\n");
    }
    out.push_str("  </trk>\n</gpx>\n");
    out
}

/// A GeoJSON FeatureCollection with one MultiLineString feature (one line per segment);
/// times and accuracies sit in the properties, parallel to the coordinates.
pub fn geojson(name: &str, points: &[TrackPoint]) -> String {
    let segs = segments(points);
    let coords: Vec<Vec<Vec<f64>>> = segs
        .iter()
        .map(|s| {
            s.iter()
                .map(|p| match p.altitude_m {
                    Some(a) => vec![p.lon, p.lat, a],
                    None => vec![p.lon, p.lat],
                })
                .collect()
        })
        .collect();
    let times: Vec<Vec<String>> =
        segs.iter().map(|s| s.iter().map(|p| p.time.to_rfc3339_opts(SecondsFormat::Millis, true)).collect()).collect();
    let accuracy: Vec<Vec<f64>> = segs.iter().map(|s| s.iter().map(|p| p.accuracy_m).collect()).collect();
    json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "geometry": { "type": "MultiLineString", "coordinates": coords },
            "properties": { "name": name, "times": times, "accuracy_m": accuracy }
        }]
    })
    .to_string()
}

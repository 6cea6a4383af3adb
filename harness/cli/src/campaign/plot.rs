//! The picture of a campaign: coverage and executions per second over time, one line per
//! fuzzer instance, coloured by engine, drawn as SVG with plotters.

use plotters::prelude::*;

use super::stats::{CampaignStats, Sample, Series};

const WIDTH: u32 = 900;
const HEIGHT: u32 = 640;

/// The SVG text of `stats`' plot. Each engine reports coverage in its own unit (libFuzzer:
/// edges of its counters; AFL++: edges of its map), so the legend names the unit.
pub fn svg(stats: &CampaignStats) -> anyhow::Result<String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let root = root.titled(&format!("{}: campaign", stats.target), ("sans-serif", 20)).map_err(draw_error)?;
        let (upper, lower) = root.split_vertically(HEIGHT / 2 - 10);
        panel(&upper, stats, "coverage", |s| s.coverage as f64)?;
        panel(&lower, stats, "exec/s", |s| s.exec_per_sec)?;
        root.present().map_err(draw_error)?;
    }
    Ok(text)
}

/// One chart: `value` of every series over time.
fn panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    stats: &CampaignStats,
    label: &str,
    value: impl Fn(&Sample) -> f64,
) -> anyhow::Result<()> {
    let samples = || stats.series.iter().flat_map(|s| s.samples.iter());
    let max_x = samples().map(|s| s.secs).fold(1.0, f64::max);
    let max_y = samples().map(&value).fold(1.0, f64::max) * 1.05;
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..max_x, 0.0..max_y)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_desc("seconds")
        .y_desc(label)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(draw_error)?;
    for (i, series) in stats.series.iter().enumerate() {
        let colour = colour(series, i);
        let points: Vec<(f64, f64)> = series.samples.iter().map(|s| (s.secs, value(s))).collect();
        // The last sample is also marked, so that a series of one sample (AFL++ writes its
        // plot rows once a minute) still shows.
        let last = points.last().copied();
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))
            .map_err(draw_error)?
            .label(legend(series))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
        chart.draw_series(last.map(|p| Circle::new(p, 3, colour.filled()))).map_err(draw_error)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(draw_error)?;
    Ok(())
}

/// libFuzzer in blues, AFL++ in reds, instances in shades.
fn colour(series: &Series, index: usize) -> RGBColor {
    let shade = (index % 4) as u8 * 40;
    match series.engine.as_str() {
        "afl" => RGBColor(200, shade, shade),
        _ => RGBColor(shade, shade / 2 + 60, 200),
    }
}

fn legend(series: &Series) -> String {
    let engine = match series.engine.as_str() {
        "afl" => "AFL++ (map edges)",
        "libfuzzer" => "libFuzzer (cov edges)",
        other => other,
    };
    format!("{engine} {}", series.instance)
}

fn draw_error<E: std::error::Error + Send + Sync + 'static>(e: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow::anyhow!("drawing the campaign plot: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_series_is_drawn_with_its_legend() {
        let sample = |secs: f64, coverage: u64| Sample { secs, execs: 10, coverage, exec_per_sec: 100.0 };
        let stats = CampaignStats {
            target: "seeded_parse".into(),
            series: vec![
                Series { engine: "libfuzzer".into(), instance: "single".into(), samples: vec![sample(0.0, 5), sample(3.0, 40)] },
                Series { engine: "afl".into(), instance: "main".into(), samples: vec![sample(1.0, 7), sample(2.0, 30)] },
            ],
        };
        let svg = svg(&stats).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{}", &svg[..80]);
        assert!(svg.contains("seeded_parse: campaign"));
        assert!(svg.contains("libFuzzer (cov edges) single") && svg.contains("AFL++ (map edges) main"));
        // Two panels, each with a line per series and its legend mark (axes are drawn thinner),
        // and the last sample of each series marked.
        let lines = svg.lines().filter(|l| l.starts_with("<polyline") && l.contains("stroke-width=\"2\"")).count();
        assert_eq!(lines, 8, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 4, "{svg}");
    }
}

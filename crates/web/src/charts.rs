//! Charts drawn on the server as SVG: light, readable on a phone, labelled in the user's
//! language, and needing no JavaScript. Every label is escaped here, since names of places and
//! organisations come from the database. Girls and boys are drawn as two shades of one bar, so
//! the chart says what the field's "N (nF)" says.

/// One bar: its label, the total and how many of it are girls (None where there is no sex).
pub struct Bar {
    pub label: String,
    pub total: i64,
    pub female: Option<i64>,
    /// The bar's figure as text ("42 (17F)", or saying what is hidden).
    pub text: String,
    /// The total alone, for narrow columns (the full text is the column's tooltip).
    pub short: String,
}

pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const WIDTH: i64 = 320;
const ROW: i64 = 34;

/// Horizontal bars, one per row with its label above: fits a phone's width and any label length.
pub fn bars(title: &str, bars: &[Bar]) -> String {
    let max = bars.iter().map(|b| b.total).max().unwrap_or(0).max(1);
    let height = ROW * bars.len() as i64 + 8;
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i as i64 * ROW;
        let w = (b.total * (WIDTH - 90) / max).max(if b.total > 0 { 2 } else { 0 });
        s.push_str(&format!("<text x=\"0\" y=\"{}\" class=\"label\">{}</text>", y + 12, esc(&b.label)));
        s.push_str(&format!("<rect x=\"0\" y=\"{}\" width=\"{w}\" height=\"14\" class=\"boys\"/>", y + 16));
        if let Some(f) = b.female {
            let fw = if b.total > 0 { f * w / b.total } else { 0 };
            s.push_str(&format!("<rect x=\"0\" y=\"{}\" width=\"{fw}\" height=\"14\" class=\"girls\"/>", y + 16));
        }
        s.push_str(&format!("<text x=\"{}\" y=\"{}\" class=\"value\">{}</text>", w + 4, y + 28, esc(&b.text)));
    }
    s.push_str("</svg>");
    s
}

/// Columns over time (e.g. months), girls shaded, the value above each column.
pub fn columns(title: &str, cols: &[Bar]) -> String {
    let max = cols.iter().map(|b| b.total).max().unwrap_or(0).max(1);
    let n = cols.len().max(1) as i64;
    let step = WIDTH / n;
    let (top, plot) = (16, 100);
    let height = top + plot + 20;
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(title)
    );
    for (i, b) in cols.iter().enumerate() {
        let x = i as i64 * step + 4;
        let w = step - 8;
        let h = b.total * plot / max;
        // A column's full figure ("42 (17F)") is its tooltip; the total alone fits above it.
        s.push_str(&format!("<g><title>{}: {}</title>", esc(&b.label), esc(&b.text)));
        s.push_str(&format!("<rect x=\"{x}\" y=\"{}\" width=\"{w}\" height=\"{h}\" class=\"boys\"/>", top + plot - h));
        if let Some(f) = b.female {
            let fh = if b.total > 0 { f * h / b.total } else { 0 };
            s.push_str(&format!("<rect x=\"{x}\" y=\"{}\" width=\"{w}\" height=\"{fh}\" class=\"girls\"/>", top + plot - fh));
        }
        let mid = x + w / 2;
        let value = esc(&b.short);
        s.push_str(&format!("<text x=\"{mid}\" y=\"{}\" class=\"value\" text-anchor=\"middle\">{value}</text>", top + plot - h - 3));
        s.push_str(&format!(
            "<text x=\"{mid}\" y=\"{}\" class=\"label\" text-anchor=\"middle\">{}</text></g>",
            top + plot + 14,
            esc(&b.label)
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, total: i64, female: i64) -> Bar {
        Bar { label: label.into(), total, female: Some(female), text: format!("{total} ({female}F)"), short: total.to_string() }
    }

    #[test]
    fn labels_are_escaped_and_bars_scale_to_the_largest() {
        let svg = bars("Cases", &[bar("<script>alert(1)</script>", 10, 4), bar("ភ្នំពេញ", 5, 5)]);
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"));
        assert!(svg.contains("ភ្នំពេញ") && svg.contains("10 (4F)"));
        // The largest bar takes the full plot width (230), the other half; girls a share of each.
        assert!(svg.contains("width=\"230\"") && svg.contains("width=\"115\""), "{svg}");
        assert!(svg.contains("width=\"92\""), "4 of 10 girls: {svg}");
    }

    #[test]
    fn columns_show_every_period_even_when_empty() {
        let svg = columns("Visits", &[bar("Jan", 0, 0), bar("Feb", 8, 2), bar("Mar", 4, 0)]);
        assert_eq!(svg.matches("class=\"label\"").count(), 3);
        assert!(svg.contains("height=\"100\""), "{svg}");
        assert!(svg.contains("height=\"0\""));
    }
}

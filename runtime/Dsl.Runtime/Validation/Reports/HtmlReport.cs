using System.Globalization;
using System.Net;
using System.Text;
using Dsl.Validation.Drift;
using Dsl.Validation.Gates;
using Dsl.Validation.Statistics;

namespace Dsl.Validation.Reports;

/// <summary>
/// Renders a <see cref="ReportPage"/> as one self-contained HTML page: inline CSS and SVG, no script, nothing
/// loaded from elsewhere. Every value from the data or the plan is HTML-escaped (text and attributes alike).
/// </summary>
internal static class HtmlReport
{
    private const int TopValuesShown = 10;
    private const int SamplesShown = 5;

    private const string Style = """
        :root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--ink:#1f2328;--muted:#656d76;--line:#d0d7de;--bar:#0969da;--bg:#f6f8fa}
        *{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);margin:0;background:#fff}
        header{padding:24px 32px;border-bottom:1px solid var(--line);display:flex;gap:16px;align-items:center;flex-wrap:wrap}
        h1{font-size:22px;margin:0}h2{font-size:17px;margin:28px 0 10px}main{padding:0 32px 40px;max-width:1200px}
        .badge{padding:3px 10px;border-radius:12px;color:#fff;font-weight:600;font-size:12px}.pass{background:var(--ok)}.fail{background:var(--bad)}.warn{background:var(--warn)}
        .muted{color:var(--muted)}.tiles{display:flex;gap:12px;flex-wrap:wrap;margin-top:20px}
        .tile{border:1px solid var(--line);border-radius:8px;padding:12px 16px;min-width:170px;background:var(--bg)}.tile b{display:block;font-size:22px}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
        th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase}td.num{text-align:right;font-variant-numeric:tabular-nums}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:14px}
        .card{border:1px solid var(--line);border-radius:8px;padding:12px 14px}.card h3{margin:0 0 6px;font-size:15px;word-break:break-all}
        dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:6px 0}dt{color:var(--muted)}dd{margin:0;word-break:break-all}
        details summary{cursor:pointer;color:var(--bar)}ul.samples{margin:4px 0;padding-left:18px}svg text{font:11px system-ui,sans-serif;fill:var(--ink)}
        """;

    /// <summary>The page.</summary>
    public static string Render(ReportPage report)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
        html.Append("<title>Validation: ").Append(E(report.Pipeline)).Append("</title><style>").Append(Style).Append("</style></head><body>\n");
        html.Append("<header><h1>").Append(E(report.Pipeline)).Append("</h1>")
            .Append(report.Passed ? "<span class=\"badge pass\">PASSED</span>" : "<span class=\"badge fail\">FAILED</span>")
            .Append("<span class=\"muted\">").Append(E(report.CreatedUtc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))).Append("</span></header>\n<main>");
        Tiles(html, report);
        Gates(html, report.Gates);
        Rules(html, report.Rules);
        Drift(html, report.Drift);
        if (report.Profile is { } profile)
        {
            Columns(html, profile);
        }
        html.Append("</main></body></html>\n");
        return html.ToString();
    }

    private static void Tiles(StringBuilder html, ReportPage report)
    {
        int gatesFailed = report.Gates.Count(g => !g.Passed);
        int drifted = report.Drift.Count(d => !d.Passed);
        double quarantined = report.InputRows == 0 ? 0 : (double)report.QuarantinedRows / report.InputRows;
        html.Append("<div class=\"tiles\">");
        Tile(html, StatisticText.Count(report.InputRows), "rows read");
        Tile(html, StatisticText.Count(report.QuarantinedRows), $"rows quarantined ({StatisticText.Percent(quarantined)})");
        Tile(html, $"{gatesFailed} / {report.Gates.Count}", "gates failed");
        Tile(html, $"{drifted} / {report.Drift.Count}", "columns drifted");
        html.Append("</div>\n");
    }

    private static void Tile(StringBuilder html, string value, string label) =>
        html.Append("<div class=\"tile\"><b>").Append(E(value)).Append("</b><span class=\"muted\">").Append(E(label)).Append("</span></div>");

    private static void Gates(StringBuilder html, IReadOnlyList<GateResult> gates)
    {
        html.Append("<h2>Gates</h2>");
        if (gates.Count == 0)
        {
            html.Append("<p class=\"muted\">No gates are declared.</p>\n");
            return;
        }
        html.Append("<table><tr><th></th><th>gate</th><th>measured</th><th>bounds</th><th>severity</th><th>message</th></tr>");
        foreach (GateResult g in gates)
        {
            string status = g.Passed ? "<span class=\"badge pass\">ok</span>" : g.Gate.Severity == GateSeverity.Fail ? "<span class=\"badge fail\">fail</span>" : "<span class=\"badge warn\">warn</span>";
            html.Append("<tr><td>").Append(status).Append("</td><td>").Append(E(g.Gate.Id)).Append("</td><td class=\"num\">").Append(E(g.MeasuredText))
                .Append("</td><td>").Append(E(g.Bounds)).Append("</td><td>").Append(g.Gate.Severity == GateSeverity.Fail ? "fail" : "warn")
                .Append("</td><td>").Append(E(g.Message)).Append("</td></tr>");
        }
        html.Append("</table>\n");
    }

    private static void Rules(StringBuilder html, IReadOnlyList<RuleSummary> rules)
    {
        html.Append("<h2>Violations by rule</h2>");
        if (rules.Count == 0)
        {
            html.Append("<p class=\"muted\">No row rules are declared.</p>\n");
            return;
        }
        Bars(html, [.. rules.Select(r => (r.Id, r.Violations))], "var(--bad)");
        html.Append("<table><tr><th>rule</th><th>checks</th><th>action</th><th>rows</th><th>samples</th></tr>");
        foreach (RuleSummary r in rules)
        {
            html.Append("<tr><td>").Append(E(r.Id)).Append("</td><td>").Append(E(r.Description)).Append("</td><td>").Append(E(r.Action.ToString()))
                .Append("</td><td class=\"num\">").Append(E(StatisticText.Count(r.Violations))).Append("</td><td>");
            if (r.Samples.Count > 0)
            {
                html.Append("<details><summary>").Append(Math.Min(r.Samples.Count, SamplesShown)).Append(" sample(s)</summary><ul class=\"samples\">");
                foreach (ViolationSample s in r.Samples.Take(SamplesShown))
                {
                    html.Append("<li>").Append(E(s.Reason));
                    string where = string.Join(", ", new[]
                    {
                        s.File,
                        s.RowGroup is { } g ? "row group " + g.ToString(CultureInfo.InvariantCulture) : null,
                        s.Row is { } row ? "row " + row.ToString(CultureInfo.InvariantCulture) : null,
                    }.Where(p => p is not null));
                    if (where.Length > 0)
                    {
                        html.Append(" <span class=\"muted\">(").Append(E(where)).Append(")</span>");
                    }
                    html.Append("</li>");
                }
                html.Append("</ul></details>");
            }
            html.Append("</td></tr>");
        }
        html.Append("</table>\n");
    }

    private static void Drift(StringBuilder html, IReadOnlyList<ColumnDrift> drift)
    {
        html.Append("<h2>Drift against the reference profile</h2>");
        if (drift.Count == 0)
        {
            html.Append("<p class=\"muted\">No reference profile was given.</p>\n");
            return;
        }
        html.Append("<table><tr><th></th><th>column</th><th>test</th><th>PSI</th><th>KS</th><th>chi²</th><th>p</th><th>message</th></tr>");
        foreach (ColumnDrift d in drift)
        {
            html.Append("<tr><td>").Append(d.Passed ? "<span class=\"badge pass\">ok</span>" : "<span class=\"badge fail\">drift</span>")
                .Append("</td><td>").Append(E($"{d.Schema}.{d.Column}")).Append("</td><td>").Append(E(d.Test))
                .Append("</td><td class=\"num\">").Append(Num(d.Psi)).Append("</td><td class=\"num\">").Append(Num(d.Ks))
                .Append("</td><td class=\"num\">").Append(Num(d.ChiSquare)).Append("</td><td class=\"num\">").Append(Num(d.PValue))
                .Append("</td><td>").Append(E(d.Message)).Append("</td></tr>");
        }
        html.Append("</table>\n");
    }

    private static void Columns(StringBuilder html, DatasetProfile profile)
    {
        foreach (SchemaProfile schema in profile.Schemas)
        {
            html.Append("<h2>Columns of ").Append(E(schema.Name)).Append(" <span class=\"muted\">(").Append(E(StatisticText.Count(schema.Rows))).Append(" rows)</span></h2><div class=\"cards\">");
            foreach (ColumnProfile c in schema.Columns)
            {
                html.Append("<div class=\"card\"><h3>").Append(E(c.Name)).Append(" <span class=\"muted\">").Append(E(c.Type.ToString())).Append("</span></h3><dl>");
                Stat(html, "nulls", $"{StatisticText.Count(c.Nulls)} ({StatisticText.Percent(c.Rows == 0 ? 0 : (double)c.Nulls / c.Rows)})");
                if (c.NaNs > 0)
                {
                    Stat(html, "NaN", StatisticText.Count(c.NaNs));
                }
                if (c.Min is { } min && c.Max is { } max)
                {
                    Stat(html, "range", $"{StatisticText.Format(c.Type, min)} … {StatisticText.Format(c.Type, max)}");
                }
                if (c.MinText is not null)
                {
                    Stat(html, "range", $"{c.MinText} … {c.MaxText}");
                }
                if (c.Mean is { } mean && c.StdDev is { } std)
                {
                    Stat(html, "mean ± sd", $"{StatisticText.Number(mean)} ± {StatisticText.Number(std)}");
                }
                if (c.Quantiles.Count > 0)
                {
                    QuantilePoint median = c.Quantiles.MinBy(q => Math.Abs(q.Rank - 0.5));
                    Stat(html, "median", StatisticText.Format(c.Type, median.Value));
                }
                if (c.Distinct is { } distinct)
                {
                    Stat(html, "distinct", (c.DistinctExact ? "" : "≈ ") + StatisticText.Count(distinct));
                }
                html.Append("</dl>");
                if (c.Histogram is { } histogram)
                {
                    HistogramSvg(html, c.Type, histogram);
                }
                else if (c.TopValues.Count > 0)
                {
                    List<(string, long)> top = [.. c.TopValues.Take(TopValuesShown).Select(kv => (kv.Key, kv.Value))];
                    if (c.TopValues.Count > TopValuesShown || c.OtherCount > 0)
                    {
                        top.Add(("(other)", c.Values - top.Sum(t => t.Item2)));
                    }
                    Bars(html, top, "var(--bar)");
                }
                html.Append("</div>");
            }
            html.Append("</div>\n");
        }
    }

    private static void Stat(StringBuilder html, string name, string value) =>
        html.Append("<dt>").Append(E(name)).Append("</dt><dd>").Append(E(value)).Append("</dd>");

    // Vertical bars, one per bin, each with a tooltip giving its range and count.
    private static void HistogramSvg(StringBuilder html, ColumnType type, Histogram histogram)
    {
        const double width = 320;
        const double height = 110;
        long peak = Math.Max(1, histogram.Counts.Max());
        double bar = width / histogram.Counts.Length;
        html.Append(Invariant($"<svg viewBox=\"0 0 {width} {height + 16}\" width=\"100%\" role=\"img\" aria-label=\"histogram\">"));
        for (int i = 0; i < histogram.Counts.Length; i++)
        {
            double h = histogram.Counts[i] * height / peak;
            html.Append(Invariant($"<rect x=\"{(i * bar) + 0.5:0.##}\" y=\"{height - h:0.##}\" width=\"{Math.Max(bar - 1, 0.5):0.##}\" height=\"{h:0.##}\" fill=\"var(--bar)\"><title>"))
                .Append(E($"{StatisticText.Format(type, histogram.Edges[i])} … {StatisticText.Format(type, histogram.Edges[i + 1])}: {StatisticText.Count(histogram.Counts[i])}"))
                .Append("</title></rect>");
        }
        html.Append(Invariant($"<text x=\"0\" y=\"{height + 13}\">")).Append(E(StatisticText.Format(type, histogram.Edges[0]))).Append("</text>")
            .Append(Invariant($"<text x=\"{width}\" y=\"{height + 13}\" text-anchor=\"end\">")).Append(E(StatisticText.Format(type, histogram.Edges[^1]))).Append("</text></svg>");
    }

    // Horizontal bars: a label, a bar scaled to the largest value, and the count.
    private static void Bars(StringBuilder html, IReadOnlyList<(string Label, long Value)> items, string color)
    {
        const double labelWidth = 150;
        const double barWidth = 200;
        const double row = 20;
        long peak = Math.Max(1, items.Count == 0 ? 1 : items.Max(i => i.Value));
        html.Append(Invariant($"<svg viewBox=\"0 0 {labelWidth + barWidth + 90} {(items.Count * row) + 4}\" width=\"100%\" role=\"img\" aria-label=\"bar chart\">"));
        for (int i = 0; i < items.Count; i++)
        {
            (string label, long value) = items[i];
            double y = i * row;
            double w = value * barWidth / peak;
            string shown = label.Length > 24 ? label[..23] + "…" : label;
            html.Append(Invariant($"<text x=\"{labelWidth - 6}\" y=\"{y + 14}\" text-anchor=\"end\">")).Append(E(shown)).Append("<title>").Append(E(label)).Append("</title></text>")
                .Append(Invariant($"<rect x=\"{labelWidth}\" y=\"{y + 3}\" width=\"{Math.Max(w, value > 0 ? 1 : 0):0.##}\" height=\"{row - 6}\" fill=\"{color}\"/>"))
                .Append(Invariant($"<text x=\"{labelWidth + w + 6:0.##}\" y=\"{y + 14}\">")).Append(E(StatisticText.Count(value))).Append("</text>");
        }
        html.Append("</svg>");
    }

    private static string Num(double? value) => value is { } v ? E(Math.Abs(v) is > 0 and < 1e-4 ? v.ToString("0.##E+0", CultureInfo.InvariantCulture) : StatisticText.Number(v)) : "";

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using System.Text;
using Dsl.Validation.Drift;
using Dsl.Validation.Gates;
using Dsl.Validation.Statistics;

namespace Dsl.Validation.Reports;

/// <summary>Plain-text tables of gate and drift results for the terminal (columns padded to their widest cell).</summary>
internal static class ConsoleTables
{
    /// <summary>One line per gate: status, id, measured value, bounds, severity, where it was declared.</summary>
    public static string Gates(IEnumerable<GateResult> results) => Table(
        ["", "gate", "measured", "bounds", "severity", "declared by"],
        results.Select(r => new[] { r.Passed ? "ok" : r.Gate.Severity == GateSeverity.Fail ? "FAIL" : "warn", r.Gate.Id, r.MeasuredText, r.Bounds, r.Gate.Severity == GateSeverity.Fail ? "fail" : "warn", r.Gate.Declared }));

    /// <summary>One line per compared column: status, column, test, PSI, KS, chi-square, p-value.</summary>
    public static string Drift(IEnumerable<ColumnDrift> results) => Table(
        ["", "column", "test", "PSI", "KS", "chi²", "dof", "p"],
        results.Select(r => new[]
        {
            r.Passed ? "ok" : "DRIFT", $"{r.Schema}.{r.Column}", r.Test, Format(r.Psi), Format(r.Ks), Format(r.ChiSquare), r.DegreesOfFreedom?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", Format(r.PValue),
        }));

    private static string Format(double? value) => value is { } v ? (Math.Abs(v) is > 0 and < 1e-4 ? v.ToString("0.##E+0", System.Globalization.CultureInfo.InvariantCulture) : StatisticText.Number(v)) : "";

    private static string Table(string[] header, IEnumerable<string[]> rows)
    {
        List<string[]> all = [header, .. rows.Select(r => r.Select(Clean).ToArray())];
        var widths = new int[header.Length];
        foreach (string[] row in all)
        {
            for (int c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }
        var text = new StringBuilder();
        for (int r = 0; r < all.Count; r++)
        {
            text.AppendJoin("  ", all[r].Select((cell, c) => cell.PadRight(widths[c])));
            TrimEnd(text);
            text.Append('\n');
            if (r == 0)
            {
                text.AppendJoin("  ", widths.Select(w => new string('-', w)));
                text.Append('\n');
            }
        }
        return text.ToString();
    }

    // A table cell is one line: control characters (a newline in a hostile id) would break the layout.
    private static string Clean(string cell) => string.Concat(cell.Select(ch => char.IsControl(ch) ? ' ' : ch));

    private static void TrimEnd(StringBuilder text)
    {
        while (text.Length > 0 && text[^1] == ' ')
        {
            text.Length--;
        }
    }
}

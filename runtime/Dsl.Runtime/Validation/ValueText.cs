using System.Globalization;
using System.Text;

namespace Dsl.Validation;

/// <summary>
/// One value of a batch as reasons and messages print it, the same on every machine (invariant culture): numbers in
/// their shortest round-trip form, NaN and ±∞ as <c>NaN</c>, <c>∞</c>, <c>-∞</c>, strings in double quotes (cut
/// after <see cref="MaxStringChars"/> characters, with the full length said), <c>null</c> for a missing value.
/// </summary>
internal static class ValueText
{
    /// <summary>Strings longer than this are cut in reasons.</summary>
    public const int MaxStringChars = 64;

    /// <summary>Row <paramref name="row"/> of <paramref name="column"/> (of <paramref name="field"/>'s type).</summary>
    public static string Format(ColumnField field, Column column, int row)
    {
        if (column.IsNull(row))
        {
            return "null";
        }
        return column.GetValue(row) switch
        {
            double d => Number(d),
            float f => Number(f),
            Half h => Number((double)h),
            string s => Quote(s),
            bool b => b ? "true" : "false",
            DateTime t => t.ToString(t.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
            Int128 unscaled when field.Type == ColumnType.Decimal => Decimals.ToDecimal(unscaled, field.Scale).ToString(CultureInfo.InvariantCulture),
            byte[] bytes => Bytes(bytes),
            object[] items => "[" + string.Join(", ", items.Select(i => i is null ? "null" : Convert.ToString(i, CultureInfo.InvariantCulture))) + "]",
            IFormattable other => other.ToString(null, CultureInfo.InvariantCulture),
            object other => other.ToString() ?? "",
            null => "null",
        };
    }

    /// <summary><paramref name="value"/> as reasons print it: NaN, ∞, -∞, else the shortest text that reads back to it.</summary>
    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "∞"
        : double.IsNegativeInfinity(value) ? "-∞"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary><paramref name="text"/> in double quotes, cut after <see cref="MaxStringChars"/> characters with its length said.</summary>
    public static string Quote(string text) => text.Length <= MaxStringChars
        ? "\"" + text + "\""
        : "\"" + text[..MaxStringChars] + $"…\" (cut; {text.Length} characters)";

    private static string Bytes(byte[] bytes)
    {
        var text = new StringBuilder("0x");
        foreach (byte b in bytes.Take(MaxStringChars / 2))
        {
            text.Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return bytes.Length > MaxStringChars / 2 ? text.Append($"… (cut; {bytes.Length} bytes)").ToString() : text.ToString();
    }
}

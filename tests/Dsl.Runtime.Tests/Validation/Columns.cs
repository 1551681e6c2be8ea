using Dsl.Validation.Statistics;

namespace Dsl.Runtime.Tests.Validation;

/// <summary>Builds columns and seeded data for the statistics tests.</summary>
internal static class Columns
{
    public static PrimitiveColumn<double> Doubles(double[] values, bool[]? nulls = null) =>
        PrimitiveColumn<double>.FromArray(ColumnType.Double, values, Validity(nulls, values.Length));

    public static PrimitiveColumn<long> Longs(long[] values, bool[]? nulls = null, ColumnType type = ColumnType.Int64) =>
        PrimitiveColumn<long>.FromArray(type, values, Validity(nulls, values.Length));

    public static PrimitiveColumn<int> Ints(int[] values, bool[]? nulls = null, ColumnType type = ColumnType.Int32) =>
        PrimitiveColumn<int>.FromArray(type, values, Validity(nulls, values.Length));

    public static StringColumn Strings(string?[] values)
    {
        string[] distinct = [.. values.Where(v => v is not null).Distinct(StringComparer.Ordinal)!];
        var index = distinct.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i, StringComparer.Ordinal);
        int[] indices = [.. values.Select(v => v is null ? 0 : index[v])];
        ValidityBitmap? validity = Validity([.. values.Select(v => v is null)], values.Length);
        return new StringColumn(ColumnType.String, Utf8Dictionary.FromStrings(distinct), indices, values.Length, validity);
    }

    public static ValidityBitmap? Validity(bool[]? nulls, int length)
    {
        if (nulls is null || !nulls.Any(n => n))
        {
            return null;
        }
        var bitmap = new ValidityBitmap(length);
        for (int i = 0; i < length; i++)
        {
            bitmap.Set(i, !nulls[i]);
        }
        return bitmap;
    }

    public static ColumnField Field(string name, ColumnType type) => new(name, type, Nullable: true);

    /// <summary>n normal values (Box–Muller) from a seeded generator.</summary>
    public static double[] Normal(int seed, int n, double mean = 0, double sd = 1)
    {
        var random = new Random(seed);
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u = 1 - random.NextDouble();
            double v = random.NextDouble();
            values[i] = mean + (sd * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
        }
        return values;
    }

    /// <summary>Observes <paramref name="values"/> in batches of <paramref name="batch"/> rows.</summary>
    public static void ObserveInBatches(ColumnStatistics stats, double[] values, int batch)
    {
        for (int start = 0; start < values.Length; start += batch)
        {
            stats.Observe(Doubles(values[start..Math.Min(values.Length, start + batch)]));
        }
    }
}

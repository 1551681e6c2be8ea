using Dsl.Barriers.Aggregation;
using Dsl.Execution;
using static Dsl.Runtime.Tests.Barriers.Aggregation.AggregationTestData;

namespace Dsl.Runtime.Tests.Barriers.Aggregation;

/// <summary>The column types beyond the random tests': each read, compared and written back with its own storage type.</summary>
public sealed class AggregationTypesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-agg-types-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void MinMaxSumMeanAndDistinct_OverEveryStorageType()
    {
        var input = new BatchSchema(
            new ColumnField("g", ColumnType.Boolean, false),
            new ColumnField("i8", ColumnType.Int8, true),
            new ColumnField("u16", ColumnType.UInt16, true),
            new ColumnField("u32", ColumnType.UInt32, true),
            new ColumnField("u64", ColumnType.UInt64, true),
            new ColumnField("f", ColumnType.Float, true),
            new ColumnField("h", ColumnType.Float16, true),
            new ColumnField("day", ColumnType.Date, true),
            new ColumnField("m", ColumnType.Decimal, true) { Precision = 10, Scale = 2 },
            new ColumnField("bin", ColumnType.Binary, true),
            new ColumnField("id", ColumnType.Uuid, true));
        (string Member, AggregateFunction Function, string Column)[] outputs =
        [
            ("g", AggregateFunction.Key, "g"), ("minI8", AggregateFunction.Min, "i8"), ("maxU16", AggregateFunction.Max, "u16"),
            ("sumU32", AggregateFunction.Sum, "u32"), ("maxU64", AggregateFunction.Max, "u64"), ("minF", AggregateFunction.Min, "f"),
            ("maxH", AggregateFunction.Max, "h"), ("minDay", AggregateFunction.Min, "day"), ("maxM", AggregateFunction.Max, "m"),
            ("sumM", AggregateFunction.Sum, "m"), ("meanM", AggregateFunction.Mean, "m"), ("maxBin", AggregateFunction.Max, "bin"),
            ("distinctId", AggregateFunction.CountDistinct, "id"), ("firstDay", AggregateFunction.First, "day"),
        ];
        var plan = new AggregatePlan("Types", "T", null, null, "O", ["g"], outputs.Select(o => new AggregateOutput(o.Member, o.Function, o.Column, o.Function == AggregateFunction.First ? "u64" : null)).ToArray());
        ColumnField Out(string member, string column, ColumnType? type = null) => input[input.IndexOf(column)] with { Name = member, Type = type ?? input[input.IndexOf(column)].Type, Nullable = true };
        var output = new BatchSchema(
            Out("g", "g"), Out("minI8", "i8"), Out("maxU16", "u16"), Out("sumU32", "u32", ColumnType.Int64), Out("maxU64", "u64"), Out("minF", "f"),
            Out("maxH", "h"), Out("minDay", "day"), Out("maxM", "m"), Out("sumM", "m", ColumnType.Double) with { Precision = 0, Scale = 0 },
            Out("meanM", "m", ColumnType.Double) with { Precision = 0, Scale = 0 }, Out("maxBin", "bin"), Out("distinctId", "id", ColumnType.Int64), Out("firstDay", "day"));
        AggregateLayout layout = AggregateLayout.For(plan, input, output);
        Guid a = Guid.NewGuid();
        Guid b = Guid.NewGuid();
        RecordBatch Batch(bool[] g, sbyte?[] i8, ushort?[] u16, uint?[] u32, ulong?[] u64, float?[] f, Half?[] h, int?[] day, Int128?[] m, byte[]?[] bin, Guid?[] id)
        {
            var bins = new List<byte>();
            int[] offsets = new int[bin.Length + 1];
            var validity = new ValidityBitmap(bin.Length);
            for (int i = 0; i < bin.Length; i++)
            {
                bins.AddRange(bin[i] ?? []);
                offsets[i + 1] = bins.Count;
                validity.Set(i, bin[i] is not null);
            }
            var binary = new StringColumn(ColumnType.Binary, new Utf8Dictionary([.. bins], offsets), Enumerable.Range(0, bin.Length).ToArray(), bin.Length, validity);
            return new RecordBatch(input,
            [
                Primitive(ColumnType.Boolean, g.Select(v => (bool?)v)), Primitive(ColumnType.Int8, i8), Primitive(ColumnType.UInt16, u16), Primitive(ColumnType.UInt32, u32),
                Primitive(ColumnType.UInt64, u64), Primitive(ColumnType.Float, f), Primitive(ColumnType.Float16, h), Primitive(ColumnType.Date, day),
                Primitive(ColumnType.Decimal, m), binary, Primitive(ColumnType.Uuid, id),
            ], g.Length);
        }
        RecordBatch first = Batch([true, true, false], [-5, 3, null], [7, 65535, 1], [4_000_000_000, 4_000_000_000, null], [ulong.MaxValue, 3, 1], [float.NaN, 1.5f, -0.0f], [(Half)2, null, (Half)(-1)], [19000, 18000, null], [12345, -99, 1], [[1, 2], [1, 2, 0], null], [a, b, null]);
        RecordBatch second = Batch([true, false], [null, 100], [null, 0], [1, null], [null, 2], [-2.5f, 0.0f], [(Half)3, null], [17000, 5], [null, 250], [[9], []], [a, a]);

        List<object?[]> rows = Run(layout, [[first], [second]], _root, buckets: 2).Rows;

        object?[] yes = Assert.Single(rows, r => (bool)r[0]!);
        object?[] no = Assert.Single(rows, r => !(bool)r[0]!);
        Assert.Equal<object?>([true, (sbyte)-5, (ushort)65535, 8_000_000_001L, ulong.MaxValue, -2.5f, (Half)3, 17000, (Int128)12345, 122.46, 61.23, "\u0009"], yes[..12].Select(Normalize));
        Assert.Equal(2L, yes[12]);
        Assert.Equal(18000, yes[13]); // the row with the smallest u64 (3)
        Assert.Equal<object?>([false, (sbyte)100, (ushort)1, 0L, 2UL, -0.0f, (Half)(-1), 5, (Int128)250, 2.51, 2.51 / 2, ""], no[..12].Select(Normalize));
        Assert.Equal(1L, no[12]);
        Assert.Null(no[13]); // the smallest u64 (1) is on a row without a day
        Assert.True(float.IsNegative((float)no[5]!), "Min of -0.0 and 0.0 is -0.0.");
    }

    [Fact]
    public void KeyValues_AreReadBackCanonical()
    {
        var input = new BatchSchema(new ColumnField("d", ColumnType.Double, true), new ColumnField("ns", ColumnType.TimestampNanos, false));
        var plan = new AggregatePlan("Keys", "T", null, null, "O", ["d", "ns"],
        [
            new AggregateOutput("d", AggregateFunction.Key, "d"),
            new AggregateOutput("ns", AggregateFunction.Key, "ns"),
            new AggregateOutput("n", AggregateFunction.Count, null),
        ]);
        var output = new BatchSchema(input[0], input[1], new ColumnField("n", ColumnType.Int64, false));
        AggregateLayout layout = AggregateLayout.For(plan, input, output);
        double?[] d = [-0.0, 0.0, double.NaN, BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000001UL)), null];
        long?[] ns = [1_234_567_899, 1_234_567_801, 5, 5, 5];
        var batch = new RecordBatch(input, [Primitive(ColumnType.Double, d), Primitive(ColumnType.TimestampNanos, ns)], d.Length);

        List<object?[]> rows = Run(layout, [[batch]], _root).Rows;

        // -0.0 and 0.0 in one group whose ticks (100 ns) agree; both NaNs in one; null in its own.
        Assert.Equal(3, rows.Count);
        object?[] zero = Assert.Single(rows, r => r[0] is 0.0);
        Assert.False(double.IsNegative((double)zero[0]!), "The key of -0.0 and 0.0 is 0.0.");
        Assert.Equal(1_234_567_800L, zero[1]);
        Assert.Equal(2L, zero[2]);
        Assert.Equal(2L, Assert.Single(rows, r => r[0] is double x && double.IsNaN(x))[2]);
        Assert.Equal(1L, Assert.Single(rows, r => r[0] is null)[2]);
    }

    [Fact]
    public void UnsignedSum_AboveLongMaxValue_IsAnOverflowNamingTheMember()
    {
        var input = new BatchSchema(new ColumnField("g", ColumnType.Int32, false), new ColumnField("u", ColumnType.UInt64, false));
        var plan = new AggregatePlan("Unsigned", "T", null, null, "O", ["g"], [new AggregateOutput("total", AggregateFunction.Sum, "u")]);
        AggregateLayout layout = AggregateLayout.For(plan, input, new BatchSchema(new ColumnField("total", ColumnType.Int64, false)));
        var batch = new RecordBatch(input, [Primitive(ColumnType.Int32, new int?[] { 1 }), Primitive(ColumnType.UInt64, new ulong?[] { (ulong)long.MaxValue + 1 })], 1);
        using var partial = new PartialAggregator(layout, 1, Path.Combine(_root, "u"), 1L << 20);

        OverflowException error = Assert.Throws<OverflowException>(() => partial.Add(batch));

        Assert.Contains("'Unsigned': output member 'total' (Sum of 'u', UInt64)", error.Message, StringComparison.Ordinal);
    }

    // Doubles rounded so that a decimal's sum compares exactly; binary shown as its last byte.
    private static object? Normalize(object? value) => value switch
    {
        double d => Math.Round(d, 9),
        byte[] bytes => bytes.Length == 0 ? "" : ((char)bytes[^1]).ToString(),
        _ => value,
    };
}

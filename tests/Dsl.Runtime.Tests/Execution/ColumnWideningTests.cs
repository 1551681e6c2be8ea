using Dsl.Execution;
using Dsl.Parquet;
using Dsl.Testing;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>
/// Columns read into wider members where no value can change (INT32 into long or double, FLOAT into double), as a new
/// user's DuckDB INTEGER column into a <c>long</c> member; narrowing stays an error naming the column and both types.
/// </summary>
public sealed class ColumnWideningTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-widen-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void DuckDbIntegerColumn_ReadsIntoALongMember()
    {
        string input = Path.Combine(_root, "in");
        Directory.CreateDirectory(input);
        using (var duck = DuckDb.Open())
        {
            duck.Execute($"COPY (SELECT (range - 1000)::INTEGER AS x FROM range(5000) UNION ALL SELECT 2147483647::INTEGER UNION ALL SELECT (-2147483648)::INTEGER) TO {DuckDb.Literal(Path.Combine(input, "ints.parquet"))} (FORMAT parquet)");
        }
        using (var reader = new ParquetFileReader(Path.Combine(input, "ints.parquet")))
        {
            Assert.Equal(ColumnType.Int32, reader.Columns.Single().Field!.Type);
        }
        string output = Path.Combine(_root, "out");

        new LocalExecutor().Run(TestPipelines.Pipeline(TestPipelines.Doubling()), input, output);

        using var parts = DuckDb.Open();
        Assert.Equal(5002, parts.QueryScalarInt64($"SELECT count(*) FROM read_parquet({DuckDb.Literal(Path.Combine(output, "*.parquet"))})"));
        Assert.Equal(0, parts.QueryScalarInt64($"SELECT count(*) FROM (SELECT x FROM read_parquet({DuckDb.Literal(Path.Combine(output, "*.parquet"))}) EXCEPT SELECT 2 * x::BIGINT FROM read_parquet({DuckDb.Literal(Path.Combine(input, "ints.parquet"))}))"));
        Assert.Equal(2L * int.MaxValue, parts.QueryScalarInt64($"SELECT max(x) FROM read_parquet({DuckDb.Literal(Path.Combine(output, "*.parquet"))})"));
    }

    [Fact]
    public void RequiredColumn_ReadsIntoANullableMember()
    {
        string input = Path.Combine(_root, "in");
        TestPipelines.WriteFile(Path.Combine(input, "a.parquet"), 1, 100, 0); // x: required INT64
        var nullable = new BatchSchema(new ColumnField("x", ColumnType.Int64, true));
        var seen = new List<long>();
        var pipeline = new CompiledPipeline(
            new PipelinePlan("maybe", "N", new Dictionary<string, BatchSchema> { ["N"] = nullable }, [new StagePlan("Keep", StageKind.Map, "N", "N", null, true, null)], [new SegmentPlan(0, ["Keep"], null, "N", "N", true, ["x"])]),
            [(batch, _) =>
            {
                PrimitiveColumn<long> x = batch.GetPrimitive<long>("x", ColumnType.Int64);
                Assert.Equal(0, x.NullCount);
                lock (seen)
                {
                    seen.AddRange(x.Values.ToArray());
                }
                return new RecordBatch(nullable, [PrimitiveColumn<long>.FromArray(ColumnType.Int64, x.Values.ToArray())], batch.RowCount);
            }]);

        new LocalExecutor().Run(pipeline, input, Path.Combine(_root, "out"));

        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), seen.Order());
    }

    [Fact]
    public void Widen_KeepsEveryValueAndNullExactly()
    {
        int[] ints = [0, 1, -1, int.MaxValue, int.MinValue, 123456789];
        var intValidity = new ValidityBitmap(ints.Length);
        intValidity.Set(2, false);
        using var intColumn = PrimitiveColumn<int>.FromArray(ColumnType.Int32, ints, intValidity);
        float[] floats = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue, 0.1f];
        using var floatColumn = PrimitiveColumn<float>.FromArray(ColumnType.Float, floats);

        using var longs = (PrimitiveColumn<long>)ColumnWidening.Widen(intColumn, ColumnType.Int64);
        using var intDoubles = (PrimitiveColumn<double>)ColumnWidening.Widen(intColumn, ColumnType.Double);
        using var floatDoubles = (PrimitiveColumn<double>)ColumnWidening.Widen(floatColumn, ColumnType.Double);

        for (int r = 0; r < ints.Length; r++)
        {
            Assert.Equal(r == 2, longs.IsNull(r));
            Assert.Equal(r == 2, intDoubles.IsNull(r));
            if (r != 2)
            {
                Assert.Equal((long)ints[r], longs[r]);
                Assert.Equal((double)ints[r], intDoubles[r]);
            }
        }
        for (int r = 0; r < floats.Length; r++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(floats[r]), BitConverter.DoubleToInt64Bits(floatDoubles[r]));
        }
        Assert.False(ColumnWidening.CanWiden(ColumnType.Int64, ColumnType.Int32));
        Assert.False(ColumnWidening.CanWiden(ColumnType.Int64, ColumnType.Double)); // above 2^53 a long does not fit a double
        Assert.False(ColumnWidening.CanWiden(ColumnType.Double, ColumnType.Float));
    }

    [Fact]
    public void NarrowingRead_IsRefusedNamingTheColumnBothTypesAndTheMemberTypeToUse()
    {
        string input = Path.Combine(_root, "in");
        TestPipelines.WriteFile(Path.Combine(input, "a.parquet"), 1, 10, 0); // x: INT64
        var narrow = new BatchSchema(new ColumnField("x", ColumnType.Int32, false));
        var pipeline = new CompiledPipeline(
            new PipelinePlan("narrow", "N", new Dictionary<string, BatchSchema> { ["N"] = narrow }, [new StagePlan("Keep", StageKind.Map, "N", "N", null, true, null)], [new SegmentPlan(0, ["Keep"], null, "N", "N", true, ["x"])]),
            [(batch, _) => batch]);

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(pipeline, input, Path.Combine(_root, "out")));

        Assert.Contains("stores column 'x' as Int64 but schema 'N' of pipeline 'narrow' declares it Int32, which would lose information. Declare the member as long", error.Message);
    }

    [Theory]
    [InlineData(ColumnType.Int8, ColumnType.Int16, true)]
    [InlineData(ColumnType.Int8, ColumnType.Int32, true)]
    [InlineData(ColumnType.Int16, ColumnType.Float, true)]
    [InlineData(ColumnType.UInt8, ColumnType.UInt16, true)]
    [InlineData(ColumnType.UInt16, ColumnType.Int32, true)]
    [InlineData(ColumnType.UInt32, ColumnType.Int64, true)]
    [InlineData(ColumnType.UInt32, ColumnType.Double, true)]
    [InlineData(ColumnType.UInt64, ColumnType.Int64, true)] // value by value: above long.MaxValue stops the job
    [InlineData(ColumnType.Int32, ColumnType.Double, true)]
    [InlineData(ColumnType.Float16, ColumnType.Float, true)]
    [InlineData(ColumnType.Float16, ColumnType.Double, true)]
    [InlineData(ColumnType.Float, ColumnType.Double, true)]
    [InlineData(ColumnType.Timestamp, ColumnType.TimestampNanos, true)]
    [InlineData(ColumnType.Uuid, ColumnType.String, true)]
    [InlineData(ColumnType.Int32, ColumnType.Float, false)]
    [InlineData(ColumnType.Int64, ColumnType.Double, false)]
    [InlineData(ColumnType.Int8, ColumnType.UInt8, false)]
    [InlineData(ColumnType.Int16, ColumnType.Int8, false)]
    [InlineData(ColumnType.UInt64, ColumnType.Double, false)]
    [InlineData(ColumnType.Double, ColumnType.Float, false)]
    [InlineData(ColumnType.TimestampNanos, ColumnType.Timestamp, false)]
    public void Widening_AcceptsExactlyThePairsThatKeepEveryValue(ColumnType stored, ColumnType member, bool widens) =>
        Assert.Equal(widens, ColumnWidening.CanWiden(stored, member));

    [Fact]
    public void WidenedValues_AreTheSameNumbers_NullsKept()
    {
        var validity = new ValidityBitmap(4);
        validity.Set(2, false);
        using var bytes = PrimitiveColumn<sbyte>.FromArray(ColumnType.Int8, [sbyte.MinValue, -1, 0, sbyte.MaxValue], validity);
        using var ints = (PrimitiveColumn<int>)ColumnWidening.Widen(bytes, ColumnType.Int32);
        Assert.Equal([-128, -1, 0, 127], ints.Values.ToArray());
        Assert.True(ints.IsNull(2));
        using var halves = PrimitiveColumn<Half>.FromArray(ColumnType.Float16, [Half.NegativeZero, Half.NaN, Half.MaxValue, Half.Epsilon]);
        using var doubles = (PrimitiveColumn<double>)ColumnWidening.Widen(halves, ColumnType.Double);
        Assert.Equal([-0.0, double.NaN, 65504.0, (double)Half.Epsilon], doubles.Values.ToArray());
        Assert.True(double.IsNegative(doubles.Values[0]));
        using var unsigned = PrimitiveColumn<uint>.FromArray(ColumnType.UInt32, [uint.MaxValue]);
        Assert.Equal(4294967295L, ((PrimitiveColumn<long>)ColumnWidening.Widen(unsigned, ColumnType.Int64)).Values[0]);
        using var big = PrimitiveColumn<ulong>.FromArray(ColumnType.UInt64, [ulong.MaxValue]);
        Assert.Contains("is above 9223372036854775807", Assert.Throws<PipelineExecutionException>(() => ColumnWidening.Widen(big, ColumnType.Int64)).Message);
        var uuid = new Guid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        using var uuids = PrimitiveColumn<Guid>.FromArray(ColumnType.Uuid, [uuid]);
        Assert.Equal("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", ((StringColumn)ColumnWidening.Widen(uuids, ColumnType.String)).GetString(0));
    }
}

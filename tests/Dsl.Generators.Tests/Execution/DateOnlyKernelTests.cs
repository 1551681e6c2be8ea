using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Hosting;
using Dsl.Parquet;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// DateOnly members (ColumnType.Date, days since 1970-01-01): schema conversions, date parts and comparisons in
/// kernels (vector blocks by integer arithmetic on the days, and the per-row code) against the stage methods, out of
/// range days, and a Parquet DATE column through a generated pipeline.
/// </summary>
public sealed class DateOnlyKernelTests : IDisposable
{
    public const string Source = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record D(DateOnly Day, DateOnly? Maybe, DateOnly Other, int I, long Id);

        [Schema]
        public partial record P(int Year, int Month, int DayOfMonth, int DayOfYear, int DayNumber, int Weekday, bool Weekend,
            bool After, bool Before, bool Same, bool Ordered, bool? MaybeAfter, bool MaybeMissing, int MaybeMonth,
            DateOnly Day, DateOnly? Maybe, DateOnly Picked, DateOnly Filled, DateOnly Min, long Id);

        [Pipeline("dateonly")]
        public static partial class Days
        {
            [Filter]
            static bool Recentish(D d) => d.Day >= new DateOnly(1600, 3, 1) || d.Day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || d.I > 0;

            [Map(From = nameof(Recentish))]
            static P Split(D d) => new(
                d.Day.Year, d.Day.Month, d.Day.Day, d.Day.DayOfYear, d.Day.DayNumber, (int)d.Day.DayOfWeek,
                d.Day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday,
                d.Day > new DateOnly(2000, 2, 29),
                d.Day < d.Other,
                d.Day == d.Other || d.Day != new DateOnly(1970, 1, 1),
                d.Day <= d.Other && d.Other >= DateOnly.MinValue,
                d.Maybe > d.Day,
                d.Maybe == null,
                d.Maybe.HasValue ? d.Maybe.Value.Month : -1,
                d.Day,
                d.Maybe,
                d.I > 0 ? d.Day : d.Other,
                d.Maybe ?? d.Day,
                DateOnly.MinValue,
                d.Id);
        }

        [Pipeline("dateonly-parts")]
        public static partial class Parts
        {
            [Map]
            static P Split(D d) => new(
                d.Day.Year, d.Day.Month, d.Day.Day, d.Day.DayOfYear, d.Day.DayNumber, (int)d.Day.DayOfWeek,
                d.Day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday,
                d.Day > new DateOnly(2000, 2, 29), d.Day < d.Other, d.Day == d.Other, d.Day <= d.Other, d.Maybe > d.Day, d.Maybe == null,
                d.Other.Month, d.Day, d.Maybe, d.Other, d.Day, d.Other, d.Id);
        }
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"dsl-dateonly-{Guid.NewGuid():N}");

    public DateOnlyKernelTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("S.Days")]
    [InlineData("S.Parts")]
    public void DateOnlyParts_CompileToVectorBlocksThatMatchTheStageMethods(string pipeline)
    {
        using var snippet = LoadedSnippet.Compile(Source);
        Assert.All(snippet.Pipeline(pipeline).Plan.Stages, s => Assert.True(s.Vectorized, s.FallbackReason));
        string generated = snippet.Run.GeneratedSource(pipeline + ".Pipeline.g.cs");
        Assert.Contains("for (; i < vectorEnd; i += 4)", generated, StringComparison.Ordinal);
        DifferentialRunner.Verify(snippet, pipeline, "S.D", seeds: 6);
        foreach (int size in new[] { 1001, 4097 })
        {
            DifferentialRunner.VerifyRows(snippet, pipeline, "S.D", RowGenerator.Rows(snippet.Type("S.D"), size, size));
        }
    }

    [Fact]
    public void DateOnlyParts_AreVectorArithmetic_NotAScalarCallPerLane()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        string generated = snippet.Run.GeneratedSource("S.Parts.Pipeline.g.cs");
        string block = VectorBlock(generated);
        foreach (string part in new[] { "DayOfYearOf", "DayOfWeekOf" })
        {
            Assert.Contains("DateMath." + part + "(vDay)", block, StringComparison.Ordinal);
        }
        // Year, month and day share one civil-from-days computation per block.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(block, @"DateMath\.CivilOf\(vDay\)"));
        foreach (string part in new[] { "Year", "Month", "Day" })
        {
            Assert.Contains("civil." + part, block, StringComparison.Ordinal);
        }
        Assert.Contains("DateMath.InDateOnlyRange(vDay)", block, StringComparison.Ordinal);
        // No per-lane scalar evaluation: no DateOnly built, no lane indexing inside an element-wise Create.
        Assert.DoesNotContain("Dates.FromDays", block, StringComparison.Ordinal);
        Assert.DoesNotContain("[0]", block, StringComparison.Ordinal);
        Assert.DoesNotContain("[3]", block, StringComparison.Ordinal);
        Assert.Contains("var date20000229 = Vector128.Create(11016); // new DateOnly(2000, 2, 29) as days since 1970-01-01", generated, StringComparison.Ordinal);
        Assert.Contains("// Split.Year = Day.Year", block, StringComparison.Ordinal);
        Assert.Contains("var Split_DayNumber = vDay + Vector128.Create(Timestamps.UnixEpochDayNumber);", block, StringComparison.Ordinal);
    }

    [Fact]
    public void DaysOutsideDateOnlysRange_HandTheBlockToThePerRowCode_WhichThrowsLikeTheMethod()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        Type d = snippet.Type("S.D");
        BatchSchema schema = LoadedSnippet.SchemaOf(d);
        foreach (int bad in new[] { Dates.MaxDays + 1, Dates.MinDays - 1, int.MaxValue, int.MinValue })
        {
            foreach (int row in new[] { 0, 5, 8 })
            {
                List<object> rows = RowGenerator.Rows(d, 9, 3);
                using RecordBatch batch = LoadedSnippet.ToBatch(d, rows);
                int[] days = batch.GetPrimitive<int>("Day", ColumnType.Date).Values.ToArray();
                days[row] = bad;
                var columns = new Column[schema.Count];
                for (int c = 0; c < schema.Count; c++)
                {
                    columns[c] = schema[c].Name == "Day" ? PrimitiveColumn<int>.FromArray(ColumnType.Date, days) : batch[c];
                }
                var broken = new RecordBatch(schema, columns, 9);
                RowErrorAssert.Throws(typeof(ArgumentOutOfRangeException), "Split", row, () => snippet.Pipeline("S.Parts").Kernels[0](broken));
                using (Dsl.Kernels.KernelDispatch.ScalarOnly())
                {
                    RowErrorAssert.Throws(typeof(ArgumentOutOfRangeException), "Split", row, () => snippet.Pipeline("S.Parts").Kernels[0](broken));
                }
                // The stage method never gets such a row: reading it as a DateOnly throws the same exception.
                Assert.Throws<ArgumentOutOfRangeException>(() => Dates.FromDays(bad));
            }
        }
    }

    [Fact]
    public void OutOfRangeDaysInNullRows_AreNeverRead()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        Type d = snippet.Type("S.D");
        BatchSchema schema = LoadedSnippet.SchemaOf(d);
        var rows = Enumerable.Range(0, 8).Select(i => Activator.CreateInstance(d, new DateOnly(2024, 1, 1).AddDays(i), null, new DateOnly(1999, 1, 1), i, (long)i)!).ToList();
        using RecordBatch batch = LoadedSnippet.ToBatch(d, rows);
        var maybe = (PrimitiveColumn<int>)batch[1];
        int[] days = maybe.Values.ToArray();
        Array.Fill(days, int.MinValue);
        var columns = Enumerable.Range(0, schema.Count).Select(c => c == 1 ? PrimitiveColumn<int>.FromArray(ColumnType.Date, days, new ValidityBitmap(8, allValid: false)) : batch[c]).ToArray();
        using var nulls = new RecordBatch(schema, columns, 8);
        DifferentialRunner.VerifyRows(snippet, "S.Parts", "S.D", rows);
        using RecordBatch output = snippet.Pipeline("S.Parts").Kernels[0](nulls);
        Assert.Equal(8, output.RowCount);
        Assert.Equal(2024, output.GetPrimitive<int>("Year", ColumnType.Int32)[0]);
    }

    [Fact]
    public void DateOnlyMembers_MapToDateColumns_AndRoundTrip()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        Type d = snippet.Type("S.D");
        Assert.Equal("(Day: Date, Maybe: Date?, Other: Date, I: Int32, Id: Int64)", LoadedSnippet.SchemaOf(d).ToString());
        List<object> rows = RowGenerator.Rows(d, 500, 9);
        using RecordBatch batch = LoadedSnippet.ToBatch(d, rows);
        Assert.Equal(rows, LoadedSnippet.ReadRows(d, batch));
        DateOnly first = (DateOnly)d.GetProperty("Day")!.GetValue(rows[0])!;
        Assert.Equal(Dates.ToDays(first), batch.GetPrimitive<int>("Day", ColumnType.Date)[0]);
        Assert.Equal(first, batch[0].GetValue(0));
    }

    [Fact]
    public void ParquetDateColumn_RunsThroughAGeneratedPipeline()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        CompiledPipeline compiled = snippet.Pipeline("S.Days");
        Type d = snippet.Type("S.D");
        List<object> rows = RowGenerator.Rows(d, 3000, 21);
        string input = Path.Combine(_root, "in");
        Directory.CreateDirectory(input);
        using (RecordBatch batch = LoadedSnippet.ToBatch(d, rows))
        using (var writer = new ParquetFileWriter(Path.Combine(input, "part-0.parquet"), batch.Schema, new ParquetWriteOptions()))
        {
            writer.WriteBatch(batch);
        }
        string output = Path.Combine(_root, "out");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = PipelineHost.Run(compiled, ["run", "--input", input, "--output", output], stdout: stdout, stderr: stderr);
        Assert.True(code == 0, stderr.ToString());

        // What the stage methods give, row by row.
        var methods = snippet.Type("S.Days");
        var filter = methods.GetMethod("Recentish", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var map = methods.GetMethod("Split", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        List<object> expected = rows.Where(r => (bool)filter.Invoke(null, [r])!).Select(r => map.Invoke(null, [r])!).ToList();
        Type p = snippet.Type("S.P");
        var actual = new List<object>();
        foreach (string file in Directory.GetFiles(output, "*.parquet").Order(StringComparer.Ordinal))
        {
            using var reader = new ParquetFileReader(file);
            Assert.Equal(ColumnType.Date, reader.Schema[reader.Schema.IndexOf("Day")].Type);
            Assert.True(reader.Schema[reader.Schema.IndexOf("Maybe")].Nullable);
            for (int rg = 0; rg < reader.RowGroupCount; rg++)
            {
                using RecordBatch batch = reader.ReadRowGroup(rg);
                actual.AddRange(LoadedSnippet.ReadRows(p, batch));
            }
        }
        Assert.Equal(expected.OrderBy(r => (long)p.GetProperty("Id")!.GetValue(r)!), actual.OrderBy(r => (long)p.GetProperty("Id")!.GetValue(r)!));
    }

    /// <summary>The text of the loop over whole blocks (up to the per-row loop).</summary>
    private static string VectorBlock(string generated)
    {
        int start = generated.IndexOf("for (; i < vectorEnd; i += 4)", StringComparison.Ordinal);
        Assert.True(start >= 0);
        int end = generated.IndexOf("int scalarEnd", start, StringComparison.Ordinal);
        Assert.True(end > start, "the per-row loop follows the vector loop");
        return generated.Substring(start, end - start);
    }
}

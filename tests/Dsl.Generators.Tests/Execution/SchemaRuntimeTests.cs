using System.Reflection;
using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Execution;

/// <summary>The generated IRowSchema members and the Columns accessor, run for real.</summary>
public sealed class SchemaRuntimeTests
{
    private const string Source = TestSources.Usings + """
        namespace R;

        [Schema]
        public partial record Row(int I, long L, float F, double D, bool B, string S, DateTime T, int? NI, double? ND, string? NS, DateTime? NT, [property: Column("renamed")] bool? NB);
        """;

    [Fact]
    public void ToBatchThenReadRows_RoundTripsEveryValue()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        Type row = snippet.Type("R.Row");
        foreach (int size in new[] { 0, 1, 50 })
        {
            List<object> rows = RowGenerator.Rows(row, size, size);
            using RecordBatch batch = LoadedSnippet.ToBatch(row, rows);
            Assert.Equal(size, batch.RowCount);
            Assert.Equal(LoadedSnippet.SchemaOf(row), batch.Schema);
            Assert.Equal(rows, LoadedSnippet.ReadRows(row, batch));
            if (size > 0)
            {
                object first = row.GetMethod("ReadRow")!.Invoke(null, [batch, 0])!;
                Assert.Equal(rows[0], first);
            }
        }
    }

    [Fact]
    public void BatchSchema_MapsTypesNullabilityAndNames()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        BatchSchema schema = LoadedSnippet.SchemaOf(snippet.Type("R.Row"));
        Assert.Equal(
            "(I: Int32, L: Int64, F: Float, D: Double, B: Boolean, S: String, T: Timestamp, NI: Int32?, ND: Double?, NS: String?, NT: Timestamp?, renamed: Boolean?)",
            schema.ToString());
        Assert.True(typeof(IRowSchema<>).MakeGenericType(snippet.Type("R.Row")).IsAssignableFrom(snippet.Type("R.Row")));
    }

    [Fact]
    public void ReadRows_ReportsMissingMistypedAndUnexpectedNullColumns()
    {
        using var snippet = LoadedSnippet.Compile(TestSources.FraudFeatures);
        Type transaction = snippet.Type("Sample.Transaction");

        using var missing = new RecordBatch(new BatchSchema(new ColumnField("UserId", ColumnType.Int64, false)), [PrimitiveColumn<long>.FromArray(ColumnType.Int64, [1L])], 1);
        var notFound = Assert.Throws<KeyNotFoundException>(() => Invoke(transaction, missing));
        Assert.Contains("'Ts'", notFound.Message, StringComparison.Ordinal);

        using var mistyped = new RecordBatch(new BatchSchema(new ColumnField("UserId", ColumnType.Int32, false)), [PrimitiveColumn<int>.FromArray(ColumnType.Int32, [1])], 1);
        var wrongType = Assert.Throws<InvalidOperationException>(() => Invoke(transaction, mistyped));
        Assert.Contains("'UserId' was expected to be Int64", wrongType.Message, StringComparison.Ordinal);

        var nulls = new ValidityBitmap(1, allValid: false);
        using var withNulls = new RecordBatch(
            new BatchSchema(new ColumnField("UserId", ColumnType.Int64, true)),
            [PrimitiveColumn<long>.FromArray(ColumnType.Int64, [1L], nulls)],
            1);
        var notNullable = Assert.Throws<InvalidOperationException>(() => Invoke(transaction, withNulls));
        Assert.Equal("Column 'UserId' holds null rows, but member 'Transaction.UserId' is not nullable. Declare the member nullable or drop the null rows first.", notNullable.Message);
    }

    private static void Invoke(Type schema, RecordBatch batch)
    {
        try
        {
            schema.GetMethod("ReadRows", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [batch]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}

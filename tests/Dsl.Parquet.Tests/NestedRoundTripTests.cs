using Dsl.Testing;

namespace Dsl.Parquet.Tests;

/// <summary>Nested columns read from the corpus, written by us, and read back by us and by DuckDB.</summary>
public sealed class NestedRoundTripTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-nested-roundtrip");

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> NestedFiles() =>
    [
        "nullable.impala", "nonnullable.impala", "nested_lists.snappy", "nested_maps.snappy", "list_columns", "null_list",
        "old_list_structure", "repeated_no_annotation", "repeated_primitive_no_list", "incorrect_map_schema", "nulls.snappy",
    ];

    /// <summary>Rewrites <paramref name="name"/> with our writer (small pages, so rows cross pages); returns the new path.</summary>
    private string Rewrite(string name)
    {
        string path = _temp.Combine(name + ".rewritten.parquet");
        using var reader = new ParquetFileReader(TestFiles.Path(name + ".parquet"));
        using var writer = new ParquetFileWriter(path, reader.Schema, new ParquetWriteOptions { DataPageSize = 64, RowGroupRows = 3 });
        foreach (RecordBatch batch in reader.ReadBatches())
        {
            using (batch)
            {
                writer.WriteBatch(batch);
            }
        }
        return path;
    }

    [Theory]
    [MemberData(nameof(NestedFiles))]
    public void NestedFile_RoundTripsThroughOurWriter(string name)
    {
        string path = Rewrite(name);
        using var original = new ParquetFileReader(TestFiles.Path(name + ".parquet"));
        using var rewritten = new ParquetFileReader(path);
        Assert.Equal(original.Schema, rewritten.Schema);
        Assert.Equal(ParquetAssert.ReadJsonLines(original), ParquetAssert.ReadJsonLines(rewritten));
    }

    [Theory]
    [MemberData(nameof(NestedFiles))]
    public void DuckDb_ReadsOurNestedFiles_AsTheOriginals(string name)
    {
        string path = Rewrite(name);
        using var duck = DuckDb.Open();
        IReadOnlyList<IReadOnlyList<string?>> theirs = duck.QueryRows($"SELECT to_json(r)::VARCHAR FROM read_parquet({DuckDb.Literal(path)}) r");
        string[] expected = File.ReadAllLines(TestFiles.ExpectedPath(name + ".jsonl"));
        Assert.Equal(expected, theirs.Select(r => r[0]!).ToArray());
    }
}

namespace Dsl.Parquet.Tests;

/// <summary>The malformed files of parquet-testing/bad_data must be rejected cleanly (or read, if actually readable).</summary>
public class BadDataTests
{
    public static TheoryData<string> BadFiles() =>
        [.. Directory.GetFiles(Path.Combine(TestFiles.Directory, "bad_data"), "*.parquet").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task BadFile_ReadsOrThrowsParquetFormatException(string name)
    {
        string path = Path.Combine(TestFiles.Directory, "bad_data", name);
        ParquetFormatException? error = await Guard.ReadOrFormatError(() => ParquetAssert.ReadAll(path), TimeSpan.FromSeconds(20), name);
        if (error is not null)
        {
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
            Assert.EndsWith(".", error.Message, StringComparison.Ordinal);
        }
    }
}

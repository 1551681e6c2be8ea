using System.Text;
using Dsl.Execution;
using Dsl.Execution.Inputs;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>
/// The planning scan of text files finds the same header, record boundaries, line numbers and row counts whatever its
/// read size, so a CRLF, a quote or a multi-byte character split across two reads changes nothing.
/// </summary>
public sealed class TextFileScannerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-scan-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Csv_EveryChunkSize_SameLayout()
    {
        string file = Write("a.csv", "\uFEFFid,s\r\n1,\"a\r\nb\"\r\n\r\n2,é😀\r\n3,\"x\"\"y\"\r4,z");

        TextFileLayout expected = TextFileScanner.Scan(file, InputFormat.Csv, false, 2, long.MaxValue, 1 << 20);

        Assert.Equal(["id", "s"], expected.Header);
        // Records start on lines 2 (two lines long), 5, 6 and 7; line 4 is blank. Two records a range.
        Assert.Equal([(2L, 2L), (6L, 2L)], expected.Ranges.Select(r => (r.FirstLine, r.Rows)));
        Assert.Equal(new FileInfo(file).Length, expected.Ranges[^1].End);
        Assert.Equal(expected.Ranges[0].End, expected.Ranges[1].Start);
        for (int chunk = 1; chunk <= 48; chunk++)
        {
            TextFileLayout layout = TextFileScanner.Scan(file, InputFormat.Csv, false, 2, long.MaxValue, 1 << 20, chunk);
            Assert.Equal(expected.Header, layout.Header);
            Assert.Equal(expected.Ranges, layout.Ranges);
            Assert.Equal(expected.Fingerprint.FooterSha256, layout.Fingerprint.FooterSha256);
        }
    }

    [Fact]
    public void JsonLines_EveryChunkSize_SameLayout()
    {
        string file = Write("a.jsonl", "\uFEFF{\"a\":1}\r\n  \r\n{\"a\":\"é😀\"}\n{\"a\":3}\n\n{\"a\":4}");

        TextFileLayout expected = TextFileScanner.Scan(file, InputFormat.JsonLines, false, 2, long.MaxValue, 1 << 20);

        Assert.Null(expected.Header);
        Assert.Equal([(1L, 2L), (4L, 2L)], expected.Ranges.Select(r => (r.FirstLine, r.Rows)));
        Assert.Equal(0, expected.Ranges[0].Start);
        for (int chunk = 1; chunk <= 40; chunk++)
        {
            Assert.Equal(expected.Ranges, TextFileScanner.Scan(file, InputFormat.JsonLines, false, 2, long.MaxValue, 1 << 20, chunk).Ranges);
        }
    }

    [Fact]
    public void InvalidUtf8_SameLineWhateverTheChunkSize()
    {
        string file = Path.Combine(_root, "bad.csv");
        File.WriteAllBytes(file, [.. "a\n1\n\"x\ny\"\n"u8, 0xC3, 0x28, .. "\n"u8]);

        for (int chunk = 1; chunk <= 16; chunk++)
        {
            var error = Assert.Throws<PipelineExecutionException>(() => TextFileScanner.Scan(file, InputFormat.Csv, false, 10, long.MaxValue, 1 << 20, chunk));
            Assert.True(error.Message.Contains($"'{file}', line 5: byte 0xC3 at offset 10 is not valid UTF-8", StringComparison.Ordinal), $"chunk {chunk}: {error.Message}");
        }
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(_root, name);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }
}

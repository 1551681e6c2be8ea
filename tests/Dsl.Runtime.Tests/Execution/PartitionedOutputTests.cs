using System.Text;
using System.Text.Json;
using Dsl.Execution;
using Dsl.Execution.Commit;
using Dsl.Parquet;
using static Dsl.Runtime.Tests.Execution.PartitionedPipelines;
using static Dsl.Runtime.Tests.Execution.TestPipelines;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>
/// Hive-partitioned output (<see cref="ExecutionOptions.PartitionBy"/>): folder layout, columns left out of the files,
/// DuckDB reading the rows back, hostile values, the limits on folder names, open files and held bytes, and the
/// file-size limits. The commit protocol's side (reuse, faults, kills) is in <see cref="PartitionedCommitTests"/> and
/// the end-to-end CrashSafetyTests.
/// </summary>
public sealed class PartitionedOutputTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-hive-").FullName;

    private string Input => Path.Combine(_root, "in");

    private string Output => Path.Combine(_root, "out");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void TwoColumns_FoldersInOrder_ColumnsLeftOutOfTheFiles_DuckDbReadsIdenticalRows()
    {
        for (int f = 0; f < 3; f++)
        {
            WriteFile(Path.Combine(Input, $"f{f}.parquet"), 1, 100, f * 100);
        }

        JobResult result = new LocalExecutor(By("Country", "Year")).Run(Typed6(), Input, Output);

        string[] expected = (from task in Enumerable.Range(0, 3) from country in Countries from year in new[] { 2023, 2024 } select $"Country={country}/Year={year}/part-{task:D5}.parquet").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, Files(Output));
        Assert.Equal(300, result.Sinks[0].Rows);
        Assert.Equal(18, result.Sinks[0].Files.Count);
        Assert.All(Directory.GetFiles(Output, "*.parquet", SearchOption.AllDirectories), file => Assert.Equal(["x", "Day", "Flag", "Score"], FileColumns(file)));
        var rows = DuckDbRows(Output, "Country, Year, typeof(Year), x, Day, Flag, CAST(Score * 4 AS BIGINT)");
        Assert.Equal(300, rows.Count);
        for (int x = 0; x < 300; x++)
        {
            string? day = x % 10 == 9 ? null : new DateOnly(2024, 1, 1).AddDays(x % 3).ToString("yyyy-MM-dd");
            Assert.Equal([Countries[x % 3], (2023 + (x / 7 % 2)).ToString(), "BIGINT", x.ToString(), day, (x % 2 == 0) ? "true" : "false", x.ToString()], rows[x]);
        }
    }

    [Fact]
    public void DateBoolAndNull_FolderValuesAsHiveWritesThem_DuckDbReadsThemBackTyped()
    {
        WriteFile(Path.Combine(Input, "f.parquet"), 1, 20, 0);

        new LocalExecutor(By("Day", "Flag")).Run(Typed6(), Input, Output);

        string[] folders = Files(Output).Select(f => f[..f.LastIndexOf('/')]).Distinct().ToArray();
        Assert.Equal(
            ["Day=2024-01-01/Flag=false", "Day=2024-01-01/Flag=true", "Day=2024-01-02/Flag=false", "Day=2024-01-02/Flag=true", "Day=2024-01-03/Flag=false", "Day=2024-01-03/Flag=true", "Day=__HIVE_DEFAULT_PARTITION__/Flag=false"],
            folders);
        var rows = DuckDbRows(Output, "x, Day, typeof(Day), Flag", "{'Flag': BOOLEAN}");
        Assert.Equal(20, rows.Count);
        Assert.Equal(["9", null, "DATE", "false"], rows[9]);
        Assert.Equal(["4", "2024-01-02", "DATE", "true"], rows[4]);
        Assert.Equal(["4", "VARCHAR"], DuckDbRows(Output, "x, typeof(Flag)")[4]); // unless named BOOLEAN
    }

    [Fact]
    public void DuckDbGuessesTypesFromFolderNames_NameStringColumnsVarchar()
    {
        WriteFile(Path.Combine(Input, "f.parquet"), 1, 4, 0);

        new LocalExecutor(By("Key")).Run(ByKey(x => (x * 10).ToString()), Input, Output);

        // Text that looks like numbers is read as numbers unless the column is named VARCHAR.
        Assert.Equal(["30", "BIGINT"], DuckDbRows(Output, "Key, typeof(Key), x")[3].Take(2));
        Assert.Equal(["30", "VARCHAR"], DuckDbRows(Output, "Key, typeof(Key), x", "{'Key': VARCHAR}")[3].Take(2));
    }

    /// <summary>Values chosen to break out of the output, collide, or confuse readers; each must read back as written.</summary>
    public static readonly string?[] Hostile =
    [
        "../x", "a/b", "..", ".", "../../../../etc/passwd", "/abs", "x=y", "=", "%41", "%", "NULL", "null", "Null",
        "__HIVE_DEFAULT_PARTITION__", "C:\\x", "q?*:<>|\"'#", "{[^]}", "tab\there", "new\nline", "\u0001\u007f",
        "é€漢字", "🙂", "FR", "fr", " spaced ", "+plus", "a b", "~", "-", new string('a', 251), new string('/', 83),
        null, "",
    ];

    [Fact]
    public void HostileValues_EveryPathInsideTheOutput_DuckDbReadsThemBackExactly()
    {
        WriteFile(Path.Combine(Input, "f.parquet"), 1, Hostile.Length, 0);

        new LocalExecutor(By("Key")).Run(ByKey(x => Hostile[x]), Input, Output);

        string outputPrefix = Output + Path.DirectorySeparatorChar;
        string[] everything = Directory.GetFileSystemEntries(_root, "*", SearchOption.AllDirectories);
        Assert.All(everything, path => Assert.True(
            path.StartsWith(Input, StringComparison.Ordinal) || path.StartsWith(outputPrefix, StringComparison.Ordinal) || path.StartsWith(Path.Combine(_root, ".out.dsl"), StringComparison.Ordinal) || path == Output,
            $"'{path}' was written outside the output"));
        Assert.All(Directory.GetDirectories(Output, "*", SearchOption.AllDirectories), dir => Assert.StartsWith("Key=", Path.GetFileName(dir)));
        // null and "" share the default partition; every other value has a folder of its own.
        Assert.Equal(Hostile.Length - 1, Directory.GetDirectories(Output).Length);
        Assert.Equal(Hostile.Length - 1, Files(Output).Length);
        string[] names = Directory.GetDirectories(Output).Select(Path.GetFileName).ToArray()!;
        Assert.Contains("Key=..%2Fx", names);
        Assert.Contains("Key=..", names);
        Assert.Contains("Key=%2Fabs", names);
        Assert.Contains("Key=%4EULL", names);
        Assert.Contains("Key=%6Eull", names);
        Assert.Contains("Key=%5F_HIVE_DEFAULT_PARTITION__", names);
        Assert.Contains("Key=__HIVE_DEFAULT_PARTITION__", names);
        Assert.Contains("Key=%2541", names);
        Assert.Contains("Key=C%3A%5Cx", names);
        Assert.Contains("Key=q%3F%2A%3A%3C%3E%7C%22%27%23", names);
        Assert.Contains("Key=é€漢字", names);
        Assert.Contains("Key=FR", names);
        Assert.Contains("Key=fr", names);

        var rows = DuckDbRows(Output, "x, Key", "{'Key': VARCHAR}");
        Assert.Equal(Hostile.Length, rows.Count);
        for (int x = 0; x < Hostile.Length; x++)
        {
            // Hive's convention: the empty string is the default partition, so it reads back as null.
            string? expected = Hostile[x] is "" ? null : Hostile[x];
            Assert.True(rows[x][1] == expected, $"row {x}: wrote '{Hostile[x]}', DuckDB read '{rows[x][1]}'");
        }
    }

    [Theory]
    [InlineData(252, 'a', 256)]
    [InlineData(84, '/', 256)] // escaped: 84 x "%2F" is 252 bytes
    [InlineData(126, 'é', 256)] // 2 bytes each in UTF-8
    public void FolderNameOver255Bytes_FailsNamingTheColumn_NothingPublished(int length, char c, int bytes)
    {
        WriteFile(Path.Combine(Input, "f.parquet"), 1, 3, 0);
        string value = new(c, length);

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(By("Key")).Run(ByKey(x => x == 1 ? value : "short"), Input, Output));

        Assert.Contains("Sink 'Tag': a value of partition column 'Key' makes the folder name", error.Message);
        Assert.Contains($"{bytes} bytes long", error.Message);
        Assert.Contains("file systems allow 255", error.Message);
        Assert.False(Directory.Exists(Output));
    }

    [Fact]
    public void FolderNameOf255Bytes_IsWritten()
    {
        WriteFile(Path.Combine(Input, "f.parquet"), 1, 1, 0);

        new LocalExecutor(By("Key")).Run(ByKey(_ => new string('a', 251)), Input, Output);

        Assert.Equal(255, Encoding.UTF8.GetByteCount(Path.GetFileName(Directory.GetDirectories(Output).Single())));
    }

    [Fact]
    public void NamesDifferingOnlyInCase_OnACaseFoldingFileSystem_AreRefusedBeforeAnythingIsPublished()
    {
        WriteFile(Path.Combine(Input, "f.parquet"), 1, 4, 0);
        new LocalExecutor(By("Key")).Run(ByKey(x => "v" + x), Input, Output);
        Dictionary<string, byte[]> previous = Snapshot(Output);
        var folding = By("Key") with { Faults = FaultPlan.Parse(null, foldCase: true) };

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(folding).Run(ByKey(x => x % 2 == 0 ? "FR" : "fr", "cased"), Input, Output));

        Assert.Contains("'Key=FR' and 'Key=fr'", error.Message);
        Assert.Contains("differ only in letter case", error.Message);
        Assert.Equal(previous, Snapshot(Output));
        // On this (case-sensitive) file system the same run writes both folders, with no file name shared by the two.
        new LocalExecutor(By("Key")).Run(ByKey(x => x % 2 == 0 ? "FR" : "fr", "cased"), Input, Output);
        Assert.Equal(["Key=FR/part-00000.parquet", "Key=fr/part-00000.parquet"], Files(Output));
    }

    [Fact]
    public void TenThousandValuesInOnePartition_CapOf16OpenFiles_AllRowsPresent_WriterMemoryBounded()
    {
        // On tmpfs where there is one: creating a file takes 0.8 ms on this VM's disk and 0.03 ms there, and what is
        // tested here is the bookkeeping, not the disk. 11,000 rows; values 0..999 come back after 9,999 others, long
        // after their first file was finished.
        string root = Directory.Exists("/dev/shm") ? Path.Combine("/dev/shm", $"dsl-hive-{Guid.NewGuid():N}") : Path.Combine(_root, "fast");
        Directory.CreateDirectory(root);
        try
        {
            string input = WriteFile(Path.Combine(root, "in", "f.parquet"), 1, 11_000, 0);
            string output = Path.Combine(root, "out");
            var options = By("Key") with { MaxOpenFiles = 16, MaxParallelism = 1 };

            JobResult result = new LocalExecutor(options).Run(ByKey(x => (x % 10_000).ToString("D5")), input, output);

            Assert.Equal(16, result.PeakOpenFiles);
            string[] files = Files(output);
            Assert.Equal(11_000, files.Length);
            Assert.Equal(10_000, Directory.GetDirectories(output).Length);
            Assert.Equal(1_000, files.Count(f => f.EndsWith("/part-00000-1.parquet", StringComparison.Ordinal)));
            Assert.Contains("Key=00042/part-00000-1.parquet", files);
            Assert.InRange(result.PeakWriterBytes, 1, 4 * LocalExecutor.WriterRowGroupBytes(options, 1));
            // Every row once, in the folder of its value (DuckDB reads such folders in the other tests; 11,000 files
            // take it half a minute).
            var seen = new List<long>();
            foreach (string file in files)
            {
                List<long> rows = ReadFileLongs(Path.Combine(output, file));
                Assert.All(rows, x => Assert.StartsWith($"Key={x % 10_000:D5}/", file));
                seen.AddRange(rows);
            }
            Assert.Equal(Enumerable.Range(0, 11_000).Select(i => (long)i), seen.Order());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void OpenFilesHoldingTooMuch_TheLargestWritesItsRowGroupEarly_HeldBytesStayBounded()
    {
        // 2,000,000 rows of hardly compressible values over 8 folders (2 MB each); one writer's row group bytes are
        // 1 MiB here, so the 8 open files may hold 4 MiB together, where they would hold up to 8 MiB on their own.
        var random = new Random(7);
        long[] values = Enumerable.Range(0, 2_000_000).Select(_ => random.NextInt64()).ToArray();
        Directory.CreateDirectory(Input);
        using (var writer = new ParquetFileWriter(Path.Combine(Input, "r.parquet"), Numbers))
        {
            writer.WriteBatch(new RecordBatch(Numbers, [PrimitiveColumn<long>.FromArray(ColumnType.Int64, values)], values.Length));
        }
        var options = By("Key") with { MaxParallelism = 1, TargetPartitionRows = 4_000_000, Write = new ParquetWriteOptions { RowGroupBytes = 1L << 20 } };

        JobResult result = new LocalExecutor(options).Run(ByKey(x => "k" + (x & 7)), Input, Output);

        Assert.Equal(1L << 20, LocalExecutor.WriterRowGroupBytes(options, 1));
        // Measured after each batch, before the largest is made to write: over the limit at some point, never by much.
        Assert.InRange(result.PeakWriterBytes, 4L << 20, (4L << 20) + (1L << 20));
        string[] files = Files(Output);
        Assert.Equal(8, files.Length);
        Assert.All(files, f =>
        {
            using var reader = new ParquetFileReader(Path.Combine(Output, f));
            Assert.True(reader.RowGroupCount >= 3, $"{f}: {reader.RowGroupCount} row group(s); 2 MB at 1 MiB a row group is 2, and more were expected, cut early");
        });
        using var duck = Dsl.Testing.DuckDb.Open();
        string glob = Dsl.Testing.DuckDb.Literal(Path.Combine(Output, "**", "*.parquet"));
        Assert.Equal(
            ["2000000", values.Select(v => (decimal)v).Sum().ToString()],
            duck.QueryRows($"SELECT count(*), sum(x::HUGEINT) FROM read_parquet({glob}, hive_partitioning=true) WHERE Key = 'k' || (x & 7)::VARCHAR")[0]);
    }

    [Fact]
    public void MaxRowsPerFile_RollsUnpartitionedFiles_RowsInOrder()
    {
        WriteFile(Path.Combine(Input, "f.parquet"), 2, 500, 0);

        JobResult result = new LocalExecutor(new ExecutionOptions { MaxRowsPerFile = 300 }).Run(Pipeline(Doubling()), Input, Output);

        Assert.Equal(["part-00000-1.parquet", "part-00000-2.parquet", "part-00000-3.parquet", "part-00000.parquet"], Files(Output));
        Assert.Equal([300L, 300, 300, 100], result.Sinks[0].Files.Select(RowsOf));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => 2L * i), result.Sinks[0].Files.SelectMany(ReadFileLongs));
    }

    [Fact]
    public void MaxRowsPerFile_RollsEachPartitionFolderOnItsOwn()
    {
        WriteFile(Path.Combine(Input, "f.parquet"), 1, 1000, 0);

        JobResult result = new LocalExecutor(By("Key") with { MaxRowsPerFile = 150 }).Run(ByKey(x => x < 200 ? "small" : "large"), Input, Output);

        Assert.Equal(
            ["Key=large/part-00000-1.parquet", "Key=large/part-00000-2.parquet", "Key=large/part-00000-3.parquet", "Key=large/part-00000-4.parquet", "Key=large/part-00000-5.parquet", "Key=large/part-00000.parquet", "Key=small/part-00000-1.parquet", "Key=small/part-00000.parquet"],
            Files(Output));
        Assert.Equal([150L, 50, 150, 150, 150, 150, 150, 50], result.Sinks[0].Files.Select(RowsOf));
    }

    [Fact]
    public void MaxBytesPerFile_FilesNearTheLimit_AllRowsInOrder()
    {
        var random = new Random(3);
        long[] values = Enumerable.Range(0, 100_000).Select(_ => random.NextInt64()).ToArray();
        Directory.CreateDirectory(Input);
        using (var writer = new ParquetFileWriter(Path.Combine(Input, "r.parquet"), Numbers))
        {
            writer.WriteBatch(new RecordBatch(Numbers, [PrimitiveColumn<long>.FromArray(ColumnType.Int64, values)], values.Length));
        }
        const long limit = 100_000;

        JobResult result = new LocalExecutor(new ExecutionOptions { MaxBytesPerFile = limit }).Run(Pipeline(Map(x => x)), Input, Output);

        string[] parts = result.Sinks[0].Files.ToArray();
        Assert.InRange(parts.Length, 8, 11); // 800 KB of values
        // Each file stops within 1,024 rows (8 KB here) and a footer of the limit; only the last may be smaller.
        Assert.All(parts, p => Assert.InRange(new FileInfo(p).Length, 1, limit + (1024 * 8) + 4096));
        Assert.All(parts[..^1], p => Assert.True(new FileInfo(p).Length >= limit * 3 / 4, $"{p}: {new FileInfo(p).Length} bytes"));
        Assert.Equal(values, parts.SelectMany(ReadFileLongs));
    }

    [Fact]
    public void FileCount_IsTasksTimesValues_FewerLargerInputPartitionsGiveFewerFiles()
    {
        // One input file of 8 row groups, 5 values in each: a task per row group writes a file per value it meets.
        WriteFile(Path.Combine(Input, "f.parquet"), 8, 100, 0);
        CompiledPipeline pipeline = ByKey(x => "v" + (x % 5));

        JobResult small = new LocalExecutor(By("Key") with { TargetPartitionRows = 100 }).Run(pipeline, Input, Output);
        JobResult large = new LocalExecutor(By("Key") with { TargetPartitionRows = 1_000 }).Run(pipeline, Input, Path.Combine(_root, "out2"));

        Assert.Equal((8, 40), (small.Partitions, small.Sinks[0].Files.Count));
        Assert.Equal((1, 5), (large.Partitions, large.Sinks[0].Files.Count));
        Assert.Equal(800, large.Sinks[0].Rows);
    }

    [Fact]
    public void NoRows_PartitionedSinkHasNoFiles_UnpartitionedOneEmptyPart()
    {
        WriteFile(Path.Combine(Input, "f.parquet"), 1, 10, 0);
        var allow = new ExecutionOptions { AllowEmptyInput = true };
        CompiledPipeline none = new(ByKey(_ => null).Plan, [(batch, _) => new RecordBatch(Keyed, [new StringColumnBuilder().Build(), new ColumnBuilder<long>(ColumnType.Int64, 0, false).Build(0)], 0)]);

        JobResult partitioned = new LocalExecutor(allow with { PartitionBy = By("Key").PartitionBy }).Run(none, Input, Output);
        JobResult flat = new LocalExecutor(allow).Run(none, Input, Path.Combine(_root, "flat"));

        Assert.Empty(partitioned.Sinks[0].Files);
        Assert.Empty(Files(Output));
        Assert.True(File.Exists(Path.Combine(Output, LocalExecutor.SuccessMarker)));
        Assert.Equal(["part-00000.parquet"], Files(Path.Combine(_root, "flat")));
        Assert.Equal(0, flat.Sinks[0].Rows);
    }

    [Fact]
    public void MoreValuesInEachBatchThanOpenFiles_AFilePerValuePerBatch()
    {
        // 4 batches of 8,192 rows, each with all 20 values: with 4 open files each batch finishes every value's file.
        WriteFile(Path.Combine(Input, "f.parquet"), 1, 4 * PartitionTask.SliceRows, 0);
        CompiledPipeline pipeline = ByKey(x => "v" + (x % 20));

        JobResult thrashing = new LocalExecutor(By("Key") with { MaxOpenFiles = 4 }).Run(pipeline, Input, Output);
        JobResult enough = new LocalExecutor(By("Key") with { MaxOpenFiles = 20 }).Run(pipeline, Input, Path.Combine(_root, "out2"));

        Assert.Equal(4 * 20, thrashing.Sinks[0].Files.Count);
        Assert.Equal(20, enough.Sinks[0].Files.Count);
        Assert.Equal(thrashing.Sinks[0].Rows, enough.Sinks[0].Rows);
    }

    [Fact]
    public void NestedColumnInAPartitionedSink_WrittenRunByRun_DuckDbReadsTheLists()
    {
        var element = new ColumnField("element", ColumnType.Int64, false);
        var schema = new BatchSchema(new ColumnField("Key", ColumnType.String, false), new ColumnField("x", ColumnType.Int64, false), new ColumnField("Tags", ColumnType.List, true) { Children = [element] });
        CompiledPipeline pipeline = Single("lists", schema, (input, _) =>
        {
            ReadOnlySpan<long> x = input.GetPrimitive<long>("x", ColumnType.Int64).Values;
            int n = x.Length;
            var keys = new StringColumnBuilder(ColumnType.String, n);
            var xs = new ColumnBuilder<long>(ColumnType.Int64, n, nullable: false);
            var offsets = new int[n + 1];
            var items = new List<long>();
            for (int i = 0; i < n; i++)
            {
                keys.Append(x[i] % 3 == 0 ? "a" : "b");
                xs.Values[i] = x[i];
                for (int k = 0; k < x[i] % 3; k++)
                {
                    items.Add((x[i] * 10) + k);
                }
                offsets[i + 1] = items.Count;
            }
            var tags = new ListColumn(ColumnType.List, offsets, n, PrimitiveColumn<long>.FromArray(ColumnType.Int64, [.. items]), null);
            return new RecordBatch(schema, [keys.Build(), xs.Build(n), tags], n);
        });
        WriteFile(Path.Combine(Input, "f.parquet"), 1, 30, 0);

        new LocalExecutor(By("Key")).Run(pipeline, Input, Output);

        Assert.Equal(["Key=a/part-00000.parquet", "Key=b/part-00000.parquet"], Files(Output));
        var rows = DuckDbRows(Output, "x, Key, CAST(Tags AS VARCHAR)");
        Assert.Equal(["4", "b", "[40]"], rows[4]);
        Assert.Equal(["5", "b", "[50, 51]"], rows[5]);
        Assert.Equal(["6", "a", "[]"], rows[6]);
    }

    [Fact]
    public void Manifest_ListsEachFileWithItsFolderAndPartitionValues()
    {
        WriteFile(Path.Combine(Input, "f.parquet"), 1, 30, 0);

        new LocalExecutor(By("Country", "Year")).Run(Typed6(), Input, Output);

        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Output, LocalExecutor.ManifestFile)));
        JsonElement sink = manifest.RootElement.GetProperty("outputs")[0];
        Assert.Equal(["Country", "Year"], sink.GetProperty("partitionBy").EnumerateArray().Select(e => e.GetString()));
        JsonElement[] files = sink.GetProperty("files").EnumerateArray().ToArray();
        Assert.Equal(6, files.Length);
        JsonElement fr = files.Single(f => f.GetProperty("path").GetString() == "Country=FR/Year=2024/part-00000.parquet");
        Assert.Equal("Country=FR/Year=2024", fr.GetProperty("partitionPath").GetString());
        Assert.Equal("FR", fr.GetProperty("partition").GetProperty("Country").GetString());
        Assert.Equal(2024, fr.GetProperty("partition").GetProperty("Year").GetInt32());
        foreach (JsonElement file in files)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(Output, file.GetProperty("path").GetString()!));
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), file.GetProperty("sha256").GetString());
        }
        Assert.Equal(30, files.Sum(f => f.GetProperty("rows").GetInt64()));
    }

    [Theory]
    [InlineData("Contry", "Sink 'Tag' has no column 'Contry' to partition by. Its columns are Country (String), Year (Int32), x (Int64), Day (Date), Flag (Boolean), Score (Double).")]
    [InlineData("Score", "Sink 'Tag' cannot be partitioned by column 'Score' (Double): floating-point values do not name folders exactly")]
    public void BadPartitionColumn_RefusedBeforeAnyWork(string column, string message)
    {
        WriteFile(Path.Combine(Input, "f.parquet"), 1, 3, 0);

        var error = Assert.Throws<ArgumentException>(() => new LocalExecutor(By(column)).Run(Typed6(), Input, Output));

        Assert.StartsWith(message, error.Message);
        Assert.False(Directory.Exists(Output));
    }

    [Fact]
    public void PartitionColumnsForAStageThatIsNotASink_Refused()
    {
        WriteFile(Path.Combine(Input, "f.parquet"), 1, 3, 0);
        var options = new ExecutionOptions { PartitionBy = new Dictionary<string, IReadOnlyList<string>> { ["Nope"] = ["Country"] } };

        var error = Assert.Throws<ArgumentException>(() => new LocalExecutor(options).Run(Typed6(), Input, Output));

        Assert.Equal("Partition columns are given for 'Nope', which is not a sink of pipeline 'typed'. Sinks are 'Tag'.", error.Message);
    }

    private static long RowsOf(string file)
    {
        using var reader = new ParquetFileReader(file);
        return reader.Metadata.NumRows;
    }

    private static List<long> ReadFileLongs(string file)
    {
        var values = new List<long>();
        using var reader = new ParquetFileReader(file);
        for (int rg = 0; rg < reader.RowGroupCount; rg++)
        {
            using RecordBatch batch = reader.ReadRowGroup(rg, ["x"]);
            values.AddRange(batch.GetPrimitive<long>("x", ColumnType.Int64).Values.ToArray());
        }
        return values;
    }
}

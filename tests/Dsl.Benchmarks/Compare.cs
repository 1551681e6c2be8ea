using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text;
using Dsl.Parquet;
using Dsl.Parquet.Metadata;
using Dsl.Testing;

namespace Dsl.Benchmarks;

/// <summary>
/// End-to-end comparison with DuckDB on one file: writes a multi-million-row SNAPPY file of mixed types with our
/// writer, then runs each measurement in a fresh child process (so each one's peak memory is its own) and prints a
/// table: (a) reading every column and aggregating it (count and sum per column) with our reader on one and two
/// threads (row groups partitioned between them) against DuckDB with <c>SET threads=1</c> / <c>2</c>; (b) writing the
/// same rows, already in memory, with our writer against DuckDB's <c>COPY ... TO (FORMAT parquet)</c>.
/// </summary>
/// <remarks>
/// Options: <c>--rows N</c> (default 5,000,000), <c>--repeat R</c> (default 3; the fastest run counts, memory is the
/// largest seen), <c>--dir PATH</c> (default a folder under the temp folder).
/// </remarks>
internal static class Compare
{
    public const string ChildCommand = "__compare-child";
    private const int RowGroupRows = 500_000;

    private static readonly string[] Columns = ["id", "user_id", "amount", "score", "flag", "country", "ts", "note"];

    public static int Run(string[] args)
    {
        int rows = IntOption(args, "--rows", 5_000_000);
        int repeat = IntOption(args, "--repeat", 3);
        string dir = StringOption(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "dsl-bench-compare");
        Directory.CreateDirectory(dir);
        string input = Path.Combine(dir, "input.parquet");
        Console.WriteLine($"DuckDB {DuckDb.Version}; .NET {Environment.Version}; {Environment.ProcessorCount} cores; {rows:N0} rows; best of {repeat}.");
        var generate = Stopwatch.StartNew();
        Generate(input, rows);
        Console.WriteLine($"Wrote {input} ({new FileInfo(input).Length / 1e6:F1} MB, SNAPPY, row groups of {RowGroupRows:N0}) in {generate.Elapsed.TotalSeconds:F1} s.");

        var results = new List<(string Name, Measurement Ours, Measurement Duck)>
        {
            ("read all columns, 1 thread", Measure(repeat, "read-ours", input, "1"), Measure(repeat, "read-duckdb", input, "1")),
            ("read all columns, 2 threads", Measure(repeat, "read-ours", input, "2"), Measure(repeat, "read-duckdb", input, "2")),
            ("write SNAPPY, 1 thread", Measure(repeat, "write-ours", input, Path.Combine(dir, "ours-out.parquet")), Measure(repeat, "write-duckdb", input, Path.Combine(dir, "duck-out.parquet"), "1")),
        };
        foreach ((string name, Measurement ours, Measurement duck) in results.Take(2))
        {
            if (ours.Check != duck.Check)
            {
                Console.Error.WriteLine($"warning: {name}: the aggregates differ.\n  ours:   {ours.Check}\n  duckdb: {duck.Check}");
            }
        }
        var table = new StringBuilder();
        table.AppendLine("| scenario | ours (s) | DuckDB (s) | ours / DuckDB | ours process (s) | DuckDB process (s) | ours peak RSS (MB) | DuckDB peak RSS (MB) |");
        table.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach ((string name, Measurement ours, Measurement duck) in results)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {ours.Seconds:F2} | {duck.Seconds:F2} | {ours.Seconds / duck.Seconds:F2}x | {ours.ProcessSeconds:F2} | {duck.ProcessSeconds:F2} | {ours.PeakMb:F0} | {duck.PeakMb:F0} |");
        }
        Console.WriteLine();
        Console.Write(table);
        Console.WriteLine();
        Console.WriteLine($"Output sizes: ours {new FileInfo(Path.Combine(dir, "ours-out.parquet")).Length / 1e6:F1} MB, DuckDB {new FileInfo(Path.Combine(dir, "duck-out.parquet")).Length / 1e6:F1} MB.");
        Console.WriteLine($"Aggregates (ours): {results[0].Ours.Check}");
        return 0;
    }

    private sealed record Measurement(double Seconds, double ProcessSeconds, double PeakMb, string Check);

    private static Measurement Measure(int repeat, params string[] childArgs)
    {
        double best = double.MaxValue;
        double bestProcess = double.MaxValue;
        double peak = 0;
        string check = "";
        string self = Environment.ProcessPath!;
        string? entry = typeof(Compare).Assembly.Location;
        for (int i = 0; i < repeat; i++)
        {
            var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                psi.ArgumentList.Add(entry);
            }
            psi.ArgumentList.Add(ChildCommand);
            foreach (string a in childArgs)
            {
                psi.ArgumentList.Add(a);
            }
            var clock = Stopwatch.StartNew();
            using Process process = Process.Start(psi)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            double processSeconds = clock.Elapsed.TotalSeconds;
            string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
            if (process.ExitCode != 0 || line is null)
            {
                throw new InvalidOperationException($"The child '{string.Join(' ', childArgs)}' failed with exit code {process.ExitCode}: {output}");
            }
            string[] parts = line.Split(' ', 4);
            best = Math.Min(best, double.Parse(parts[1], CultureInfo.InvariantCulture));
            bestProcess = Math.Min(bestProcess, processSeconds);
            peak = Math.Max(peak, double.Parse(parts[2], CultureInfo.InvariantCulture));
            check = parts[3].Trim();
        }
        Console.WriteLine($"  {string.Join(' ', childArgs.Select(Path.GetFileName))}: {best:F2} s, peak {peak:F0} MB");
        return new Measurement(best, bestProcess, peak, check);
    }

    /// <summary>One measurement; prints <c>RESULT seconds peakMB check</c>.</summary>
    public static int RunChild(string[] args)
    {
        string what = args[0];
        string input = args[1];
        TimeSpan jitBefore = System.Runtime.JitInfo.GetCompilationTime();
        double seconds;
        string check;
        switch (what)
        {
            case "read-ours":
            {
                var clock = Stopwatch.StartNew();
                check = ReadOurs(input, int.Parse(args[2], CultureInfo.InvariantCulture));
                seconds = clock.Elapsed.TotalSeconds;
                break;
            }
            case "read-ours-columns":
            {
                // Diagnostic: time each column alone (one thread), to find the slowest decoder; an optional third
                // argument names the columns (comma-separated) and a fourth the repetitions, for profiling one.
                var clock = Stopwatch.StartNew();
                var report = new List<string>();
                using var reader = new ParquetFileReader(input);
                string[] chosen = args.Length > 2 ? args[2].Split(',') : Columns;
                int repetitions = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
                foreach (string column in chosen)
                {
                    int gen2 = GC.CollectionCount(2);
                    long allocated = GC.GetTotalAllocatedBytes();
                    var one = Stopwatch.StartNew();
                    for (int rep = 0; rep < repetitions; rep++)
                    {
                        for (int rg = 0; rg < reader.RowGroupCount; rg++)
                        {
                            using RecordBatch batch = reader.ReadRowGroup(rg, [column]);
                        }
                    }
                    report.Add(string.Create(CultureInfo.InvariantCulture, $"{column}={one.Elapsed.TotalMilliseconds / repetitions:F0}ms/{(GC.GetTotalAllocatedBytes() - allocated) / (repetitions * 1e6):F0}MB/{(GC.CollectionCount(2) - gen2) / (double)repetitions:F1}gc2"));
                }
                seconds = clock.Elapsed.TotalSeconds;
                check = string.Join(',', report);
                break;
            }
            case "read-duckdb":
            {
                using var duck = DuckDb.Open();
                duck.Execute($"SET threads={int.Parse(args[2], CultureInfo.InvariantCulture)}");
                var clock = Stopwatch.StartNew();
                check = ReadDuckDb(duck, input);
                seconds = clock.Elapsed.TotalSeconds;
                break;
            }
            case "write-ours":
            {
                var batches = new List<RecordBatch>();
                BatchSchema schema;
                using (var reader = new ParquetFileReader(input))
                {
                    schema = reader.Schema;
                    for (int rg = 0; rg < reader.RowGroupCount; rg++)
                    {
                        batches.Add(reader.ReadRowGroup(rg));
                    }
                }
                var clock = Stopwatch.StartNew();
                using (var writer = new ParquetFileWriter(args[2], schema, new ParquetWriteOptions { Compression = CompressionCodec.Snappy, RowGroupRows = RowGroupRows }))
                {
                    foreach (RecordBatch batch in batches)
                    {
                        writer.WriteBatch(batch);
                    }
                }
                seconds = clock.Elapsed.TotalSeconds;
                check = new FileInfo(args[2]).Length.ToString(CultureInfo.InvariantCulture);
                break;
            }
            case "write-duckdb":
            {
                using var duck = DuckDb.Open();
                duck.Execute($"CREATE TABLE t AS SELECT * FROM read_parquet({DuckDb.Literal(input)})");
                duck.Execute($"SET threads={int.Parse(args[3], CultureInfo.InvariantCulture)}");
                var clock = Stopwatch.StartNew();
                duck.Execute($"COPY t TO {DuckDb.Literal(args[2])} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE {RowGroupRows})");
                seconds = clock.Elapsed.TotalSeconds;
                check = new FileInfo(args[2]).Length.ToString(CultureInfo.InvariantCulture);
                break;
            }
            default:
                Console.Error.WriteLine($"Unknown measurement '{what}'.");
                return 2;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {seconds:F4} {PeakRssMb():F1} {check}"));
        if (Environment.GetEnvironmentVariable("DSL_BENCH_GC") == "1")
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: GCs gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)}; pauses {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms; allocated {GC.GetTotalAllocatedBytes() / 1e6:F0} MB; JIT {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0} ms for {System.Runtime.JitInfo.GetCompiledMethodCount()} methods, {(System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalMilliseconds:F0} ms of it during the measurement"));
        }
        return 0;
    }

    private static double PeakRssMb()
    {
        // VmHWM: the resident set's high-water mark, the same figure /usr/bin/time reports as maximum resident set size.
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
        }
        return double.NaN;
    }

    private sealed class Totals
    {
        public readonly long[] Counts = new long[Columns.Length];
        public readonly double[] Sums = new double[Columns.Length];

        public void Add(Totals other)
        {
            for (int i = 0; i < Counts.Length; i++)
            {
                Counts[i] += other.Counts[i];
                Sums[i] += other.Sums[i];
            }
        }

        public override string ToString() =>
            string.Join(';', Columns.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"{c}:{Counts[i]}:{Sums[i]:E6}")));
    }

    private static string ReadOurs(string path, int threads)
    {
        int groups;
        using (var probe = new ParquetFileReader(path))
        {
            groups = probe.RowGroupCount;
        }
        var parts = new Totals[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var totals = new Totals();
            using var reader = new ParquetFileReader(path);
            for (int rg = t; rg < groups; rg += threads)
            {
                using RecordBatch batch = reader.ReadRowGroup(rg);
                Aggregate(batch, totals);
            }
            parts[t] = totals;
        });
        var all = new Totals();
        foreach (Totals part in parts)
        {
            all.Add(part);
        }
        return all.ToString();
    }

    // The consumer of the read: a count and a sum per column, computed with vector loops as DuckDB's SUM is, so the
    // comparison measures reading rather than a scalar summation loop. Nulls decode as 0 (and as entry 0 for strings,
    // which the validity masks out), so summing every slot sums the non-null values.
    private static void Aggregate(RecordBatch batch, Totals totals)
    {
        for (int c = 0; c < Columns.Length; c++)
        {
            Column column = batch[Columns[c]];
            totals.Counts[c] += column.Length - column.NullCount;
            totals.Sums[c] += column switch
            {
                PrimitiveColumn<int> ints => SumInts(ints.Values),
                PrimitiveColumn<long> longs => SumLongs(longs.Values),
                PrimitiveColumn<double> doubles => SumDoubles(doubles.Values),
                PrimitiveColumn<float> floats => SumFloats(floats.Values),
                PrimitiveColumn<bool> bools => SumBools(bools.Values),
                StringColumn strings => SumLengths(strings),
                _ => throw new InvalidOperationException($"Column {Columns[c]} has an unexpected type."),
            };
        }
    }

    private static double SumDoubles(ReadOnlySpan<double> values)
    {
        var acc0 = Vector256<double>.Zero;
        var acc1 = Vector256<double>.Zero;
        int i = 0;
        for (; i + 8 <= values.Length; i += 8)
        {
            acc0 += Vector256.Create(values.Slice(i, 4));
            acc1 += Vector256.Create(values.Slice(i + 4, 4));
        }
        double sum = Vector256.Sum(acc0 + acc1);
        for (; i < values.Length; i++)
        {
            sum += values[i];
        }
        return sum;
    }

    private static double SumFloats(ReadOnlySpan<float> values)
    {
        // Widened to double before adding, as DuckDB sums FLOAT columns as DOUBLE.
        var acc0 = Vector256<double>.Zero;
        var acc1 = Vector256<double>.Zero;
        int i = 0;
        for (; i + 8 <= values.Length; i += 8)
        {
            (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(Vector256.Create(values.Slice(i, 8)));
            acc0 += lower;
            acc1 += upper;
        }
        double sum = Vector256.Sum(acc0 + acc1);
        for (; i < values.Length; i++)
        {
            sum += values[i];
        }
        return sum;
    }

    private static double SumLongs(ReadOnlySpan<long> values)
    {
        // In double: timestamps' microsecond sums overflow a long.
        var acc = Vector256<double>.Zero;
        int i = 0;
        for (; i + 4 <= values.Length; i += 4)
        {
            acc += Vector256.ConvertToDouble(Vector256.Create(values.Slice(i, 4)));
        }
        double sum = Vector256.Sum(acc);
        for (; i < values.Length; i++)
        {
            sum += values[i];
        }
        return sum;
    }

    private static double SumInts(ReadOnlySpan<int> values)
    {
        var acc = Vector256<long>.Zero;
        int i = 0;
        for (; i + 8 <= values.Length; i += 8)
        {
            (Vector256<long> lower, Vector256<long> upper) = Vector256.Widen(Vector256.Create(values.Slice(i, 8)));
            acc += lower + upper;
        }
        long sum = Vector256.Sum(acc);
        for (; i < values.Length; i++)
        {
            sum += values[i];
        }
        return sum;
    }

    private static double SumBools(ReadOnlySpan<bool> values) => values.Length - values.Count(false);

    private static double SumLengths(StringColumn strings)
    {
        ReadOnlySpan<int> offsets = strings.Dictionary.Offsets;
        ReadOnlySpan<int> indices = strings.Indices;
        long sum = 0;
        if (strings.Dictionary.Count == 0)
        {
            return 0; // every row is null
        }
        if (strings.Validity is not { } validity)
        {
            foreach (int e in indices)
            {
                sum += offsets[e + 1] - offsets[e];
            }
            return sum;
        }
        ReadOnlySpan<ulong> words = validity.Words;
        for (int r = 0; r < indices.Length; r++)
        {
            int e = indices[r];
            long valid = (long)(words[r >> 6] >> r) & 1;
            sum += valid * (offsets[e + 1] - offsets[e]);
        }
        return sum;
    }

    private static string ReadDuckDb(DuckDb duck, string path)
    {
        var select = new List<string>();
        foreach (string c in Columns)
        {
            select.Add($"count({c})");
            select.Add(c switch
            {
                "flag" => "sum(flag::INTEGER)::DOUBLE",
                "country" or "note" => $"sum(strlen({c}))::DOUBLE",
                "ts" => "sum(epoch_us(ts)::DOUBLE)",
                _ => $"sum({c})::DOUBLE",
            });
        }
        IReadOnlyList<string?> row = duck.QueryRows($"SELECT {string.Join(", ", select)} FROM read_parquet({DuckDb.Literal(path)})")[0];
        var totals = new Totals();
        for (int i = 0; i < Columns.Length; i++)
        {
            totals.Counts[i] = long.Parse(row[2 * i]!, CultureInfo.InvariantCulture);
            totals.Sums[i] = double.Parse(row[(2 * i) + 1]!, CultureInfo.InvariantCulture);
        }
        return totals.ToString();
    }

    private static void Generate(string path, int rows)
    {
        var schema = new BatchSchema(
            new ColumnField("id", ColumnType.Int64, false),
            new ColumnField("user_id", ColumnType.Int32, false),
            new ColumnField("amount", ColumnType.Double, false),
            new ColumnField("score", ColumnType.Float, true),
            new ColumnField("flag", ColumnType.Boolean, false),
            new ColumnField("country", ColumnType.String, false),
            new ColumnField("ts", ColumnType.Timestamp, false),
            new ColumnField("note", ColumnType.String, true));
        string[] countries = [.. Enumerable.Range(0, 200).Select(i => $"country-{i:D3}")];
        var random = new Random(20261122);
        const int batchRows = 100_000;
        long ts = 1_700_000_000_000_000;
        using var writer = new ParquetFileWriter(path, schema, new ParquetWriteOptions { Compression = CompressionCodec.Snappy, RowGroupRows = RowGroupRows });
        for (int start = 0; start < rows; start += batchRows)
        {
            int n = Math.Min(batchRows, rows - start);
            var id = new ColumnBuilder<long>(ColumnType.Int64, n, nullable: false);
            var user = new ColumnBuilder<int>(ColumnType.Int32, n, nullable: false);
            var amount = new ColumnBuilder<double>(ColumnType.Double, n, nullable: false);
            var score = new ColumnBuilder<float>(ColumnType.Float, n, nullable: true);
            var flag = new ColumnBuilder<bool>(ColumnType.Boolean, n, nullable: false);
            var country = new StringColumnBuilder(ColumnType.String, n);
            var time = new ColumnBuilder<long>(ColumnType.Timestamp, n, nullable: false);
            var note = new StringColumnBuilder(ColumnType.String, n);
            for (int r = 0; r < n; r++)
            {
                id.Values[r] = start + r;
                user.Values[r] = random.Next(1_000_000);
                amount.Values[r] = Math.Round(random.NextDouble() * 1000, 2);
                score.Values[r] = (float)random.NextDouble();
                score.Validity!.Set(r, random.Next(10) != 0);
                flag.Values[r] = random.Next(2) == 0;
                country.Append(countries[random.Next(countries.Length)]);
                ts += random.Next(0, 2_000_000);
                time.Values[r] = ts;
                note.Append(random.Next(5) == 0 ? null : "note-" + random.Next(100_000).ToString(CultureInfo.InvariantCulture));
            }
            using var batch = new RecordBatch(schema, [id.Build(n), user.Build(n), amount.Build(n), score.Build(n), flag.Build(n), country.Build(), time.Build(n), note.Build()], n);
            writer.WriteBatch(batch);
        }
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        StringOption(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? StringOption(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}

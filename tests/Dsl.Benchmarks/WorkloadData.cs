using System.Globalization;
using System.Text.Json;
using Dsl.Parquet;
using Dsl.Parquet.Metadata;

namespace Dsl.Benchmarks;

/// <summary>
/// <c>workload-data</c>: writes the input of the W1–W4 workloads (tests/Dsl.Benchmarks/workloads/README.md) as Snappy
/// Parquet: <c>transactions/part-NNNNN.parquet</c> (the rows spread evenly over the files) and
/// <c>countries/countries.parquet</c> (the dimension table), then <c>workload-data.json</c> naming the parameters, last,
/// so a folder without it is incomplete. The same parameters give the same bytes, on any machine and with any number
/// of threads. Row i's values depend only on the seed and i: they are draws i × <see cref="DrawsPerRow"/> onwards of
/// one SplitMix64 sequence (never <see cref="Random"/>, whose sequence .NET does not promise to keep), so the rows
/// are the same however many files they are spread over, and the first N rows of a larger input are the N rows of a
/// smaller one. Values are computed with +, −, ×, ÷ and comparisons only (exact in IEEE-754, unlike
/// <see cref="Math.Log(double)"/> or <see cref="Math.Pow"/>, which may differ between platforms).
/// </summary>
/// <remarks>Options: <c>--rows N</c> (default 10,000,000), <c>--files F</c> (default 8), <c>--seed S</c> (default
/// 20261214), <c>--output DIR</c> (required).</remarks>
internal static class WorkloadData
{
    /// <summary>The format named in workload-data.json; compare-workloads.sh regenerates data of another. Change it whenever the bytes written change.</summary>
    public const string Format = "dsl-workload-data/1";

    /// <summary>Users the transactions are spread over, Zipf-skewed (the user of rank k has weight 1/k).</summary>
    public const int Users = 250_000;

    /// <summary>Merchants, skewed towards low ids (density ∝ 1/√id).</summary>
    public const int Merchants = 50_000;

    /// <summary>Rows of the dimension table.</summary>
    public const int Countries = 200;

    /// <summary>Codes that occur in transactions but not in the dimension table (so an inner join drops them).</summary>
    public static readonly string[] UnknownCodes = ["XA", "XB", "XC", "XD"];

    /// <summary>Country values that break the <c>[A-Z]{2}</c> rule (W4's invalid countries).</summary>
    public static readonly string[] InvalidCodes = ["us", "", "U5", "GBR"];

    /// <summary>Regions of the dimension table.</summary>
    public static readonly string[] Regions = ["Africa", "Americas", "Asia", "Europe", "MiddleEast", "Oceania"];

    /// <summary>Transactions fall in [2026-01-01, 2026-04-01) (90 days), but for <see cref="InvalidTsRate"/>.</summary>
    public static readonly DateTime FirstDay = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    private const double AmountNullRate = 0.02;
    private const double AmountNegativeRate = 0.001;
    private const double SessionNullRate = 0.05;
    private const double SessionNegativeRate = 0.0005;
    private const double SessionTooLongRate = 0.0005;
    private const double CountryNullRate = 0.002;
    private const double CountryInvalidRate = 0.0005;
    private const double CountryUnknownRate = 0.005;
    private const double InvalidTsRate = 0.0002;
    private const long DayMicros = 86_400_000_000L;
    private const int BatchRows = 65_536;

    /// <summary>The draws reserved for one row (it uses 11).</summary>
    private const ulong DrawsPerRow = 16;
    private const int RowGroupRows = 500_000;

    /// <summary>The schema of the transactions.</summary>
    public static BatchSchema TransactionSchema { get; } = new(
        new ColumnField("TxId", ColumnType.Int64, false),
        new ColumnField("UserId", ColumnType.Int64, false),
        new ColumnField("MerchantId", ColumnType.Int64, false),
        new ColumnField("Ts", ColumnType.Timestamp, false),
        new ColumnField("Country", ColumnType.String, true),
        new ColumnField("Amount", ColumnType.Double, true),
        new ColumnField("SessionSeconds", ColumnType.Double, true),
        new ColumnField("Label", ColumnType.Boolean, false));

    /// <summary>The schema of the dimension table.</summary>
    public static BatchSchema CountrySchema { get; } = new(
        new ColumnField("Code", ColumnType.String, false),
        new ColumnField("Name", ColumnType.String, false),
        new ColumnField("Region", ColumnType.String, false),
        new ColumnField("RiskWeight", ColumnType.Double, false));

    public static int Run(string[] args)
    {
        long rows = LongOption(args, "--rows", 10_000_000);
        int files = (int)LongOption(args, "--files", 8);
        long seed = LongOption(args, "--seed", 20261214);
        string? output = StringOption(args, "--output");
        if (output is null || rows < 1 || files < 1 || files > rows)
        {
            Console.Error.WriteLine("Usage: workload-data --output DIR [--rows N (default 10000000)] [--files F (default 8, at most N)] [--seed S]");
            return 2;
        }
        string manifest = Path.Combine(output, "workload-data.json");
        if (File.Exists(manifest))
        {
            File.Delete(manifest);
        }
        string transactions = Path.Combine(output, "transactions");
        string countries = Path.Combine(output, "countries");
        foreach (string dir in new[] { transactions, countries })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
            Directory.CreateDirectory(dir);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        WriteCountries(Path.Combine(countries, "countries.parquet"));
        var tables = new Tables();
        Parallel.For(0, files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, f =>
        {
            long first = rows * f / files;
            long end = rows * (f + 1) / files;
            WriteTransactions(Path.Combine(transactions, $"part-{f:D5}.parquet"), first, end - first, Start(seed), tables);
        });
        long bytes = new DirectoryInfo(transactions).EnumerateFiles().Sum(f => f.Length);
        using (var stream = File.Create(manifest))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("rows", rows);
            json.WriteNumber("files", files);
            json.WriteNumber("seed", seed);
            json.WriteNumber("transactionBytes", bytes);
            json.WriteString("writer", ParquetFileWriter.CreatedBy);
            json.WriteEndObject();
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {rows:N0} transactions in {files} files ({bytes / 1048576.0:F0} MiB) and {Countries} countries to {output} in {clock.Elapsed.TotalSeconds:F1} s."));
        return 0;
    }

    /// <summary>The code of dimension row <paramref name="index"/>: two capital letters, the first never X (X* codes are the unknown ones).</summary>
    public static string CountryCode(int index)
    {
        const string first = "ABCDEFGHIJKLMNOPQRSTUVWYZ";
        const string second = "AEIMOSUY";
        return string.Concat(first[index / second.Length], second[index % second.Length]);
    }

    private static void WriteCountries(string path)
    {
        var code = new StringColumnBuilder(ColumnType.String, Countries);
        var name = new StringColumnBuilder(ColumnType.String, Countries);
        var region = new StringColumnBuilder(ColumnType.String, Countries);
        var weight = new ColumnBuilder<double>(ColumnType.Double, Countries, nullable: false);
        for (int i = 0; i < Countries; i++)
        {
            code.Append(CountryCode(i));
            name.Append("Country " + CountryCode(i));
            region.Append(Regions[i % Regions.Length]);
            weight.Values[i] = (50 + (i * 37 % 100)) / 100.0;
        }
        using var batch = new RecordBatch(CountrySchema, [code.Build(), name.Build(), region.Build(), weight.Build(Countries)], Countries);
        using var writer = new ParquetFileWriter(path, CountrySchema, new ParquetWriteOptions { Compression = CompressionCodec.Snappy });
        writer.WriteBatch(batch);
    }

    private static void WriteTransactions(string path, long firstRow, long rows, ulong start, Tables tables)
    {
        long firstMicros = Timestamps.ToMicros(FirstDay);
        using var writer = new ParquetFileWriter(path, TransactionSchema, new ParquetWriteOptions { Compression = CompressionCodec.Snappy, RowGroupRows = RowGroupRows });
        for (long done = 0; done < rows; done += BatchRows)
        {
            int n = (int)Math.Min(BatchRows, rows - done);
            var txId = new ColumnBuilder<long>(ColumnType.Int64, n, nullable: false);
            var user = new ColumnBuilder<long>(ColumnType.Int64, n, nullable: false);
            var merchant = new ColumnBuilder<long>(ColumnType.Int64, n, nullable: false);
            var ts = new ColumnBuilder<long>(ColumnType.Timestamp, n, nullable: false);
            var country = new StringColumnBuilder(ColumnType.String, n);
            var amount = new ColumnBuilder<double>(ColumnType.Double, n, nullable: true);
            var session = new ColumnBuilder<double>(ColumnType.Double, n, nullable: true);
            var label = new ColumnBuilder<bool>(ColumnType.Boolean, n, nullable: false);
            for (int r = 0; r < n; r++)
            {
                long row = firstRow + done + r;
                var random = SplitMix64.At(start, (ulong)row * DrawsPerRow);
                txId.Values[r] = row;
                // A user's rank is Zipf-distributed; ranks map to ids by a multiplier coprime to Users, so the heavy
                // users are spread over the id range.
                long rank = tables.UserRank(random.NextDouble());
                user.Values[r] = 1 + ((rank - 1) * 104_729 % Users);
                double m = random.NextDouble();
                merchant.Values[r] = 1 + (long)(m * m * Merchants);
                double tsDraw = random.NextDouble();
                ts.Values[r] = random.NextDouble() < InvalidTsRate
                    ? firstMicros - (1 + (long)(tsDraw * 365 * DayMicros))
                    : firstMicros + (long)(tsDraw * 90 * DayMicros);
                country.Append(Country(ref random, tables));

                double draw = random.NextDouble();
                double a = random.NextDouble();
                // Cents from 1 to 500,000, skewed to small amounts (a³); division by 100 is exact in IEEE-754.
                double value = (1 + (long)(a * a * a * 500_000)) / 100.0;
                if (draw < AmountNullRate)
                {
                    amount.Validity!.Set(r, false);
                }
                else
                {
                    amount.Values[r] = draw < AmountNullRate + AmountNegativeRate ? -value : value;
                }

                draw = random.NextDouble();
                double s = (1 + (long)(random.NextDouble() * 36_000)) / 10.0;
                if (draw < SessionNullRate)
                {
                    session.Validity!.Set(r, false);
                }
                else
                {
                    session.Values[r] = draw < SessionNullRate + SessionNegativeRate ? -s
                        : draw < SessionNullRate + SessionNegativeRate + SessionTooLongRate ? 86_400 + (s * 10)
                        : s;
                }
                // Labels are rarer for small amounts: 2%, and 10% above 2,000.
                label.Values[r] = random.NextDouble() < (value > 2000 ? 0.10 : 0.02);
            }
            using var batch = new RecordBatch(TransactionSchema, [txId.Build(n), user.Build(n), merchant.Build(n), ts.Build(n), country.Build(), amount.Build(n), session.Build(n), label.Build(n)], n);
            writer.WriteBatch(batch);
        }
    }

    private static string? Country(ref SplitMix64 random, Tables tables)
    {
        double draw = random.NextDouble();
        double pick = random.NextDouble();
        if (draw < CountryNullRate)
        {
            return null;
        }
        if (draw < CountryNullRate + CountryInvalidRate)
        {
            return InvalidCodes[(int)(pick * InvalidCodes.Length)];
        }
        if (draw < CountryNullRate + CountryInvalidRate + CountryUnknownRate)
        {
            return UnknownCodes[(int)(pick * UnknownCodes.Length)];
        }
        // Zipf over the dimension's codes too; rank k is code (k × 37) mod 200.
        int rank = tables.CountryRank(pick);
        return tables.Codes[(rank - 1) * 37 % Countries];
    }

    // The state the sequence starts from: the seed, mixed once so that nearby seeds give unrelated sequences.
    private static ulong Start(long seed) => new SplitMix64(unchecked((ulong)seed)).Next();

    /// <summary>Cumulative Zipf weights (1/k summed in order, then divided by the total: exact IEEE-754 operations).</summary>
    private sealed class Tables
    {
        private readonly double[] _users = Cumulative(Users);
        private readonly double[] _countries = Cumulative(Countries);

        public string[] Codes { get; } = [.. Enumerable.Range(0, Countries).Select(CountryCode)];

        public long UserRank(double u) => Rank(_users, u);

        public int CountryRank(double u) => (int)Rank(_countries, u);

        private static double[] Cumulative(int n)
        {
            var cumulative = new double[n];
            double sum = 0;
            for (int k = 1; k <= n; k++)
            {
                sum += 1.0 / k;
                cumulative[k - 1] = sum;
            }
            for (int k = 0; k < n; k++)
            {
                cumulative[k] /= sum;
            }
            return cumulative;
        }

        // The first rank whose cumulative weight is above u (1-based).
        private static long Rank(double[] cumulative, double u)
        {
            int lo = 0;
            int hi = cumulative.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] > u)
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }
            return lo + 1;
        }
    }

    private struct SplitMix64(ulong seed)
    {
        private const ulong Gamma = 0x9E3779B97F4A7C15UL;
        private ulong _state = seed;

        // SplitMix64's k-th draw is a function of seed + k × Gamma, so any position is reached in one step.
        public static SplitMix64 At(ulong seed, ulong draw) => new(unchecked(seed + (draw * Gamma)));

        public ulong Next()
        {
            ulong z = _state += Gamma;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
    }

    private static long LongOption(string[] args, string name, long fallback) =>
        StringOption(args, name) is { } text ? long.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? StringOption(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}

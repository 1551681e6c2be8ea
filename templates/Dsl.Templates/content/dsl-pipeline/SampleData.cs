using Dsl.Parquet;
using Dsl.Parquet.Metadata;

namespace Dsl.Pipeline1;

/// <summary>
/// Deterministic synthetic transactions: realistic enough to exercise every stage (refunds, missing sessions, weekend
/// and night traffic, a skewed country mix, and one row in a thousand with a country code the rules do not know, for
/// the quarantine), identical for the same seed on every machine.
/// </summary>
public static class SampleData
{
    private const int BatchRows = 65_536;

    private static readonly string[] Countries = ["US", "GB", "DE", "FR", "IN", "BR", "JP", "NG", "CA", "AU", "ES", "MX"];

    /// <summary>Every this many rows of a file, one has the unknown country code <see cref="UnknownCountry"/>.</summary>
    public const int UnknownCountryEvery = 1_000;

    /// <summary>A code that is not in <see cref="Transaction"/>'s OneOf rule: its rows go to the quarantine.</summary>
    public const string UnknownCountry = "ZZ";

    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>Writes <paramref name="rows"/> transactions over <paramref name="files"/> Snappy-compressed Parquet files.</summary>
    public static IReadOnlyList<string> Write(string outputDirectory, long rows, int files, int seed)
    {
        var written = new List<string>(files);
        for (int f = 0; f < files; f++)
        {
            long fileRows = rows / files + (f < rows % files ? 1 : 0);
            string path = Path.Combine(outputDirectory, $"transactions-{f:D4}.parquet");
            // One generator per file keyed by (seed, file), so files can be produced in any order. Not HashCode.Combine:
            // it is randomized per process, and the same seed must give the same data in every run.
            var random = new Random(unchecked((seed * 1_000_003) + f) & int.MaxValue);
            using (var writer = new ParquetFileWriter(path, Transaction.BatchSchema, new ParquetWriteOptions { Compression = CompressionCodec.Snappy }))
            {
                for (long done = 0; done < fileRows; done += BatchRows)
                {
                    int n = (int)Math.Min(BatchRows, fileRows - done);
                    using RecordBatch batch = Transaction.ToBatch(MakeRows(random, done, n));
                    writer.WriteBatch(batch);
                }
            }
            written.Add(path);
        }
        return written;
    }

    private static Transaction[] MakeRows(Random random, long first, int n)
    {
        var rows = new Transaction[n];
        for (int i = 0; i < n; i++)
        {
            // Countries follow a skewed distribution: the first few dominate, as real traffic does. The unknown code
            // replaces a drawn one (by row number, not drawn itself), so the other values stay those of the seed.
            string country = Countries[(int)(Math.Pow(random.NextDouble(), 2.5) * Countries.Length)];
            if ((first + i) % UnknownCountryEvery == UnknownCountryEvery - 1)
            {
                country = UnknownCountry;
            }
            double amount = Math.Round(Math.Exp(random.NextDouble() * 8) - 1, 2);
            if (random.NextDouble() < 0.03)
            {
                amount = -amount; // refunds
            }
            double? session = random.NextDouble() < 0.05 ? null : Math.Round(random.NextDouble() * 1800, 1);
            DateTime ts = Start.AddSeconds(random.NextInt64(0, 365L * 24 * 3600));
            bool label = random.NextDouble() < 0.01 + (amount > 1000 ? 0.05 : 0);
            rows[i] = new Transaction(random.NextInt64(1, 1_000_000), ts, country, amount, session, label);
        }
        return rows;
    }
}

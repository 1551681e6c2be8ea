using System.Numerics;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Dsl.Execution;

namespace Dsl.Kernels.Benchmarks;

/// <summary>The template's fused filter and feature map (see <see cref="FraudFeatures"/>).</summary>
public class TemplateFeatures : KernelBenchmark
{
    // The stage parameter values of the template's pipeline.yaml; every variant uses the same ones.
    private static readonly AmountScaling Scaling = new(Mean: 371.5, Std: 645.5);

    // Bound once, as a run binds the values of pipeline.yaml before the first batch.
    private static readonly CompiledPipeline Bound = FraudFeatures.Compiled.WithParameters(new StageParameterValues()
        .Set(nameof(AmountScaling), nameof(AmountScaling.Mean), Scaling.Mean)
        .Set(nameof(AmountScaling), nameof(AmountScaling.Std), Scaling.Std));

    protected override CompiledPipeline Pipeline => Bound;

    [GlobalSetup]
    public void Setup()
    {
        Random r = Random();
        string[] countries = ["US", "FR", "DE", "GB", "JP", "BR", "IN", "ES", "IT", "CA", "MX", "NL"];
        long start = new DateTime(2024, 1, 1).Ticks;
        var rows = new List<Transaction>(Rows);
        for (int i = 0; i < Rows; i++)
        {
            rows.Add(new Transaction(
                r.NextInt64(1, 100_000),
                new DateTime(start + r.NextInt64(TimeSpan.TicksPerDay * 365) / 10 * 10),
                countries[r.Next(countries.Length)],
                r.Next(20) == 0 ? -r.NextDouble() * 100 : Math.Round(r.NextDouble() * 2_000, 2),
                r.Next(10) == 0 ? null : r.NextDouble() * 3_600,
                r.Next(50) == 0));
        }
        Input = Transaction.ToBatch(rows);
    }

    [Benchmark(Baseline = true, Description = "row by row: build record, call method")]
    public int RowByRow()
    {
        Columns c = new(Input);
        Builders b = new(c.Amount.Length);
        int count = 0;
        for (int i = 0; i < c.Amount.Length; i++)
        {
            var t = new Transaction(c.UserId[i], Timestamps.FromMicros(c.Ts[i]), c.Strings[c.Indices[i]], c.Amount[i],
                c.SessionValid is null || c.SessionValid.IsValid(i) ? c.Session[i] : null, c.Label[i]);
            if (!FraudFeatures.Valid(t))
            {
                continue;
            }
            Features f = FraudFeatures.Featurize(t, Scaling);
            b.UserId.Values[count] = f.UserId;
            b.LogAmount.Values[count] = f.LogAmount;
            b.AmountZ.Values[count] = f.AmountZ;
            b.Hour.Values[count] = f.Hour;
            b.IsWeekend.Values[count] = f.IsWeekend;
            b.CountryBucket.Values[count] = f.CountryBucket;
            b.SessionMinutes.Values[count] = f.SessionMinutes;
            b.IsHighValue.Values[count] = f.IsHighValue;
            b.Label.Values[count] = f.Label;
            count++;
        }
        return b.Build(count);
    }

    [Benchmark(Description = "hand-written SIMD")]
    public int HandWritten()
    {
        Columns c = new(Input);
        int rows = c.Amount.Length;
        Builders b = new(rows);
        Span<long> userIds = b.UserId.Values;
        Span<double> logAmounts = b.LogAmount.Values;
        Span<double> amountZs = b.AmountZ.Values;
        Span<int> hours = b.Hour.Values;
        Span<bool> weekends = b.IsWeekend.Values;
        Span<int> buckets = b.CountryBucket.Values;
        Span<double> minutes = b.SessionMinutes.Values;
        Span<bool> high = b.IsHighValue.Values;
        Span<bool> labels = b.Label.Values;

        // The bucket of every dictionary entry, once.
        using var rentedBuckets = new Rented<int>(c.Strings.Length);
        int[] bucketOf = rentedBuckets.Array;
        for (int e = 0; e < c.Strings.Length; e++)
        {
            bucketOf[e] = Hashing.Bucket(c.Strings[e], 1024);
        }
        // Pass 1: filter four rows at once (amount >= 0 and a session) into a selection.
        Span<ulong> validWords = c.SessionValid is null ? default : c.SessionValid.Words;
        using var rentedSelection = new Rented<int>(rows);
        int[] selection = rentedSelection.Array;
        int count = 0;
        int i = 0;
        for (; i <= rows - 4; i += 4)
        {
            uint keep = Vector256.GreaterThanOrEqual(Vector256.Create(c.Amount.Slice(i)), Vector256<double>.Zero).ExtractMostSignificantBits();
            if (!validWords.IsEmpty)
            {
                keep &= (uint)(validWords[i >> 6] >> (i & 63)) & 0xF;
            }
            while (keep != 0)
            {
                selection[count++] = i + BitOperations.TrailingZeroCount(keep);
                keep &= keep - 1;
            }
        }
        for (; i < rows; i++)
        {
            if (c.Amount[i] >= 0 && (c.SessionValid is null || c.SessionValid.IsValid(i)))
            {
                selection[count++] = i;
            }
        }

        // Pass 2: the standardized amount of the selected rows, four at a time (gathered, then one vector subtract
        // and divide), with the parameter values read once and broadcast once.
        double mean = Scaling.Mean;
        double std = Scaling.Std;
        Vector256<double> vMean = Vector256.Create(mean);
        Vector256<double> vStd = Vector256.Create(std);
        int z = 0;
        for (; z <= count - 4; z += 4)
        {
            var amounts = Vector256.Create(c.Amount[selection[z]], c.Amount[selection[z + 1]], c.Amount[selection[z + 2]], c.Amount[selection[z + 3]]);
            ((amounts - vMean) / vStd).CopyTo(amountZs.Slice(z));
        }
        for (; z < count; z++)
        {
            amountZs[z] = (c.Amount[selection[z]] - mean) / std;
        }

        // Pass 3: the other features of the selected rows, dates by integer arithmetic, buckets from the table.
        for (int at = 0; at < count; at++)
        {
            int row = selection[at];
            double amount = c.Amount[row];
            long micros = c.Ts[row];
            userIds[at] = c.UserId[row];
            logAmounts[at] = Math.Log(1 + amount);
            hours[at] = Timestamps.HourOf(micros);
            DayOfWeek day = Timestamps.DayOfWeekOf(micros);
            weekends[at] = day is DayOfWeek.Saturday or DayOfWeek.Sunday;
            buckets[at] = bucketOf[c.Indices[row]];
            minutes[at] = c.Session[row] / 60.0;
            high[at] = amount > 1_000;
            labels[at] = c.Label[row];
        }
        return b.Build(count);
    }

    private readonly ref struct Columns
    {
        public Columns(RecordBatch input)
        {
            UserId = input.GetPrimitive<long>("UserId", ColumnType.Int64).Values;
            Ts = input.GetPrimitive<long>("Ts", ColumnType.Timestamp).Values;
            StringColumn country = input.GetString("Country", ColumnType.String);
            Strings = country.Dictionary.Strings;
            Indices = country.Indices;
            Amount = input.GetPrimitive<double>("Amount", ColumnType.Double).Values;
            PrimitiveColumn<double> session = input.GetPrimitive<double>("SessionSeconds", ColumnType.Double);
            Session = session.Values;
            SessionValid = session.Validity;
            Label = input.GetPrimitive<bool>("Label", ColumnType.Boolean).Values;
        }

        public ReadOnlySpan<long> UserId { get; }
        public ReadOnlySpan<long> Ts { get; }
        public string[] Strings { get; }
        public ReadOnlySpan<int> Indices { get; }
        public ReadOnlySpan<double> Amount { get; }
        public ReadOnlySpan<double> Session { get; }
        public ValidityBitmap? SessionValid { get; }
        public ReadOnlySpan<bool> Label { get; }
    }

    private sealed class Builders(int rows)
    {
        public ColumnBuilder<long> UserId { get; } = new(ColumnType.Int64, rows, false);
        public ColumnBuilder<double> LogAmount { get; } = new(ColumnType.Double, rows, false);
        public ColumnBuilder<double> AmountZ { get; } = new(ColumnType.Double, rows, false);
        public ColumnBuilder<int> Hour { get; } = new(ColumnType.Int32, rows, false);
        public ColumnBuilder<bool> IsWeekend { get; } = new(ColumnType.Boolean, rows, false);
        public ColumnBuilder<int> CountryBucket { get; } = new(ColumnType.Int32, rows, false);
        public ColumnBuilder<double> SessionMinutes { get; } = new(ColumnType.Double, rows, false);
        public ColumnBuilder<bool> IsHighValue { get; } = new(ColumnType.Boolean, rows, false);
        public ColumnBuilder<bool> Label { get; } = new(ColumnType.Boolean, rows, false);

        public int Build(int count)
        {
            Column[] columns = [UserId.Build(count), LogAmount.Build(count), AmountZ.Build(count), Hour.Build(count), IsWeekend.Build(count),
                CountryBucket.Build(count), SessionMinutes.Build(count), IsHighValue.Build(count), Label.Build(count)];
            foreach (Column column in columns)
            {
                column.Dispose();
            }
            return count;
        }
    }
}

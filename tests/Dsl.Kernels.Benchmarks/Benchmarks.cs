using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Dsl.Execution;
using Dsl.Kernels;

namespace Dsl.Kernels.Benchmarks;

/// <summary>
/// One batch of <see cref="Rows"/> rows through: the generated kernel (vector blocks), the same kernel forced onto its
/// per-row code, a naive loop that builds each row's record and calls the stage method, and (for some families) a
/// hand-written SIMD loop. Every variant produces output columns, as a kernel must.
/// </summary>
[MemoryDiagnoser]
public abstract class KernelBenchmark
{
    public const int Rows = 65_536;

    protected RecordBatch Input { get; set; } = null!;

    protected abstract CompiledPipeline Pipeline { get; }

    [Benchmark(Description = "generated kernel")]
    public int Generated()
    {
        using RecordBatch output = Pipeline.Kernels[0](Input);
        return output.RowCount;
    }

    [Benchmark(Description = "generated, per-row code only")]
    public int GeneratedScalar()
    {
        using (KernelDispatch.ScalarOnly())
        {
            using RecordBatch output = Pipeline.Kernels[0](Input);
            return output.RowCount;
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Input.Dispose();

    protected static Random Random() => new(20261122);
}

public class DoubleArithmetic : KernelBenchmark
{
    protected override CompiledPipeline Pipeline => ArithmeticStages.Compiled;

    [GlobalSetup]
    public void Setup()
    {
        Random r = Random();
        var rows = new List<Pair>(Rows);
        for (int i = 0; i < Rows; i++)
        {
            rows.Add(new Pair(r.NextDouble() * 100 - 50, r.NextDouble() * 10));
        }
        Input = Pair.ToBatch(rows);
    }

    [Benchmark(Baseline = true, Description = "row by row: build record, call method")]
    public int RowByRow()
    {
        ReadOnlySpan<double> a = Input.GetPrimitive<double>("A", ColumnType.Double).Values;
        ReadOnlySpan<double> b = Input.GetPrimitive<double>("B", ColumnType.Double).Values;
        var y = new ColumnBuilder<double>(ColumnType.Double, a.Length, nullable: false);
        Span<double> ys = y.Values;
        for (int i = 0; i < a.Length; i++)
        {
            ys[i] = ArithmeticStages.Mix(new Pair(a[i], b[i])).Y;
        }
        using PrimitiveColumn<double> column = y.Build(a.Length);
        return column.Length;
    }

    [Benchmark(Description = "hand-written SIMD")]
    public int HandWritten()
    {
        ReadOnlySpan<double> a = Input.GetPrimitive<double>("A", ColumnType.Double).Values;
        ReadOnlySpan<double> b = Input.GetPrimitive<double>("B", ColumnType.Double).Values;
        var y = new ColumnBuilder<double>(ColumnType.Double, a.Length, nullable: false);
        Span<double> ys = y.Values;
        int i = 0;
        for (; i <= a.Length - Vector256<double>.Count; i += Vector256<double>.Count)
        {
            Vector256<double> va = Vector256.Create(a.Slice(i));
            Vector256<double> vb = Vector256.Create(b.Slice(i));
            Vector256<double> result = (va * vb + Vector256.Create(1.5)) - va / Vector256.Create(3.0) + VectorMath.Min(va, vb) * Vector256.Create(0.25);
            result.CopyTo(ys.Slice(i));
        }
        for (; i < a.Length; i++)
        {
            ys[i] = (a[i] * b[i] + 1.5) - a[i] / 3 + Math.Min(a[i], b[i]) * 0.25;
        }
        using PrimitiveColumn<double> column = y.Build(a.Length);
        return column.Length;
    }
}

public class Filters : KernelBenchmark
{
    protected override CompiledPipeline Pipeline => FilterStages.Compiled;

    [GlobalSetup]
    public void Setup()
    {
        Random r = Random();
        var rows = new List<Pair>(Rows);
        for (int i = 0; i < Rows; i++)
        {
            rows.Add(new Pair(r.NextDouble(), r.NextDouble()));
        }
        Input = Pair.ToBatch(rows);
    }

    [Benchmark(Baseline = true, Description = "row by row: build record, call method")]
    public int RowByRow()
    {
        PrimitiveColumn<double> aColumn = Input.GetPrimitive<double>("A", ColumnType.Double);
        PrimitiveColumn<double> bColumn = Input.GetPrimitive<double>("B", ColumnType.Double);
        ReadOnlySpan<double> a = aColumn.Values;
        ReadOnlySpan<double> b = bColumn.Values;
        using var rented = new Rented<int>(a.Length);
        int[] selection = rented.Array;
        int count = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (FilterStages.Keep(new Pair(a[i], b[i])))
            {
                selection[count++] = i;
            }
        }
        using PrimitiveColumn<double> outA = ColumnGather.Gather(aColumn, selection.AsSpan(0, count));
        using PrimitiveColumn<double> outB = ColumnGather.Gather(bColumn, selection.AsSpan(0, count));
        return count;
    }

    [Benchmark(Description = "hand-written SIMD")]
    public int HandWritten()
    {
        PrimitiveColumn<double> aColumn = Input.GetPrimitive<double>("A", ColumnType.Double);
        PrimitiveColumn<double> bColumn = Input.GetPrimitive<double>("B", ColumnType.Double);
        ReadOnlySpan<double> a = aColumn.Values;
        ReadOnlySpan<double> b = bColumn.Values;
        using var rented = new Rented<int>(a.Length);
        int[] selection = rented.Array;
        int count = 0;
        int i = 0;
        for (; i <= a.Length - 4; i += 4)
        {
            Vector256<double> va = Vector256.Create(a.Slice(i));
            Vector256<double> vb = Vector256.Create(b.Slice(i));
            Vector256<double> keep = (Vector256.GreaterThan(va, Vector256.Create(0.25)) & Vector256.LessThan(vb, Vector256.Create(0.75))) | Vector256.Equals(va, vb);
            uint bits = keep.ExtractMostSignificantBits();
            while (bits != 0)
            {
                selection[count++] = i + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
            }
        }
        for (; i < a.Length; i++)
        {
            if (a[i] > 0.25 && b[i] < 0.75 || a[i] == b[i])
            {
                selection[count++] = i;
            }
        }
        using PrimitiveColumn<double> outA = ColumnGather.Gather(aColumn, selection.AsSpan(0, count));
        using PrimitiveColumn<double> outB = ColumnGather.Gather(bColumn, selection.AsSpan(0, count));
        return count;
    }
}

public class Nullables : KernelBenchmark
{
    protected override CompiledPipeline Pipeline => NullableStages.Compiled;

    [GlobalSetup]
    public void Setup()
    {
        Random r = Random();
        var rows = new List<Sparse>(Rows);
        for (int i = 0; i < Rows; i++)
        {
            rows.Add(new Sparse(r.Next(5) == 0 ? null : r.NextDouble(), r.NextDouble()));
        }
        Input = Sparse.ToBatch(rows);
    }

    [Benchmark(Baseline = true, Description = "row by row: build record, call method")]
    public int RowByRow()
    {
        PrimitiveColumn<double> xColumn = Input.GetPrimitive<double>("X", ColumnType.Double);
        ReadOnlySpan<double> x = xColumn.Values;
        ValidityBitmap? xValid = xColumn.Validity;
        ReadOnlySpan<double> y = Input.GetPrimitive<double>("Y", ColumnType.Double).Values;
        var z = new ColumnBuilder<double>(ColumnType.Double, x.Length, nullable: true);
        var w = new ColumnBuilder<double>(ColumnType.Double, x.Length, nullable: false);
        Span<double> zs = z.Values;
        Span<double> ws = w.Values;
        for (int i = 0; i < x.Length; i++)
        {
            Filled f = NullableStages.Fill(new Sparse(xValid is null || xValid.IsValid(i) ? x[i] : null, y[i]));
            if (f.Z is double value)
            {
                zs[i] = value;
            }
            else
            {
                z.Validity!.Set(i, false);
            }
            ws[i] = f.W;
        }
        using PrimitiveColumn<double> zc = z.Build(x.Length);
        using PrimitiveColumn<double> wc = w.Build(x.Length);
        return x.Length;
    }
}

public class DateParts : KernelBenchmark
{
    protected override CompiledPipeline Pipeline => DateStages.Compiled;

    [GlobalSetup]
    public void Setup()
    {
        Random r = Random();
        var rows = new List<Event>(Rows);
        long start = new DateTime(2000, 1, 1).Ticks;
        for (int i = 0; i < Rows; i++)
        {
            rows.Add(new Event(new DateTime(start + r.NextInt64(TimeSpan.TicksPerDay * 365 * 30) / 10 * 10)));
        }
        Input = Event.ToBatch(rows);
    }

    [Benchmark(Baseline = true, Description = "row by row: build record, call method")]
    public int RowByRow()
    {
        ReadOnlySpan<long> ts = Input.GetPrimitive<long>("Ts", ColumnType.Timestamp).Values;
        var hour = new ColumnBuilder<int>(ColumnType.Int32, ts.Length, nullable: false);
        var weekend = new ColumnBuilder<bool>(ColumnType.Boolean, ts.Length, nullable: false);
        var month = new ColumnBuilder<int>(ColumnType.Int32, ts.Length, nullable: false);
        Span<int> hours = hour.Values;
        Span<bool> weekends = weekend.Values;
        Span<int> months = month.Values;
        for (int i = 0; i < ts.Length; i++)
        {
            When w = DateStages.Parts(new Event(Timestamps.FromMicros(ts[i])));
            hours[i] = w.Hour;
            weekends[i] = w.Weekend;
            months[i] = w.Month;
        }
        using PrimitiveColumn<int> a = hour.Build(ts.Length);
        using PrimitiveColumn<bool> b = weekend.Build(ts.Length);
        using PrimitiveColumn<int> c = month.Build(ts.Length);
        return ts.Length;
    }
}

public class DateOnlyParts : KernelBenchmark
{
    protected override CompiledPipeline Pipeline => CalendarStages.Compiled;

    [GlobalSetup]
    public void Setup()
    {
        Random r = Random();
        var rows = new List<Day>(Rows);
        for (int i = 0; i < Rows; i++)
        {
            rows.Add(new Day(DateOnly.FromDayNumber(r.Next(DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber + 1))));
        }
        Input = Day.ToBatch(rows);
    }

    [Benchmark(Baseline = true, Description = "row by row: build record, call method")]
    public int RowByRow()
    {
        ReadOnlySpan<int> days = Input.GetPrimitive<int>("Date", ColumnType.Date).Values;
        var year = new ColumnBuilder<int>(ColumnType.Int32, days.Length, nullable: false);
        var month = new ColumnBuilder<int>(ColumnType.Int32, days.Length, nullable: false);
        var day = new ColumnBuilder<int>(ColumnType.Int32, days.Length, nullable: false);
        var weekend = new ColumnBuilder<bool>(ColumnType.Boolean, days.Length, nullable: false);
        Span<int> years = year.Values;
        Span<int> months = month.Values;
        Span<int> dayValues = day.Values;
        Span<bool> weekends = weekend.Values;
        for (int i = 0; i < days.Length; i++)
        {
            Calendar c = CalendarStages.Parts(new Day(Dates.FromDays(days[i])));
            years[i] = c.Year;
            months[i] = c.Month;
            dayValues[i] = c.DayOfMonth;
            weekends[i] = c.Weekend;
        }
        using PrimitiveColumn<int> a = year.Build(days.Length);
        using PrimitiveColumn<int> b = month.Build(days.Length);
        using PrimitiveColumn<int> c2 = day.Build(days.Length);
        using PrimitiveColumn<bool> d = weekend.Build(days.Length);
        return days.Length;
    }
}

public class Strings : KernelBenchmark
{
    protected override CompiledPipeline Pipeline => StringStages.Compiled;

    [GlobalSetup]
    public void Setup()
    {
        Random r = Random();
        string[] countries = Enumerable.Range(0, 50).Select(i => i == 0 ? "US" : "C" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var rows = new List<Visit>(Rows);
        for (int i = 0; i < Rows; i++)
        {
            rows.Add(new Visit(countries[r.Next(countries.Length)]));
        }
        Input = Visit.ToBatch(rows);
    }

    [Benchmark(Baseline = true, Description = "row by row: build record, call method")]
    public int RowByRow()
    {
        StringColumn country = Input.GetString("Country", ColumnType.String);
        string[] strings = country.Dictionary.Strings;
        ReadOnlySpan<int> indices = country.Indices;
        var bucket = new ColumnBuilder<int>(ColumnType.Int32, indices.Length, nullable: false);
        var isUs = new ColumnBuilder<bool>(ColumnType.Boolean, indices.Length, nullable: false);
        var length = new ColumnBuilder<int>(ColumnType.Int32, indices.Length, nullable: false);
        Span<int> buckets = bucket.Values;
        Span<bool> us = isUs.Values;
        Span<int> lengths = length.Values;
        for (int i = 0; i < indices.Length; i++)
        {
            Encoded e = StringStages.Encode(new Visit(strings[indices[i]]));
            buckets[i] = e.Bucket;
            us[i] = e.IsUs;
            lengths[i] = e.Length;
        }
        using PrimitiveColumn<int> a = bucket.Build(indices.Length);
        using PrimitiveColumn<bool> b = isUs.Build(indices.Length);
        using PrimitiveColumn<int> c = length.Build(indices.Length);
        return indices.Length;
    }
}

public class IntegerDivision : KernelBenchmark
{
    protected override CompiledPipeline Pipeline => DivisionStages.Compiled;

    [GlobalSetup]
    public void Setup()
    {
        Random r = Random();
        var rows = new List<Counts>(Rows);
        for (int i = 0; i < Rows; i++)
        {
            // Divisors are never 0 (nor -1 with MinValue), so no block hands back: this measures the division itself.
            rows.Add(new Counts(r.Next(int.MinValue, int.MaxValue), r.Next(1, 1000) * (r.Next(2) == 0 ? 1 : -1), r.NextInt64(), r.NextInt64(1, 1L << 40)));
        }
        Input = Counts.ToBatch(rows);
    }

    [Benchmark(Baseline = true, Description = "row by row: build record, call method")]
    public int RowByRow()
    {
        ReadOnlySpan<int> n = Input.GetPrimitive<int>("N", ColumnType.Int32).Values;
        ReadOnlySpan<int> d = Input.GetPrimitive<int>("D", ColumnType.Int32).Values;
        ReadOnlySpan<long> big = Input.GetPrimitive<long>("Big", ColumnType.Int64).Values;
        ReadOnlySpan<long> by = Input.GetPrimitive<long>("By", ColumnType.Int64).Values;
        var quotient = new ColumnBuilder<int>(ColumnType.Int32, n.Length, nullable: false);
        var remainder = new ColumnBuilder<int>(ColumnType.Int32, n.Length, nullable: false);
        var longQuotient = new ColumnBuilder<long>(ColumnType.Int64, n.Length, nullable: false);
        Span<int> qs = quotient.Values;
        Span<int> rs = remainder.Values;
        Span<long> ls = longQuotient.Values;
        for (int i = 0; i < n.Length; i++)
        {
            Ratios ratios = DivisionStages.Divide(new Counts(n[i], d[i], big[i], by[i]));
            qs[i] = ratios.Quotient;
            rs[i] = ratios.Remainder;
            ls[i] = ratios.LongQuotient;
        }
        using PrimitiveColumn<int> a = quotient.Build(n.Length);
        using PrimitiveColumn<int> b = remainder.Build(n.Length);
        using PrimitiveColumn<long> c = longQuotient.Build(n.Length);
        return n.Length;
    }
}

/// <summary>
/// An array rented from the shared pool for one call and returned when the call ends, as the generated kernels rent
/// their selection and per-entry tables: the hand-written baselines allocate no more than the kernels do.
/// </summary>
internal readonly ref struct Rented<T>
{
    public Rented(int length) => Array = ArrayPool<T>.Shared.Rent(length);

    public T[] Array { get; }

    public void Dispose() => ArrayPool<T>.Shared.Return(Array);
}

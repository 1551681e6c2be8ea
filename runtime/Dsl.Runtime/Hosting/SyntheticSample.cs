using System.Globalization;
using Dsl.Parquet;
using Dsl.Parquet.Metadata;

namespace Dsl.Hosting;

/// <summary>
/// Sample input for any pipeline, made from its input schema alone: values of each member's type within its
/// <c>[Range]</c> (exclusive bounds left out), strings from its <c>[SampleValues]</c> or else its <c>[OneOf]</c> values
/// (integers from its <c>[OneOf]</c> integers), nulls in nullable members at half their <c>[NullRate]</c>
/// (10% without one). The same seed gives the same bytes on every machine and .NET version: the generator is
/// SplitMix64, not <see cref="Random"/>, whose sequence .NET does not promise to keep.
/// </summary>
/// <remarks>
/// Defaults where a member declares nothing: 8- and 16-bit integers over their whole range, 32-bit ones from 0 to
/// 1,000,000, 64-bit ones from 0 to 1,000,000,000; floating point and decimals from 0 to 1,000 (<c>Half</c> to 100);
/// strings <c>Name-0</c> to <c>Name-99</c>; dates and timestamps in 2026; byte arrays of 8 random bytes; version-4
/// UUIDs; lists of 0 to 8 elements.
/// </remarks>
public static class SyntheticSample
{
    private const int BatchRows = 8192;
    private const double DefaultNullRate = 0.1;
    private static readonly long Start2026Micros = (new DateTime(2026, 1, 1) - DateTime.UnixEpoch).Ticks / 10;
    private const long MicrosPerYear = 365L * 86_400_000_000L;
    private const long MicrosPerDay = 86_400_000_000L;

    /// <summary>A <see cref="SampleDataWriter"/> for rows of <paramref name="schema"/>.</summary>
    public static SampleDataWriter For(BatchSchema schema) => (directory, rows, files, seed) => Write(schema, directory, rows, files, seed);

    /// <summary>Writes <paramref name="rows"/> rows of <paramref name="schema"/> over <paramref name="files"/> Snappy-compressed Parquet files.</summary>
    /// <exception cref="NotSupportedException">A column is a struct or map, which has no synthetic values yet.</exception>
    public static IReadOnlyList<string> Write(BatchSchema schema, string directory, long rows, int files, int seed)
    {
        ArgumentNullException.ThrowIfNull(schema);
        foreach (ColumnField field in schema.Fields)
        {
            if (field.Type is ColumnType.Struct or ColumnType.Map)
            {
                throw new NotSupportedException($"generate-sample cannot make values for column '{field.Name}' ({field.TypeName}); pass real data with --input.");
            }
        }
        var written = new List<string>(files);
        for (int f = 0; f < files; f++)
        {
            long fileRows = (rows / files) + (f < rows % files ? 1 : 0);
            string path = Path.Combine(directory, $"sample-{f.ToString("D5", CultureInfo.InvariantCulture)}.parquet");
            var random = new SplitMix64(((ulong)(uint)seed << 32) | (uint)f);
            using (var writer = new ParquetFileWriter(path, schema, new ParquetWriteOptions { Compression = CompressionCodec.Snappy }))
            {
                for (long done = 0; done < fileRows; done += BatchRows)
                {
                    int n = (int)Math.Min(BatchRows, fileRows - done);
                    var columns = new Column[schema.Count];
                    for (int c = 0; c < schema.Count; c++)
                    {
                        columns[c] = MakeColumn(schema[c], n, ref random);
                    }
                    using var batch = new RecordBatch(schema, columns, n);
                    writer.WriteBatch(batch);
                }
            }
            written.Add(path);
        }
        return written;
    }

    private static Column MakeColumn(ColumnField field, int rows, ref SplitMix64 random)
    {
        double nullRate = !field.Nullable ? 0 : field.Sample?.NullRate is { } max ? max / 2 : DefaultNullRate;
        var nulls = new bool[rows];
        for (int r = 0; r < rows; r++)
        {
            nulls[r] = nullRate > 0 && random.NextDouble() < nullRate;
        }
        switch (field.Type)
        {
            case ColumnType.String:
            {
                var builder = new StringColumnBuilder(ColumnType.String, rows);
                IReadOnlyList<string>? values = field.Sample?.Values is { Count: > 0 } declared ? declared : null;
                for (int r = 0; r < rows; r++)
                {
                    builder.Append(nulls[r] ? null
                        : values is not null ? values[(int)random.NextBelow((ulong)values.Count)]
                        : field.Name + "-" + random.NextBelow(100).ToString(CultureInfo.InvariantCulture));
                }
                return builder.Build();
            }
            case ColumnType.Binary:
            {
                var builder = new BinaryColumnBuilder(ColumnType.Binary, rows);
                for (int r = 0; r < rows; r++)
                {
                    builder.Append(nulls[r] ? null : BitConverter.GetBytes(random.Next()));
                }
                return builder.Build();
            }
            case ColumnType.List:
                return MakeList(field, rows, nulls, ref random);
            default:
                return field.Type switch
                {
                    ColumnType.Boolean => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField _) => (g.Next() & 1) == 1),
                    ColumnType.Int8 => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField f) => (sbyte)Integer(ref g, f, sbyte.MinValue, sbyte.MaxValue)),
                    ColumnType.Int16 => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField f) => (short)Integer(ref g, f, short.MinValue, short.MaxValue)),
                    ColumnType.UInt8 => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField f) => (byte)Integer(ref g, f, byte.MinValue, byte.MaxValue)),
                    ColumnType.UInt16 => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField f) => (ushort)Integer(ref g, f, ushort.MinValue, ushort.MaxValue)),
                    ColumnType.UInt32 => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField f) => (uint)Integer(ref g, f, 0, 1_000_000)),
                    ColumnType.UInt64 => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField f) => (ulong)Integer(ref g, f, 0, 1_000_000_000)),
                    ColumnType.Float16 => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField f) => (Half)Floating(ref g, f, 100)),
                    ColumnType.Float => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField f) => SingleWithin(Floating(ref g, f, 1000), f)),
                    ColumnType.Double => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField f) => Floating(ref g, f, 1000)),
                    ColumnType.Uuid => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField _) => Uuid(ref g)),
                    ColumnType.Decimal => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField f) => Decimal(ref g, f)),
                    ColumnType.Int32 => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField f) => (int)Integer(ref g, f, 0, 1_000_000)),
                    ColumnType.Date => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField _) => (int)((Start2026Micros / MicrosPerDay) + (long)g.NextBelow(365))),
                    ColumnType.Timestamp => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField _) => Start2026Micros + (long)g.NextBelow(MicrosPerYear)),
                    ColumnType.TimestampNanos => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField _) =>
                        ((Start2026Micros + (long)g.NextBelow(MicrosPerYear)) * 1000) + (long)g.NextBelow(1000)),
                    // Whole microseconds: every time unit, and TimeOnly's 100 ns ticks, hold them.
                    ColumnType.Time => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField _) => (long)g.NextBelow(MicrosPerDay) * 1000),
                    _ => Fill(field, rows, nulls, ref random, static (ref SplitMix64 g, ColumnField f) => Integer(ref g, f, 0, 1_000_000_000)),
                };
        }
    }

    private delegate T Draw<T>(ref SplitMix64 random, ColumnField field);

    private static PrimitiveColumn<T> Fill<T>(ColumnField field, int rows, bool[] nulls, ref SplitMix64 random, Draw<T> draw)
        where T : unmanaged
    {
        var builder = new ColumnBuilder<T>(field.Type, rows, nullable: field.Nullable);
        Span<T> values = builder.Values;
        for (int r = 0; r < rows; r++)
        {
            if (nulls[r])
            {
                builder.Validity!.Set(r, false);
                continue;
            }
            values[r] = draw(ref random, field);
        }
        return builder.Build(rows);
    }

    private static ListColumn MakeList(ColumnField field, int rows, bool[] nulls, ref SplitMix64 random)
    {
        ColumnField element = field.Children[0] with { Nullable = false, Sample = field.Sample is { } sample ? sample with { NullRate = null } : null };
        var offsets = new int[rows + 1];
        for (int r = 0; r < rows; r++)
        {
            offsets[r + 1] = offsets[r] + (nulls[r] ? 0 : (int)random.NextBelow(9));
        }
        Column values = MakeColumn(element, offsets[rows], ref random);
        ValidityBitmap? validity = null;
        if (Array.IndexOf(nulls, true) >= 0)
        {
            validity = new ValidityBitmap(rows);
            for (int r = 0; r < rows; r++)
            {
                validity.Set(r, !nulls[r]);
            }
        }
        return new ListColumn(ColumnType.List, offsets, rows, values, validity);
    }

    // A double drawn within the range, as the nearest float that stays within it (rounding could step onto a bound).
    private static float SingleWithin(double value, ColumnField field)
    {
        float single = (float)value;
        if (field.Sample is { Min: { } lo, Max: { } hi })
        {
            if (single > hi)
            {
                single = MathF.BitDecrement(single);
            }
            if (single < lo)
            {
                single = MathF.BitIncrement(single);
            }
        }
        return single;
    }

    // One of the member's [OneOf] integers when it has them; else a whole number in its [Range] (rounded inward and
    // clamped to its type), else in [min, max].
    private static long Integer(ref SplitMix64 random, ColumnField field, long min, long max)
    {
        if (field.Sample?.Values is { Count: > 0 } values
            && long.TryParse(values[(int)random.NextBelow((ulong)values.Count)], NumberStyles.Integer, CultureInfo.InvariantCulture, out long listed))
        {
            return listed;
        }
        long lo = min;
        long hi = max;
        if (field.Sample is { Min: { } from, Max: { } to })
        {
            (long typeMin, long typeMax) = TypeRange(field.Type);
            lo = (long)Math.Clamp(Math.Ceiling(from), typeMin, typeMax);
            hi = (long)Math.Clamp(Math.Floor(to), typeMin, typeMax);
        }
        return hi <= lo ? lo : lo + (long)random.NextBelow((ulong)(hi - lo) + 1);
    }

    private static (long Min, long Max) TypeRange(ColumnType type) => type switch
    {
        ColumnType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        ColumnType.Int16 => (short.MinValue, short.MaxValue),
        ColumnType.Int32 => (int.MinValue, int.MaxValue),
        ColumnType.UInt8 => (0, byte.MaxValue),
        ColumnType.UInt16 => (0, ushort.MaxValue),
        ColumnType.UInt32 => (0, uint.MaxValue),
        ColumnType.UInt64 => (0, long.MaxValue),
        _ => (long.MinValue, long.MaxValue),
    };

    private static double Floating(ref SplitMix64 random, ColumnField field, double defaultMax)
    {
        (double lo, double hi) = field.Sample is { Min: { } from, Max: { } to } ? (from, to) : (0, defaultMax);
        return lo + (random.NextDouble() * (hi - lo));
    }

    // Within the declared range, else 0 to 1,000 or the largest value the precision holds, rounded down to the scale.
    private static Int128 Decimal(ref SplitMix64 random, ColumnField field)
    {
        int scale = Math.Min(field.Scale, 28);
        double largest = Math.Min(1000, Math.Pow(10, field.Precision - field.Scale) - Math.Pow(10, -scale));
        decimal value = (decimal)Floating(ref random, field, largest);
        return Decimals.FromDecimal(decimal.Round(value, scale, MidpointRounding.ToZero), field.Precision, field.Scale);
    }

    private static Guid Uuid(ref SplitMix64 random)
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, random.Next());
        BitConverter.TryWriteBytes(bytes[8..], random.Next());
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>SplitMix64 (Steele, Lea and Flood): a fixed, documented sequence for a seed, unlike <see cref="Random"/>.</summary>
    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

        // Below bound by rejection, so that no value is more likely than another.
        public ulong NextBelow(ulong bound)
        {
            ulong limit = ulong.MaxValue - (ulong.MaxValue % bound);
            ulong value;
            do
            {
                value = Next();
            }
            while (value >= limit);
            return value % bound;
        }
    }
}

using System.Numerics;

namespace Dsl.Execution;

/// <summary>
/// Reading a column into a member of another type where no value can change: a narrower integer into a wider one
/// (INT32 into <c>long</c>, INT8 into <c>int</c>, UINT32 into <c>long</c>), an integer into a floating-point type
/// that holds all its values, FLOAT16 and FLOAT into <c>double</c>, microsecond timestamps into nanosecond ones, a
/// decimal into one with as many integer digits and at least its scale, and a UUID into its text. DuckDB's INTEGER
/// and pandas' float32 columns then read into the <c>long</c> and <c>double</c> members a schema usually has, instead
/// of stopping the job; anything narrower stays an error, with two exceptions checked value by value: UINT64 into
/// <c>long</c> (a value above <see cref="long.MaxValue"/> stops the job) and nanosecond timestamps into a
/// microsecond member marked to truncate.
/// </summary>
internal static class ColumnWidening
{
    /// <summary>Whether a column stored as <paramref name="stored"/> reads exactly into a member field <paramref name="member"/>.</summary>
    public static bool CanWiden(ColumnField stored, ColumnField member)
    {
        if (stored.Type == ColumnType.Decimal && member.Type == ColumnType.Decimal)
        {
            return member.Scale >= stored.Scale && member.Precision - member.Scale >= stored.Precision - stored.Scale;
        }
        if (stored.Type == ColumnType.TimestampNanos && member.Type == ColumnType.Timestamp)
        {
            return member.TruncatesNanoseconds;
        }
        return CanWiden(stored.Type, member.Type);
    }

    /// <summary>Whether every value of <paramref name="stored"/> is exactly a value of <paramref name="member"/> (UINT64 into Int64 checked).</summary>
    public static bool CanWiden(ColumnType stored, ColumnType member)
    {
        if (IntegerRange(stored) is (BigInteger lo, BigInteger hi))
        {
            if (IntegerRange(member) is (BigInteger mlo, BigInteger mhi))
            {
                return (lo >= mlo && hi <= mhi) || (stored, member) == (ColumnType.UInt64, ColumnType.Int64);
            }
            // Floating point holds every integer up to 2^(mantissa bits + 1) exactly.
            BigInteger exact = member switch
            {
                ColumnType.Float => BigInteger.One << 24,
                ColumnType.Double => BigInteger.One << 53,
                _ => BigInteger.MinusOne,
            };
            return lo >= -exact && hi <= exact;
        }
        return (stored, member) switch
        {
            (ColumnType.Float16, ColumnType.Float or ColumnType.Double) => true,
            (ColumnType.Float, ColumnType.Double) => true,
            (ColumnType.Timestamp, ColumnType.TimestampNanos) => true,
            (ColumnType.Uuid, ColumnType.String) => true,
            _ => false,
        };
    }

    private static (BigInteger Min, BigInteger Max)? IntegerRange(ColumnType type) => type switch
    {
        ColumnType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        ColumnType.Int16 => (short.MinValue, short.MaxValue),
        ColumnType.Int32 => (int.MinValue, int.MaxValue),
        ColumnType.Int64 => (long.MinValue, long.MaxValue),
        ColumnType.UInt8 => (byte.MinValue, byte.MaxValue),
        ColumnType.UInt16 => (ushort.MinValue, ushort.MaxValue),
        ColumnType.UInt32 => (uint.MinValue, uint.MaxValue),
        ColumnType.UInt64 => (ulong.MinValue, ulong.MaxValue),
        _ => null,
    };

    /// <summary>
    /// <paramref name="input"/> with each column whose type differs from <paramref name="expected"/> widened; the same
    /// batch when none does. The widened columns are new (returned in <paramref name="created"/> for the caller to
    /// dispose); the others are shared with <paramref name="input"/>.
    /// </summary>
    public static RecordBatch Apply(RecordBatch input, BatchSchema expected, List<Column> created)
    {
        Column[]? columns = null;
        ColumnField[]? fields = null;
        for (int i = 0; i < input.Schema.Count; i++)
        {
            ColumnField have = input.Schema[i];
            ColumnField want = expected[expected.IndexOf(have.Name)];
            if (have.Type == want.Type && (have.Type != ColumnType.Decimal || have.Scale == want.Scale))
            {
                continue;
            }
            columns ??= [.. input.Columns];
            fields ??= [.. input.Schema.Fields];
            Column widened = Widen(input[i], have, want);
            created.Add(widened);
            columns[i] = widened;
            fields[i] = have with { Type = want.Type, Precision = want.Precision, Scale = want.Scale };
        }
        return columns is null ? input : new RecordBatch(new BatchSchema(fields!), columns, input.RowCount);
    }

    /// <summary>A new column of <paramref name="type"/> holding <paramref name="column"/>'s values and nulls.</summary>
    public static Column Widen(Column column, ColumnType type) =>
        Widen(column, new ColumnField(string.Empty, column.Type, true), new ColumnField(string.Empty, type, true));

    private static Column Widen(Column column, ColumnField have, ColumnField want)
    {
        ColumnType type = want.Type;
        string name = have.Name.Length > 0 ? $"column '{have.Name}'" : "the column";
        switch (column, type)
        {
            case (PrimitiveColumn<Int128> decimals, ColumnType.Decimal):
                return Rescale(decimals, want.Scale - have.Scale);
            case (PrimitiveColumn<long> nanos, ColumnType.Timestamp) when column.Type == ColumnType.TimestampNanos:
                // Declared by [TruncateNanoseconds]: floor to the microsecond (the digits below it are dropped, also before 1970).
                return Map(nanos, type, n => (n / 1000) - (n % 1000 < 0 ? 1 : 0));
            case (PrimitiveColumn<long> micros, ColumnType.TimestampNanos):
                return Map(micros, type, m => m is > long.MaxValue / 1000 or < long.MinValue / 1000
                    ? throw new PipelineExecutionException($"The timestamp {m} µs in {name} is outside the years 1677 to 2262 that a nanosecond timestamp holds.")
                    : m * 1000);
            case (PrimitiveColumn<Guid> uuids, ColumnType.String):
                return UuidText(uuids);
            case (PrimitiveColumn<ulong> unsigned, ColumnType.Int64):
                return Map(unsigned, type, u => u > long.MaxValue
                    ? throw new PipelineExecutionException($"The value {u} in {name} (UINT64) is above {long.MaxValue}, the largest long. Declare the member ulong.")
                    : (long)u);
        }
        return column switch
        {
            PrimitiveColumn<sbyte> c => ConvertTo(c, type),
            PrimitiveColumn<short> c => ConvertTo(c, type),
            PrimitiveColumn<int> c => ConvertTo(c, type),
            PrimitiveColumn<byte> c => ConvertTo(c, type),
            PrimitiveColumn<ushort> c => ConvertTo(c, type),
            PrimitiveColumn<uint> c => ConvertTo(c, type),
            PrimitiveColumn<Half> c => ConvertTo(c, type),
            PrimitiveColumn<float> c => ConvertTo(c, type),
            _ => throw new ArgumentException($"A {column.Type} column cannot be widened to {type}.", nameof(type)),
        };
    }

    private static Column ConvertTo<TFrom>(PrimitiveColumn<TFrom> column, ColumnType type)
        where TFrom : unmanaged, INumberBase<TFrom> => type switch
        {
            ColumnType.Int16 => Convert<TFrom, short>(column, type),
            ColumnType.Int32 => Convert<TFrom, int>(column, type),
            ColumnType.Int64 => Convert<TFrom, long>(column, type),
            ColumnType.UInt16 => Convert<TFrom, ushort>(column, type),
            ColumnType.UInt32 => Convert<TFrom, uint>(column, type),
            ColumnType.UInt64 => Convert<TFrom, ulong>(column, type),
            ColumnType.Float => Convert<TFrom, float>(column, type),
            ColumnType.Double => Convert<TFrom, double>(column, type),
            _ => throw new ArgumentException($"A {column.Type} column cannot be widened to {type}.", nameof(type)),
        };

    // Only pairs CanWiden accepts reach here, and each converts exactly (NaN and -0.0 kept).
    private static PrimitiveColumn<TTo> Convert<TFrom, TTo>(PrimitiveColumn<TFrom> column, ColumnType type)
        where TFrom : unmanaged, INumberBase<TFrom>
        where TTo : unmanaged, INumberBase<TTo>
    {
        var values = new TTo[column.Length];
        ReadOnlySpan<TFrom> source = column.Values;
        for (int r = 0; r < values.Length; r++)
        {
            values[r] = TTo.CreateTruncating(source[r]);
        }
        return PrimitiveColumn<TTo>.FromArray(type, values, CopyValidity(column));
    }

    private static PrimitiveColumn<TTo> Map<TFrom, TTo>(PrimitiveColumn<TFrom> column, ColumnType type, Func<TFrom, TTo> convert)
        where TFrom : unmanaged
        where TTo : unmanaged
    {
        var values = new TTo[column.Length];
        ReadOnlySpan<TFrom> source = column.Values;
        ValidityBitmap? validity = column.NullCount > 0 ? column.Validity : null;
        for (int r = 0; r < values.Length; r++)
        {
            // Null slots hold an arbitrary value, which must not stop the job.
            if (validity is null || validity.IsValid(r))
            {
                values[r] = convert(source[r]);
            }
        }
        return PrimitiveColumn<TTo>.FromArray(type, values, CopyValidity(column));
    }

    // More fractional digits: multiply the unscaled value (the integer digits were checked to fit by CanWiden).
    private static PrimitiveColumn<Int128> Rescale(PrimitiveColumn<Int128> column, int extraDigits)
    {
        Int128 factor = Decimals.Pow10(extraDigits);
        return Map(column, ColumnType.Decimal, v => v * factor);
    }

    private static StringColumn UuidText(PrimitiveColumn<Guid> column)
    {
        var builder = new StringColumnBuilder(ColumnType.String, column.Length);
        ReadOnlySpan<Guid> values = column.Values;
        for (int r = 0; r < values.Length; r++)
        {
            builder.Append(column.IsNull(r) ? null : values[r].ToString("D"));
        }
        return builder.Build();
    }

    private static ValidityBitmap? CopyValidity(Column column)
    {
        if (column.Validity is not { } source || column.NullCount == 0)
        {
            return null;
        }
        var copy = new ValidityBitmap(column.Length);
        for (int r = 0; r < column.Length; r++)
        {
            if (!source.IsValid(r))
            {
                copy.Set(r, false);
            }
        }
        return copy;
    }
}

namespace Dsl.Parquet.Tests;

/// <summary>Builds batches of every supported type with deterministic values and optional nulls.</summary>
internal static class BatchFactory
{
    public static readonly BatchSchema AllTypes = new(
        new ColumnField("i32", ColumnType.Int32, false),
        new ColumnField("i32n", ColumnType.Int32, true),
        new ColumnField("i64", ColumnType.Int64, false),
        new ColumnField("i64n", ColumnType.Int64, true),
        new ColumnField("f32", ColumnType.Float, false),
        new ColumnField("f32n", ColumnType.Float, true),
        new ColumnField("f64", ColumnType.Double, false),
        new ColumnField("f64n", ColumnType.Double, true),
        new ColumnField("b", ColumnType.Boolean, false),
        new ColumnField("bn", ColumnType.Boolean, true),
        new ColumnField("s", ColumnType.String, false),
        new ColumnField("sn", ColumnType.String, true),
        new ColumnField("bin", ColumnType.Binary, false),
        new ColumnField("binn", ColumnType.Binary, true),
        new ColumnField("ts", ColumnType.Timestamp, false),
        new ColumnField("tsn", ColumnType.Timestamp, true));

    /// <summary>Rows <paramref name="first"/> .. + <paramref name="rows"/> of the all-types table; nullable columns are null every <paramref name="nullEvery"/> rows (0: never).</summary>
    public static RecordBatch Create(int first, int rows, int nullEvery = 3, int distinctStrings = 50)
    {
        var columns = new List<Column>();
        foreach (ColumnField field in AllTypes.Fields)
        {
            columns.Add(CreateColumn(field, first, rows, field.Nullable ? nullEvery : 0, distinctStrings));
        }
        return new RecordBatch(AllTypes, columns, rows);
    }

    public static bool IsNull(int row, int nullEvery) => nullEvery > 0 && row % nullEvery == 0;

    public static object? Expected(ColumnField field, int row, int nullEvery, int distinctStrings = 50)
    {
        if (field.Nullable && IsNull(row, nullEvery))
        {
            return null;
        }
        return field.Type switch
        {
            ColumnType.Int32 => (row * 7) - 1000,
            ColumnType.Int64 => ((long)row * 1_000_003L) - (1L << 40),
            ColumnType.Float => row % 11 == 5 ? float.NaN : (row * 0.5f) - 3,
            ColumnType.Double => row % 13 == 7 ? double.NaN : (row * 0.25) - 100.125,
            ColumnType.Boolean => row % 3 == 1,
            ColumnType.String => $"str-{row % distinctStrings}-é",
            ColumnType.Binary => new byte[] { (byte)row, 0, 0xFF, (byte)(row >> 8) },
            ColumnType.Timestamp => Timestamps.FromMicros(1_600_000_000_000_000L + (row * 1_000_001L)),
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
    }

    private static Column CreateColumn(ColumnField field, int first, int rows, int nullEvery, int distinctStrings)
    {
        switch (field.Type)
        {
            case ColumnType.String:
            case ColumnType.Binary:
            {
                var builder = new StringColumnBuilder(field.Type, rows);
                if (field.Type == ColumnType.String)
                {
                    for (int r = first; r < first + rows; r++)
                    {
                        builder.Append((string?)Expected(field, r, nullEvery, distinctStrings));
                    }
                    return builder.Build();
                }
                // Binary: an identity dictionary, as a reader of PLAIN pages produces.
                var data = new List<byte>();
                var offsets = new List<int> { 0 };
                var indices = new int[rows];
                ValidityBitmap? validity = nullEvery > 0 ? new ValidityBitmap(rows) : null;
                for (int i = 0; i < rows; i++)
                {
                    if (Expected(field, first + i, nullEvery) is byte[] bytes)
                    {
                        data.AddRange(bytes);
                        indices[i] = offsets.Count - 1;
                        offsets.Add(data.Count);
                    }
                    else
                    {
                        validity!.Set(i, false);
                    }
                }
                return new StringColumn(field.Type, new Utf8Dictionary([.. data], [.. offsets]), indices, rows, validity is { } v && v.CountNulls() > 0 ? v : null);
            }
            case ColumnType.Int32:
                return Fill<int>(field, first, rows, nullEvery, r => (int)Expected(field, r, 0)!);
            case ColumnType.Int64:
                return Fill<long>(field, first, rows, nullEvery, r => (long)Expected(field, r, 0)!);
            case ColumnType.Float:
                return Fill<float>(field, first, rows, nullEvery, r => (float)Expected(field, r, 0)!);
            case ColumnType.Double:
                return Fill<double>(field, first, rows, nullEvery, r => (double)Expected(field, r, 0)!);
            case ColumnType.Boolean:
                return Fill<bool>(field, first, rows, nullEvery, r => (bool)Expected(field, r, 0)!);
            case ColumnType.Timestamp:
                return Fill<long>(field, first, rows, nullEvery, r => Timestamps.ToMicros((DateTime)Expected(field, r, 0)!));
            default:
                throw new ArgumentOutOfRangeException(nameof(field));
        }
    }

    private static Column Fill<T>(ColumnField field, int first, int rows, int nullEvery, Func<int, T> value)
        where T : unmanaged
    {
        var builder = new ColumnBuilder<T>(field.Type, rows, field.Nullable);
        Span<T> values = builder.Values;
        for (int i = 0; i < rows; i++)
        {
            int r = first + i;
            if (field.Nullable && IsNull(r, nullEvery))
            {
                builder.Validity!.Set(i, false);
            }
            else
            {
                values[i] = value(r);
            }
        }
        return builder.Build(rows);
    }
}

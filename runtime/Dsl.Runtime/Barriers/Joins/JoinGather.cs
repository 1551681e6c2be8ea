using System.Buffers;

namespace Dsl.Barriers.Joins;

/// <summary>
/// Copies the rows a join selected: <see cref="ColumnGather"/> when every position is a row, and a copy that
/// leaves a row null where its position is <see cref="Missing"/> (the right side of a left join's unmatched rows).
/// </summary>
internal static class JoinGather
{
    /// <summary>The position that stands for "no row": the copied row is null.</summary>
    public const int Missing = -1;

    /// <summary>
    /// Rows <paramref name="rows"/> of <paramref name="source"/>, in that order, null where a position is
    /// <see cref="Missing"/> (for flat columns only). String columns share <paramref name="source"/>'s dictionary.
    /// </summary>
    public static Column Gather(Column source, ReadOnlySpan<int> rows)
    {
        bool missing = rows.Contains(Missing);
        return (source, missing) switch
        {
            (StringColumn s, false) => ColumnGather.Gather(s, rows),
            (StringColumn s, true) => StringsWithMissing(s, rows),
            (ListColumn l, false) => ColumnGather.Gather(l, rows),
            (ListColumn or StructColumn, _) => throw new NotSupportedException($"A join cannot copy {source.Type} columns {(missing ? "with missing rows" : "")}; copy their members into flat columns first."),
            _ => source.Accept(new PrimitiveGather(rows.ToArray(), missing)),
        };
    }

    /// <summary>A column of <paramref name="rows"/> nulls of <paramref name="field"/>'s type (a left join's right side when nothing matched).</summary>
    public static Column Nulls(ColumnField field, int rows)
    {
        if (field.Type.IsByteArray())
        {
            int[] indices = ArrayPool<int>.Shared.Rent(Math.Max(rows, 1));
            indices.AsSpan(0, rows).Clear();
            return new StringColumn(field.Type, Utf8Dictionary.Empty, indices, rows, new ValidityBitmap(rows, allValid: false), pooled: true);
        }
        if (field.Type.IsNested())
        {
            throw new NotSupportedException($"A join cannot fill the {field.TypeName} column '{field.Name}' with nulls; copy its members into flat columns first.");
        }
        return NullPrimitive(field.Type, rows);
    }

    private static Column NullPrimitive(ColumnType type, int rows) => type.StorageType() switch
    {
        Type t when t == typeof(int) => NullsOf<int>(type, rows),
        Type t when t == typeof(long) => NullsOf<long>(type, rows),
        Type t when t == typeof(double) => NullsOf<double>(type, rows),
        Type t when t == typeof(float) => NullsOf<float>(type, rows),
        Type t when t == typeof(bool) => NullsOf<bool>(type, rows),
        Type t when t == typeof(Int128) => NullsOf<Int128>(type, rows),
        Type t when t == typeof(sbyte) => NullsOf<sbyte>(type, rows),
        Type t when t == typeof(short) => NullsOf<short>(type, rows),
        Type t when t == typeof(byte) => NullsOf<byte>(type, rows),
        Type t when t == typeof(ushort) => NullsOf<ushort>(type, rows),
        Type t when t == typeof(uint) => NullsOf<uint>(type, rows),
        Type t when t == typeof(ulong) => NullsOf<ulong>(type, rows),
        Type t when t == typeof(Half) => NullsOf<Half>(type, rows),
        Type t when t == typeof(Guid) => NullsOf<Guid>(type, rows),
        Type t => throw new NotSupportedException($"No null column of storage type {t.Name}."),
    };

    private static PrimitiveColumn<T> NullsOf<T>(ColumnType type, int rows)
        where T : unmanaged
    {
        var builder = new ColumnBuilder<T>(type, rows, nullable: true);
        builder.Values.Clear();
        builder.Validity!.Words.Clear();
        return builder.Build(rows);
    }

    private sealed class PrimitiveGather(int[] rows, bool missing) : IPrimitiveColumnVisitor<Column>
    {
        public Column Visit<T>(PrimitiveColumn<T> column)
            where T : unmanaged
        {
            if (!missing)
            {
                return ColumnGather.Gather(column, rows);
            }
            ValidityBitmap? validity = column.Validity;
            var builder = new ColumnBuilder<T>(column.Type, rows.Length, nullable: true);
            Span<T> values = builder.Values;
            ReadOnlySpan<T> source = column.Values;
            ValidityBitmap target = builder.Validity!;
            for (int i = 0; i < rows.Length; i++)
            {
                int row = rows[i];
                if (row == Missing)
                {
                    values[i] = default;
                    target.Set(i, false);
                    continue;
                }
                values[i] = source[row];
                if (validity is not null && !validity.IsValid(row))
                {
                    target.Set(i, false);
                }
            }
            return builder.Build(rows.Length);
        }
    }

    private static StringColumn StringsWithMissing(StringColumn source, ReadOnlySpan<int> rows)
    {
        ReadOnlySpan<int> indices = source.Indices;
        ValidityBitmap? validity = source.Validity;
        int[] gathered = ArrayPool<int>.Shared.Rent(Math.Max(rows.Length, 1));
        var target = new ValidityBitmap(rows.Length, allValid: true, pooled: true);
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            if (row == Missing || (validity is not null && !validity.IsValid(row)))
            {
                gathered[i] = 0;
                target.Set(i, false);
            }
            else
            {
                gathered[i] = indices[row];
            }
        }
        // The indices of valid rows come from the source column, which checked them against the same dictionary.
        return new StringColumn(source.Type, source.Dictionary, gathered, rows.Length, target, pooled: true);
    }
}

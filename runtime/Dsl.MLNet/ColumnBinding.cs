using Microsoft.ML.Data;

namespace Dsl.MLNet;

/// <summary>How the values of one Parquet column become the values of one ML.NET column.</summary>
internal enum ValueKind
{
    /// <summary>The stored type is the ML.NET type; float and double nulls are NaN, other nulls an error.</summary>
    Direct,
    /// <summary>A nullable integer column as Double: nulls are NaN; a value Double cannot hold exactly is an error.</summary>
    NullableIntegerAsDouble,
    /// <summary>FLOAT16 as Single (every Half is exactly a Single); nulls are NaN.</summary>
    HalfAsSingle,
    /// <summary>Strings as Text, decoded once per dictionary entry; nulls are an error.</summary>
    Text,
    /// <summary>Microsecond timestamps as DateTime (kind Unspecified); nulls are an error.</summary>
    Timestamp,
    /// <summary>UTC microsecond timestamps as DateTimeOffset (offset 0); nulls are an error.</summary>
    TimestampUtc,
    /// <summary>Dates as DateTime at midnight (kind Unspecified); nulls are an error.</summary>
    Date,
    /// <summary>Times of day as TimeSpan; a value with digits below 100 ns and nulls are errors.</summary>
    Time,
}

/// <summary>One column of a <see cref="DslDataView"/>: its Parquet field, its ML.NET type and how values convert.</summary>
internal sealed class ColumnBinding
{
    private ColumnBinding(ColumnField field, DataViewType type, ValueKind kind)
    {
        Field = field;
        Type = type;
        Kind = kind;
    }

    /// <summary>The column's name, in the files and in the view.</summary>
    public string Name => Field.Name;

    /// <summary>The Parquet column's field.</summary>
    public ColumnField Field { get; }

    /// <summary>The ML.NET type of the view's column.</summary>
    public DataViewType Type { get; }

    /// <summary>How values convert.</summary>
    public ValueKind Kind { get; }

    /// <summary>The ML.NET type for <paramref name="field"/>, or why it has none.</summary>
    public static ColumnBinding? TryCreate(ColumnField field, out string? reason)
    {
        reason = null;
        bool nullable = field.Nullable;
        (DataViewType? type, ValueKind kind) = field.Type switch
        {
            ColumnType.Float => (NumberDataViewType.Single, ValueKind.Direct),
            ColumnType.Double => (NumberDataViewType.Double, ValueKind.Direct),
            ColumnType.Float16 => (NumberDataViewType.Single, ValueKind.HalfAsSingle),
            ColumnType.Int8 or ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64
                or ColumnType.UInt8 or ColumnType.UInt16 or ColumnType.UInt32 or ColumnType.UInt64 when nullable
                => (NumberDataViewType.Double, ValueKind.NullableIntegerAsDouble),
            ColumnType.Int8 => (NumberDataViewType.SByte, ValueKind.Direct),
            ColumnType.Int16 => (NumberDataViewType.Int16, ValueKind.Direct),
            ColumnType.Int32 => (NumberDataViewType.Int32, ValueKind.Direct),
            ColumnType.Int64 => (NumberDataViewType.Int64, ValueKind.Direct),
            ColumnType.UInt8 => (NumberDataViewType.Byte, ValueKind.Direct),
            ColumnType.UInt16 => (NumberDataViewType.UInt16, ValueKind.Direct),
            ColumnType.UInt32 => (NumberDataViewType.UInt32, ValueKind.Direct),
            ColumnType.UInt64 => (NumberDataViewType.UInt64, ValueKind.Direct),
            ColumnType.Boolean => (BooleanDataViewType.Instance, ValueKind.Direct),
            ColumnType.String => (TextDataViewType.Instance, ValueKind.Text),
            ColumnType.Timestamp when field.IsAdjustedToUtc => (DateTimeOffsetDataViewType.Instance, ValueKind.TimestampUtc),
            ColumnType.Timestamp => (DateTimeDataViewType.Instance, ValueKind.Timestamp),
            ColumnType.Date => (DateTimeDataViewType.Instance, ValueKind.Date),
            ColumnType.Time => (TimeSpanDataViewType.Instance, ValueKind.Time),
            _ => ((DataViewType?)null, ValueKind.Direct),
        };
        if (type is null)
        {
            reason = field.Type switch
            {
                ColumnType.TimestampNanos => "ML.NET's DateTime holds 100 ns ticks, so nanosecond timestamps would lose digits; read them into a DateTime member marked [property: TruncateNanoseconds] in the pipeline",
                ColumnType.Decimal => "ML.NET has no decimal type; convert the column to double in the pipeline",
                ColumnType.Binary or ColumnType.Uuid => "ML.NET has no type for bytes; convert the column to a string in the pipeline",
                _ => "the view reads flat columns only; flatten the column in the pipeline",
            };
            return null;
        }
        return new ColumnBinding(field, type, kind);
    }
}

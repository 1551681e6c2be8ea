using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Reading;

/// <summary>Walks the flattened schema into top-level fields and decides how (or whether) each is read.</summary>
internal static class SchemaMapper
{
    private const int MaxDepth = 100;

    /// <summary>The top-level fields and the total number of leaves.</summary>
    public static List<ParquetColumnInfo> Map(List<SchemaElement> schema, out int leafCount)
    {
        if (schema.Count == 0)
        {
            throw new ParquetFormatException("The schema is empty; it must hold at least the root element.");
        }
        SchemaElement root = schema[0];
        int rootChildren = root.NumChildren ?? 0;
        if (rootChildren < 0 || rootChildren > schema.Count - 1)
        {
            throw new ParquetFormatException($"The schema root claims {rootChildren} children but only {schema.Count - 1} elements follow.");
        }
        var columns = new List<ParquetColumnInfo>(rootChildren);
        int index = 1;
        int leaves = 0;
        for (int c = 0; c < rootChildren; c++)
        {
            if (index >= schema.Count)
            {
                throw new ParquetFormatException($"The schema root claims {rootChildren} children but the schema ends after {c}.");
            }
            SchemaElement element = schema[index++];
            int firstLeaf = leaves;
            if (IsGroup(element))
            {
                SkipGroup(schema, element, ref index, ref leaves, 1);
                columns.Add(new ParquetColumnInfo(element, firstLeaf, leaves - firstLeaf, null, DescribeGroup(element), ValueConversion.None));
            }
            else
            {
                leaves++;
                ColumnField? field = MapLeaf(element, out string? reason, out ValueConversion conversion);
                columns.Add(new ParquetColumnInfo(element, firstLeaf, 1, field, reason, conversion));
            }
        }
        if (index != schema.Count)
        {
            throw new ParquetFormatException($"The schema has {schema.Count} elements but its root's children account for only {index}.");
        }
        leafCount = leaves;
        return columns;
    }

    private static bool IsGroup(SchemaElement element) => element.Type is null || element.NumChildren is > 0;

    private static void SkipGroup(List<SchemaElement> schema, SchemaElement group, ref int index, ref int leaves, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ParquetFormatException($"The schema nests groups more than {MaxDepth} levels deep.");
        }
        int children = group.NumChildren ?? 0;
        if (children < 0 || children > schema.Count - index)
        {
            throw new ParquetFormatException($"Schema group '{group.Name}' claims {children} children but only {schema.Count - index} elements follow.");
        }
        for (int c = 0; c < children; c++)
        {
            SchemaElement element = schema[index++];
            if (IsGroup(element))
            {
                SkipGroup(schema, element, ref index, ref leaves, depth + 1);
            }
            else
            {
                leaves++;
            }
        }
    }

    private static string DescribeGroup(SchemaElement element)
    {
        string kind = element.LogicalType?.Kind switch
        {
            LogicalTypeKind.List => "a list",
            LogicalTypeKind.Map => "a map",
            _ => element.ConvertedType switch
            {
                ConvertedType.List => "a list",
                ConvertedType.Map or ConvertedType.MapKeyValue => "a map",
                _ => "a struct (group)",
            },
        };
        return $"Column '{element.Name}' is {kind}; nested columns are not supported yet, so read the flat columns by projection.";
    }

    private static ColumnField? MapLeaf(SchemaElement e, out string? reason, out ValueConversion conversion)
    {
        reason = null;
        conversion = ValueConversion.None;
        FieldRepetition repetition = e.Repetition ?? FieldRepetition.Required;
        if (repetition == FieldRepetition.Repeated)
        {
            reason = $"Column '{e.Name}' is a repeated field; repeated (list) columns are not supported yet.";
            return null;
        }
        if (repetition != FieldRepetition.Optional && repetition != FieldRepetition.Required)
        {
            reason = $"Column '{e.Name}' has unknown repetition {(int)repetition}; expected REQUIRED or OPTIONAL.";
            return null;
        }
        bool nullable = repetition == FieldRepetition.Optional;
        LogicalType? lt = e.LogicalType;
        LogicalTypeKind kind = lt?.Kind ?? LogicalTypeKind.Unknown;
        // A known logical type wins; an unknown one falls back to the legacy converted type, then to the physical type.
        ConvertedType? ct = lt is not null && kind != LogicalTypeKind.Unknown ? null : e.ConvertedType;
        string typeText = $"{PhysicalName(e.Type)}{(lt is not null && kind != LogicalTypeKind.Unknown ? " " + lt : ct is not null ? " " + ct.ToString()!.ToUpperInvariant() : "")}";
        ColumnType? type = null;
        switch (e.Type)
        {
            case PhysicalType.Boolean when kind is LogicalTypeKind.Unknown or LogicalTypeKind.Null && ct is null:
                type = ColumnType.Boolean;
                conversion = ValueConversion.Boolean;
                break;
            case PhysicalType.Int32 when IsPlainInt32(kind, lt, ct):
                type = ColumnType.Int32;
                conversion = ValueConversion.Int32;
                break;
            case PhysicalType.Int32 when (kind == LogicalTypeKind.Integer && lt!.BitWidth == 32 && !lt.IsSigned)
                || (kind is LogicalTypeKind.Unknown or LogicalTypeKind.Null && ct == ConvertedType.UInt32):
                type = ColumnType.Int64;
                conversion = ValueConversion.UInt32ToInt64;
                break;
            case PhysicalType.Int64 when (kind == LogicalTypeKind.Integer && lt!.BitWidth == 64 && !lt.IsSigned)
                || (kind is LogicalTypeKind.Unknown or LogicalTypeKind.Null && ct == ConvertedType.UInt64):
                type = ColumnType.Int64;
                conversion = ValueConversion.UInt64Checked;
                break;
            case PhysicalType.Int64 when kind == LogicalTypeKind.Timestamp:
                if (lt!.Unit == TimeUnit.Micros)
                {
                    type = ColumnType.Timestamp;
                    conversion = ValueConversion.Int64;
                }
                else if (lt.Unit == TimeUnit.Millis)
                {
                    type = ColumnType.Timestamp;
                    conversion = ValueConversion.MillisToMicros;
                }
                else
                {
                    reason = $"Column '{e.Name}' is a TIMESTAMP in {lt.Unit.ToString().ToUpperInvariant()}; nanosecond timestamps are not supported because timestamps are stored in microseconds.";
                }
                break;
            case PhysicalType.Int64 when kind == LogicalTypeKind.Unknown && ct == ConvertedType.TimestampMicros:
                type = ColumnType.Timestamp;
                conversion = ValueConversion.Int64;
                break;
            case PhysicalType.Int64 when kind == LogicalTypeKind.Unknown && ct == ConvertedType.TimestampMillis:
                type = ColumnType.Timestamp;
                conversion = ValueConversion.MillisToMicros;
                break;
            case PhysicalType.Int64 when IsPlainInt64(kind, lt, ct):
                type = ColumnType.Int64;
                conversion = ValueConversion.Int64;
                break;
            case PhysicalType.Int96 when kind is LogicalTypeKind.Unknown or LogicalTypeKind.Null && ct is null:
                type = ColumnType.Timestamp;
                conversion = ValueConversion.Int96ToMicros;
                break;
            case PhysicalType.Float when kind is LogicalTypeKind.Unknown or LogicalTypeKind.Null && ct is null:
                type = ColumnType.Float;
                conversion = ValueConversion.Float;
                break;
            case PhysicalType.Double when kind is LogicalTypeKind.Unknown or LogicalTypeKind.Null && ct is null:
                type = ColumnType.Double;
                conversion = ValueConversion.Double;
                break;
            case PhysicalType.ByteArray when kind is LogicalTypeKind.String or LogicalTypeKind.Enum or LogicalTypeKind.Json
                || (kind == LogicalTypeKind.Unknown && ct is ConvertedType.Utf8 or ConvertedType.Enum or ConvertedType.Json):
                type = ColumnType.String;
                conversion = ValueConversion.ByteArray;
                break;
            case PhysicalType.ByteArray when kind is LogicalTypeKind.Unknown or LogicalTypeKind.Null or LogicalTypeKind.Bson && ct is null or ConvertedType.Bson:
                type = ColumnType.Binary;
                conversion = ValueConversion.ByteArray;
                break;
        }
        if (type is null)
        {
            reason ??= $"Column '{e.Name}' has type {typeText.Trim()}, which is not supported yet; supported are BOOLEAN, INT32 (signed or unsigned integers), INT64 (signed, or unsigned up to 2^63 - 1), INT64 TIMESTAMP(MILLIS|MICROS), INT96, FLOAT, DOUBLE and BYTE_ARRAY (STRING, ENUM, JSON or plain binary).";
            return null;
        }
        return new ColumnField(e.Name, type.Value, nullable);
    }

    private static string PhysicalName(PhysicalType? type) => type switch
    {
        PhysicalType.ByteArray => "BYTE_ARRAY",
        PhysicalType.FixedLenByteArray => "FIXED_LEN_BYTE_ARRAY",
        null => "group",
        { } other when !Enum.IsDefined(other) => $"unknown physical type {(int)other}",
        { } other => other.ToString().ToUpperInvariant(),
    };

    private static bool IsPlainInt32(LogicalTypeKind kind, LogicalType? lt, ConvertedType? ct) =>
        kind switch
        {
            LogicalTypeKind.Integer => lt!.BitWidth is 8 or 16 or 32 && (lt.IsSigned || lt.BitWidth < 32),
            LogicalTypeKind.Unknown or LogicalTypeKind.Null => ct is null or ConvertedType.Int8 or ConvertedType.Int16 or ConvertedType.Int32 or ConvertedType.UInt8 or ConvertedType.UInt16,
            _ => false,
        };

    private static bool IsPlainInt64(LogicalTypeKind kind, LogicalType? lt, ConvertedType? ct) =>
        kind switch
        {
            LogicalTypeKind.Integer => lt!.BitWidth == 64 && lt.IsSigned,
            LogicalTypeKind.Unknown or LogicalTypeKind.Null => ct is null or ConvertedType.Int64,
            _ => false,
        };
}

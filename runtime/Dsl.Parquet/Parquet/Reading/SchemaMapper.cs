using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Reading;

/// <summary>
/// Walks the flattened schema into a tree of top-level fields and decides how (or whether) each is read: leaves by
/// their physical and logical type, groups as structs, lists and maps following the Parquet LogicalTypes
/// backward-compatibility rules (3-level lists, legacy 2-level and 1-level lists, MAP and MAP_KEY_VALUE maps).
/// </summary>
internal static class SchemaMapper
{
    private const int MaxDepth = 100;

    /// <summary>One schema element with its children, in the order of the flattened schema.</summary>
    private sealed class Node
    {
        public required SchemaElement Element { get; init; }

        public List<Node> Children { get; } = [];

        public int FirstLeaf { get; set; }

        public int LeafCount { get; set; }

        public bool IsGroup => Element.Type is null || Element.NumChildren is > 0;

        public FieldRepetition Repetition => Element.Repetition ?? FieldRepetition.Required;

        public string Name => Element.Name;
    }

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
            Node node = Build(schema, ref index, ref leaves, 1);
            string? reason;
            FieldPlan? plan;
            try
            {
                plan = MapField(node, node.Name, 0, 0, 0, 0, out reason);
                plan?.AssignRepetitionLevels();
            }
            catch (UnsupportedException ex)
            {
                plan = null;
                reason = ex.Message;
            }
            columns.Add(new ParquetColumnInfo(node.Element, node.FirstLeaf, node.LeafCount, plan, reason));
        }
        if (index != schema.Count)
        {
            throw new ParquetFormatException($"The schema has {schema.Count} elements but its root's children account for only {index}.");
        }
        leafCount = leaves;
        return columns;
    }

    private sealed class UnsupportedException(string message) : Exception(message);

    private static Node Build(List<SchemaElement> schema, ref int index, ref int leaves, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ParquetFormatException($"The schema nests groups more than {MaxDepth} levels deep.");
        }
        if (index >= schema.Count)
        {
            throw new ParquetFormatException($"The schema's groups claim more children than its {schema.Count} elements hold.");
        }
        var node = new Node { Element = schema[index++], FirstLeaf = leaves };
        if (node.IsGroup)
        {
            int children = node.Element.NumChildren ?? 0;
            if (children < 0 || children > schema.Count - index)
            {
                throw new ParquetFormatException($"Schema group '{node.Name}' claims {children} children but only {schema.Count - index} elements follow.");
            }
            for (int c = 0; c < children; c++)
            {
                node.Children.Add(Build(schema, ref index, ref leaves, depth + 1));
            }
        }
        else
        {
            leaves++;
        }
        node.LeafCount = leaves - node.FirstLeaf;
        return node;
    }

    /// <summary>Maps a field whose parent sits at levels (<paramref name="parentDef"/>, <paramref name="parentRep"/>), applying its own repetition.</summary>
    private static FieldPlan? MapField(Node n, string path, int parentDef, int parentRep, int slotDef, int slotRep, out string? reason)
    {
        switch (n.Repetition)
        {
            case FieldRepetition.Repeated:
            {
                // A repeated field outside a LIST or MAP annotation is a list of required elements that is never null.
                int def = parentDef + 1;
                int rep = parentRep + 1;
                if (rep > MaxDepth)
                {
                    throw new UnsupportedException($"Column '{path}' is nested more than {MaxDepth} lists deep.");
                }
                FieldPlan? element = MapValue(n, path, def, rep, def, rep, nullable: false, out reason);
                if (element is null)
                {
                    return null;
                }
                var field = new ColumnField(n.Name, ColumnType.List, false) { Children = [element.Field] };
                return new ListPlan(field, path, parentDef, slotDef, slotRep, element);
            }
            case FieldRepetition.Optional:
                return MapValue(n, path, parentDef + 1, parentRep, slotDef, slotRep, nullable: true, out reason);
            case FieldRepetition.Required:
                return MapValue(n, path, parentDef, parentRep, slotDef, slotRep, nullable: false, out reason);
            default:
                reason = $"Column '{path}' has unknown repetition {(int)n.Repetition}; expected REQUIRED, OPTIONAL or REPEATED.";
                return null;
        }
    }

    /// <summary>Maps a node whose own levels are (<paramref name="def"/>, <paramref name="rep"/>), its repetition already applied.</summary>
    private static FieldPlan? MapValue(Node n, string path, int def, int rep, int slotDef, int slotRep, bool nullable, out string? reason)
    {
        reason = null;
        if (!n.IsGroup)
        {
            ColumnField? leafField = MapLeaf(n.Element, path, nullable, out reason, out ValueConversion conversion);
            return leafField is null ? null : new LeafPlan(leafField, path, def, slotDef, slotRep, n.Element, n.FirstLeaf, rep, conversion);
        }
        if (n.Children.Count == 0)
        {
            reason = $"Column '{path}' is a group without children, which holds no data.";
            return null;
        }
        LogicalTypeKind? kind = n.Element.LogicalType?.Kind;
        ConvertedType? ct = n.Element.ConvertedType;
        if (kind == LogicalTypeKind.List || (kind is null or LogicalTypeKind.Unknown && ct == ConvertedType.List))
        {
            return MapList(n, path, def, rep, slotDef, slotRep, nullable, out reason);
        }
        if (kind == LogicalTypeKind.Map || (kind is null or LogicalTypeKind.Unknown && ct is ConvertedType.Map or ConvertedType.MapKeyValue))
        {
            return MapMap(n, path, def, rep, slotDef, slotRep, nullable, out reason);
        }
        var children = new FieldPlan[n.Children.Count];
        var fields = new ColumnField[children.Length];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < children.Length; i++)
        {
            Node child = n.Children[i];
            if (!names.Add(child.Name))
            {
                reason = $"Struct '{path}' has two members named '{child.Name}'.";
                return null;
            }
            FieldPlan? plan = MapField(child, path + "." + child.Name, def, rep, slotDef, slotRep, out reason);
            if (plan is null)
            {
                return null;
            }
            children[i] = plan;
            fields[i] = plan.Field;
        }
        var field = new ColumnField(n.Name, ColumnType.Struct, nullable) { Children = fields };
        return new StructPlan(field, path, def, slotDef, slotRep, children);
    }

    private static FieldPlan? MapList(Node n, string path, int def, int rep, int slotDef, int slotRep, bool nullable, out string? reason)
    {
        reason = null;
        if (n.Children.Count != 1 || n.Children[0].Repetition != FieldRepetition.Repeated)
        {
            reason = $"List '{path}' must have exactly one repeated child but has {n.Children.Count} children{(n.Children.Count == 1 ? " and it is not repeated" : "")}.";
            return null;
        }
        Node repeated = n.Children[0];
        int elementDef = def + 1;
        int elementRep = rep + 1;
        if (elementRep > MaxDepth)
        {
            throw new UnsupportedException($"Column '{path}' is nested more than {MaxDepth} lists deep.");
        }
        string repeatedPath = path + "." + repeated.Name;
        FieldPlan? element;
        // Backward-compatibility rules: the repeated node is itself the element when it is a primitive (2-level list),
        // a group of several members, or a one-member group named "array" or "<list>_tuple"; otherwise its only child
        // is the element (the standard 3-level list).
        if (!repeated.IsGroup || repeated.Children.Count != 1 || repeated.Name == "array" || repeated.Name == n.Name + "_tuple")
        {
            element = MapValue(repeated, repeatedPath, elementDef, elementRep, elementDef, elementRep, nullable: false, out reason);
        }
        else
        {
            Node child = repeated.Children[0];
            element = MapField(child, repeatedPath + "." + child.Name, elementDef, elementRep, elementDef, elementRep, out reason);
        }
        if (element is null)
        {
            return null;
        }
        var field = new ColumnField(n.Name, ColumnType.List, nullable) { Children = [element.Field] };
        return new ListPlan(field, path, def, slotDef, slotRep, element);
    }

    private static FieldPlan? MapMap(Node n, string path, int def, int rep, int slotDef, int slotRep, bool nullable, out string? reason)
    {
        reason = null;
        if (n.Children.Count != 1 || n.Children[0].Repetition != FieldRepetition.Repeated || !n.Children[0].IsGroup)
        {
            reason = $"Map '{path}' must have exactly one repeated group child (its key/value pairs) but does not.";
            return null;
        }
        Node pairs = n.Children[0];
        if (pairs.Children.Count is not (1 or 2))
        {
            reason = $"Map '{path}' has {pairs.Children.Count} members in its key/value group '{pairs.Name}'; a map needs the key and optionally the value.";
            return null;
        }
        int elementDef = def + 1;
        int elementRep = rep + 1;
        if (elementRep > MaxDepth)
        {
            throw new UnsupportedException($"Column '{path}' is nested more than {MaxDepth} lists deep.");
        }
        string pairsPath = path + "." + pairs.Name;
        Node keyNode = pairs.Children[0];
        if (pairs.Children.Count == 1)
        {
            // The spec lets a map leave out its value column. With no values it is a set of keys, read as a list of
            // them (as Arrow does) rather than as a map whose values are all null.
            FieldPlan? keys = MapField(keyNode, pairsPath + "." + keyNode.Name, elementDef, elementRep, elementDef, elementRep, out reason);
            if (keys is null)
            {
                return null;
            }
            var listField = new ColumnField(n.Name, ColumnType.List, nullable) { Children = [keys.Field] };
            return new ListPlan(listField, path, def, slotDef, slotRep, keys);
        }
        if (keyNode.Repetition == FieldRepetition.Repeated)
        {
            reason = $"Map '{path}' has a repeated key '{keyNode.Name}'; map keys must be single values.";
            return null;
        }
        FieldPlan? key = MapField(keyNode, pairsPath + "." + keyNode.Name, elementDef, elementRep, elementDef, elementRep, out reason);
        if (key is null)
        {
            return null;
        }
        Node valueNode = pairs.Children[1];
        FieldPlan? value = MapField(valueNode, pairsPath + "." + valueNode.Name, elementDef, elementRep, elementDef, elementRep, out reason);
        if (value is null)
        {
            return null;
        }
        var entryField = new ColumnField(pairs.Name, ColumnType.Struct, false) { Children = [key.Field, value.Field] };
        var entries = new StructPlan(entryField, pairsPath, elementDef, elementDef, elementRep, [key, value]);
        var field = new ColumnField(n.Name, ColumnType.Map, nullable) { Children = [key.Field, value.Field] };
        return new ListPlan(field, path, def, slotDef, slotRep, entries);
    }

    private static ColumnField? MapLeaf(SchemaElement e, string path, bool nullable, out string? reason, out ValueConversion conversion)
    {
        reason = null;
        conversion = ValueConversion.None;
        LogicalType? lt = e.LogicalType;
        LogicalTypeKind kind = lt?.Kind ?? LogicalTypeKind.Unknown;
        // A known logical type wins; an unknown one falls back to the legacy converted type, then to the physical type.
        ConvertedType? ct = lt is not null && kind != LogicalTypeKind.Unknown ? null : e.ConvertedType;
        bool bare = kind is LogicalTypeKind.Unknown or LogicalTypeKind.Null && ct is null;
        string typeText = $"{PhysicalName(e.Type)}{(lt is not null && kind != LogicalTypeKind.Unknown ? " " + lt : ct is not null ? " " + ct.ToString()!.ToUpperInvariant() : "")}";
        ColumnType? type = null;
        int precision = 0;
        int scale = 0;
        bool utc = false;
        int fixedLength = 0;
        bool isDecimal = kind == LogicalTypeKind.Decimal || (kind == LogicalTypeKind.Unknown && ct == ConvertedType.Decimal);
        if (isDecimal)
        {
            precision = kind == LogicalTypeKind.Decimal ? lt!.Precision : e.Precision ?? 0;
            scale = kind == LogicalTypeKind.Decimal ? lt!.Scale : e.Scale ?? 0;
            if (precision is < 1 or > 38 || scale < 0 || scale > precision)
            {
                reason = $"Column '{path}' is DECIMAL({precision},{scale}); supported are precisions 1 to 38 with a scale from 0 to the precision, stored in 128 bits.";
                return null;
            }
        }
        TimeUnit? timeUnit = kind == LogicalTypeKind.Time ? lt!.Unit
            : kind == LogicalTypeKind.Unknown && ct == ConvertedType.TimeMillis ? TimeUnit.Millis
            : kind == LogicalTypeKind.Unknown && ct == ConvertedType.TimeMicros ? TimeUnit.Micros
            : null;
        switch (e.Type)
        {
            case PhysicalType.Boolean when bare:
                type = ColumnType.Boolean;
                conversion = ValueConversion.Boolean;
                break;
            case PhysicalType.Int32 when isDecimal:
                type = ColumnType.Decimal;
                conversion = ValueConversion.Int32ToDecimal;
                break;
            case PhysicalType.Int32 when kind == LogicalTypeKind.Date || (kind == LogicalTypeKind.Unknown && ct == ConvertedType.Date):
                type = ColumnType.Date;
                conversion = ValueConversion.Int32;
                break;
            case PhysicalType.Int32 when timeUnit == TimeUnit.Millis:
                type = ColumnType.Time;
                conversion = ValueConversion.MillisOfDayToNanos;
                utc = kind == LogicalTypeKind.Time ? lt!.IsAdjustedToUtc : true;
                break;
            case PhysicalType.Int32 when bare:
                type = ColumnType.Int32;
                conversion = ValueConversion.Int32;
                break;
            case PhysicalType.Int64 when bare:
                type = ColumnType.Int64;
                conversion = ValueConversion.Int64;
                break;
            case PhysicalType.Int32 when IntegerOf(kind, lt, ct) is { } small && small != ColumnType.Int64 && small != ColumnType.UInt64:
                type = small;
                conversion = small switch
                {
                    ColumnType.Int8 => ValueConversion.Int32ToInt8,
                    ColumnType.Int16 => ValueConversion.Int32ToInt16,
                    ColumnType.UInt8 => ValueConversion.Int32ToUInt8,
                    ColumnType.UInt16 => ValueConversion.Int32ToUInt16,
                    ColumnType.UInt32 => ValueConversion.UInt32,
                    _ => ValueConversion.Int32,
                };
                break;
            case PhysicalType.Int64 when isDecimal:
                type = ColumnType.Decimal;
                conversion = ValueConversion.Int64ToDecimal;
                break;
            case PhysicalType.Int64 when timeUnit is TimeUnit.Micros or TimeUnit.Nanos:
                type = ColumnType.Time;
                conversion = timeUnit == TimeUnit.Micros ? ValueConversion.MicrosToNanos : ValueConversion.Int64;
                utc = kind == LogicalTypeKind.Time ? lt!.IsAdjustedToUtc : true;
                break;
            case PhysicalType.Int64 when kind == LogicalTypeKind.Timestamp:
                utc = lt!.IsAdjustedToUtc;
                (type, conversion) = lt.Unit switch
                {
                    TimeUnit.Millis => (ColumnType.Timestamp, ValueConversion.MillisToMicros),
                    TimeUnit.Micros => (ColumnType.Timestamp, ValueConversion.Int64),
                    TimeUnit.Nanos => (ColumnType.TimestampNanos, ValueConversion.Int64),
                    _ => ((ColumnType?)null, ValueConversion.None),
                };
                break;
            case PhysicalType.Int64 when kind == LogicalTypeKind.Unknown && ct == ConvertedType.TimestampMicros:
                type = ColumnType.Timestamp;
                conversion = ValueConversion.Int64;
                utc = true;
                break;
            case PhysicalType.Int64 when kind == LogicalTypeKind.Unknown && ct == ConvertedType.TimestampMillis:
                type = ColumnType.Timestamp;
                conversion = ValueConversion.MillisToMicros;
                utc = true;
                break;
            case PhysicalType.Int64 when IntegerOf(kind, lt, ct) is ColumnType.Int64 or ColumnType.UInt64:
                type = IntegerOf(kind, lt, ct);
                conversion = type == ColumnType.UInt64 ? ValueConversion.UInt64 : ValueConversion.Int64;
                break;
            case PhysicalType.Int96 when bare:
                type = ColumnType.Timestamp;
                conversion = ValueConversion.Int96ToMicros;
                break;
            case PhysicalType.Float when bare:
                type = ColumnType.Float;
                conversion = ValueConversion.Float;
                break;
            case PhysicalType.Double when bare:
                type = ColumnType.Double;
                conversion = ValueConversion.Double;
                break;
            case PhysicalType.FixedLenByteArray when e.TypeLength is not > 0:
                reason = $"Column '{path}' is a FIXED_LEN_BYTE_ARRAY with length {e.TypeLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"}; the length must be positive.";
                return null;
            case PhysicalType.FixedLenByteArray when isDecimal:
                type = ColumnType.Decimal;
                conversion = ValueConversion.FixedToDecimal;
                fixedLength = e.TypeLength!.Value;
                break;
            case PhysicalType.FixedLenByteArray when kind == LogicalTypeKind.Float16:
                if (e.TypeLength != 2)
                {
                    reason = $"Column '{path}' is FLOAT16 stored in {e.TypeLength} bytes; FLOAT16 must be stored in 2.";
                    return null;
                }
                type = ColumnType.Float16;
                conversion = ValueConversion.Float16;
                fixedLength = 2;
                break;
            case PhysicalType.FixedLenByteArray when kind == LogicalTypeKind.Uuid:
                if (e.TypeLength != 16)
                {
                    reason = $"Column '{path}' is a UUID stored in {e.TypeLength} bytes; a UUID must be stored in 16.";
                    return null;
                }
                type = ColumnType.Uuid;
                conversion = ValueConversion.Uuid;
                fixedLength = 16;
                break;
            case PhysicalType.FixedLenByteArray when bare || (kind == LogicalTypeKind.Unknown && ct == ConvertedType.Bson) || kind == LogicalTypeKind.Bson:
                type = ColumnType.Binary;
                conversion = ValueConversion.FixedBinary;
                fixedLength = e.TypeLength!.Value;
                break;
            case PhysicalType.ByteArray when isDecimal:
                type = ColumnType.Decimal;
                conversion = ValueConversion.ByteArrayToDecimal;
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
            reason ??= $"Column '{path}' has type {typeText.Trim()}, which is not supported yet; supported are BOOLEAN, INT32 (integers, DATE, TIME(MILLIS), DECIMAL), INT64 (integers up to 2^63 - 1, TIMESTAMP and TIME in every unit, DECIMAL), INT96, FLOAT, DOUBLE, FIXED_LEN_BYTE_ARRAY (binary, DECIMAL, FLOAT16, UUID) and BYTE_ARRAY (STRING, ENUM, JSON, BSON, DECIMAL or plain binary).";
            return null;
        }
        return new ColumnField(e.Name, type.Value, nullable)
        {
            Precision = precision,
            Scale = scale,
            IsAdjustedToUtc = utc,
            FixedLength = type == ColumnType.Binary ? fixedLength : 0,
            IsJson = type == ColumnType.String && (kind == LogicalTypeKind.Json || (kind == LogicalTypeKind.Unknown && ct == ConvertedType.Json)),
        };
    }

    private static string PhysicalName(PhysicalType? type) => type switch
    {
        PhysicalType.ByteArray => "BYTE_ARRAY",
        PhysicalType.FixedLenByteArray => "FIXED_LEN_BYTE_ARRAY",
        null => "group",
        { } other when !Enum.IsDefined(other) => $"unknown physical type {(int)other}",
        { } other => other.ToString().ToUpperInvariant(),
    };

    // The integer type an INT32 or INT64 leaf holds: its INT(bits, signed) logical type, else its legacy converted
    // type; null for any other annotation (a bare leaf is matched before).
    private static ColumnType? IntegerOf(LogicalTypeKind kind, LogicalType? lt, ConvertedType? ct) => kind switch
    {
        LogicalTypeKind.Integer => (lt!.BitWidth, lt.IsSigned) switch
        {
            (8, true) => ColumnType.Int8,
            (16, true) => ColumnType.Int16,
            (32, true) => ColumnType.Int32,
            (64, true) => ColumnType.Int64,
            (8, false) => ColumnType.UInt8,
            (16, false) => ColumnType.UInt16,
            (32, false) => ColumnType.UInt32,
            (64, false) => ColumnType.UInt64,
            _ => null,
        },
        LogicalTypeKind.Unknown or LogicalTypeKind.Null => ct switch
        {
            null => null,
            ConvertedType.Int8 => ColumnType.Int8,
            ConvertedType.Int16 => ColumnType.Int16,
            ConvertedType.Int32 => ColumnType.Int32,
            ConvertedType.Int64 => ColumnType.Int64,
            ConvertedType.UInt8 => ColumnType.UInt8,
            ConvertedType.UInt16 => ColumnType.UInt16,
            ConvertedType.UInt32 => ColumnType.UInt32,
            ConvertedType.UInt64 => ColumnType.UInt64,
            _ => (ColumnType?)null,
        },
        _ => null,
    };
}

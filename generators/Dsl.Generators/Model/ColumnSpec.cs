using Dsl.Generators.Common;

namespace Dsl.Generators.Model;

/// <summary>One column of a schema record.</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="MemberName">The positional property name.</param>
/// <param name="ColumnName">The column name in batches (the property name unless [Column] renames it).</param>
/// <param name="Kind">The column type.</param>
/// <param name="Nullable">Whether the member is nullable (a nullable value type or an annotated reference type).</param>
internal sealed record ColumnSpec(string MemberName, string ColumnName, ColumnKind Kind, bool Nullable)
{
    /// <summary>The element type stored in the column's span (<c>long</c> for timestamps, <c>int</c> days for dates; indices for strings).</summary>
    public string StorageType => Kind switch
    {
        ColumnKind.Int32 => "int",
        ColumnKind.Int64 => "long",
        ColumnKind.Float => "float",
        ColumnKind.Double => "double",
        ColumnKind.Boolean => "bool",
        ColumnKind.Timestamp or ColumnKind.TimestampOffset or ColumnKind.TimestampNanos or ColumnKind.Time => "long",
        ColumnKind.Date => "int",
        ColumnKind.Int8 => "sbyte",
        ColumnKind.Int16 => "short",
        ColumnKind.UInt8 => "byte",
        ColumnKind.UInt16 => "ushort",
        ColumnKind.UInt32 => "uint",
        ColumnKind.UInt64 => "ulong",
        ColumnKind.Float16 => "global::System.Half",
        ColumnKind.Uuid => "global::System.Guid",
        ColumnKind.Decimal => "global::System.Int128",
        _ => "int",
    };

    /// <summary>For <see cref="ColumnKind.List"/>: the element's kind (never nullable, never a list).</summary>
    public ColumnKind Element { get; init; }

    /// <summary>For <see cref="ColumnKind.List"/>: the member is an <c>IReadOnlyList&lt;T&gt;</c> rather than an array.</summary>
    public bool ReadOnlyList { get; init; }

    /// <summary>A list member.</summary>
    public bool IsList => Kind == ColumnKind.List;

    /// <summary>For a list member, a spec of its element (to reuse the element's storage and type names).</summary>
    public ColumnSpec ElementSpec => new(MemberName, ColumnName, Element, false);

    /// <summary>The member's CLR type without nullability.</summary>
    public string ValueType => Kind switch
    {
        ColumnKind.List => ReadOnlyList
            ? "global::System.Collections.Generic.IReadOnlyList<" + ElementSpec.ValueType + ">"
            : ElementSpec.ValueType + "[]",
        ColumnKind.String => "string",
        ColumnKind.Binary => "byte[]",
        ColumnKind.Timestamp => "global::System.DateTime",
        ColumnKind.TimestampOffset => "global::System.DateTimeOffset",
        ColumnKind.TimestampNanos => "global::Dsl.NanoTimestamp",
        ColumnKind.Time => "global::System.TimeOnly",
        ColumnKind.Date => "global::System.DateOnly",
        ColumnKind.Decimal => "decimal",
        _ => StorageType,
    };

    /// <summary>The member's CLR type as declared, with nullability.</summary>
    public string ClrType => Nullable ? ValueType + "?" : ValueType;

    /// <summary>The name of the runtime <c>Dsl.ColumnType</c> the column has.</summary>
    public string RuntimeType => Kind switch
    {
        ColumnKind.TimestampOffset => "Timestamp",
        _ => Kind.ToString(),
    };

    /// <summary>The <c>global::Dsl.ColumnType</c> member expression.</summary>
    public string ColumnTypeExpression => "global::Dsl.ColumnType." + RuntimeType;

    /// <summary>A <c>string</c> member (dictionary-encoded text).</summary>
    public bool IsString => Kind == ColumnKind.String;

    /// <summary>A member stored in a <c>Dsl.StringColumn</c>: text or bytes.</summary>
    public bool IsByteArray => Kind is ColumnKind.String or ColumnKind.Binary;

    private static string Number(double? value) => value is { } v
        ? Kernels.KernelLowering.ConstantText(v)
        : "null";

    /// <summary>The expression reading row <paramref name="row"/> of the list column <paramref name="column"/> into the member's value.</summary>
    public string ListLoad(string column, string row) =>
        "global::Dsl.Lists.ToArray<" + ElementSpec.StorageType + ">(" + column + ", " + row + ", " + SourceWriter.Literal(ColumnName) + ")";

    /// <summary>The builder of a list column: <c>new ListColumnBuilder&lt;T&gt;(elementType, capacity)</c>, without the capacity.</summary>
    public string ListBuilder => "global::Dsl.ListColumnBuilder<" + ElementSpec.StorageType + ">(" + ElementSpec.ColumnTypeExpression;

    /// <summary>The builder type of a byte-array column.</summary>
    public string ByteArrayBuilder => Kind == ColumnKind.Binary ? "global::Dsl.BinaryColumnBuilder" : "global::Dsl.StringColumnBuilder";

    /// <summary>A <c>[Utc]</c> timestamp (or a <c>DateTimeOffset</c>): an instant, stored adjusted to UTC.</summary>
    public bool Utc { get; init; }

    /// <summary>A <c>DateTime</c> marked <c>[TruncateNanoseconds]</c>: nanosecond input is floored to the microsecond.</summary>
    public bool TruncateNanoseconds { get; init; }

    /// <summary>For <see cref="ColumnKind.Decimal"/>: the total digits (1 to 38; <c>[Decimal(p, s)]</c>, else 38).</summary>
    public int Precision { get; init; }

    /// <summary>For <see cref="ColumnKind.Decimal"/>: the digits after the point (0 to 28; <c>[Decimal(p, s)]</c>, else 18).</summary>
    public int Scale { get; init; }

    /// <summary>The scalar expression converting a stored value to the member's type (timestamps and dates are stored in other units).</summary>
    public string FromStorage(string stored) => Kind switch
    {
        ColumnKind.Timestamp => (Utc ? "global::Dsl.Timestamps.FromMicrosUtc(" : "global::Dsl.Timestamps.FromMicros(") + stored + ")",
        ColumnKind.TimestampOffset => "global::Dsl.Timestamps.FromMicrosOffset(" + stored + ")",
        ColumnKind.TimestampNanos => "new global::Dsl.NanoTimestamp(" + stored + ")",
        ColumnKind.Time => "global::Dsl.Times.FromNanos(" + stored + ")",
        ColumnKind.Date => "global::Dsl.Dates.FromDays(" + stored + ")",
        ColumnKind.Decimal => "global::Dsl.Decimals.ToDecimal(" + stored + ", " + Scale + ")",
        _ => stored,
    };

    /// <summary>The scalar expression converting a member value to its stored unit.</summary>
    public string ToStorage(string value) => Kind switch
    {
        ColumnKind.Timestamp => (Utc ? "global::Dsl.Timestamps.ToMicrosUtc(" : "global::Dsl.Timestamps.ToMicros(") + value + ")",
        ColumnKind.TimestampOffset => "global::Dsl.Timestamps.ToMicros(" + value + ")",
        ColumnKind.TimestampNanos => value + ".UnixNanoseconds",
        ColumnKind.Time => "global::Dsl.Times.ToNanos(" + value + ")",
        ColumnKind.Date => "global::Dsl.Dates.ToDays(" + value + ")",
        ColumnKind.Decimal => "global::Dsl.Decimals.FromDecimal(" + value + ", " + Precision + ", " + Scale + ")",
        _ => value,
    };

    /// <summary>The member's <c>[Range]</c> bounds, for sample data (an exclusive bound moved inward to the nearest value the rule admits).</summary>
    public double? SampleMin { get; init; }

    /// <summary>See <see cref="SampleMin"/>.</summary>
    public double? SampleMax { get; init; }

    /// <summary>The member's <c>[NullRate]</c>, for sample data and the null-rate gate.</summary>
    public double? SampleNullRate { get; init; }

    /// <summary>The <c>GateSeverity</c> member name of the member's <c>[NullRate]</c> gate (null without one).</summary>
    public string? NullRateSeverity { get; init; }

    /// <summary>The row rules declared on the member, in declaration order.</summary>
    public EquatableArray<RuleSpec> Rules { get; init; } = EquatableArray<RuleSpec>.Empty;

    /// <summary>The member's <c>[SampleValues]</c>, or empty.</summary>
    public EquatableArray<string> SampleValues { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Initializers of the runtime <c>ColumnField</c> beyond name, type and nullability, or empty.</summary>
    public string FieldInitializer()
    {
        var parts = new System.Collections.Generic.List<string>();
        if (Utc)
        {
            parts.Add("IsAdjustedToUtc = true");
        }
        if (TruncateNanoseconds)
        {
            parts.Add("TruncatesNanoseconds = true");
        }
        if (Kind == ColumnKind.Decimal)
        {
            parts.Add("Precision = " + Precision);
            parts.Add("Scale = " + Scale);
        }
        if (Kind == ColumnKind.List)
        {
            parts.Add("Children = new[] { new global::Dsl.ColumnField(\"element\", " + ElementSpec.ColumnTypeExpression + ", false) }");
        }
        if (SampleMin is not null || SampleNullRate is not null || SampleValues.Count > 0)
        {
            var values = new System.Collections.Generic.List<string>();
            foreach (string value in SampleValues)
            {
                values.Add(SourceWriter.Literal(value));
            }
            parts.Add("Sample = new global::Dsl.ColumnSample(" + Number(SampleMin) + ", " + Number(SampleMax) + ", " + Number(SampleNullRate) + ", "
                + (SampleValues.Count == 0 ? "null" : "new[] { " + string.Join(", ", values) + " }") + ")");
        }
        return parts.Count == 0 ? string.Empty : " { " + string.Join(", ", parts) + " }";
    }
}

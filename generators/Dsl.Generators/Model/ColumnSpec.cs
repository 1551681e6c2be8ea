namespace Dsl.Generators.Model;

/// <summary>One column of a schema record.</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="MemberName">The positional property name.</param>
/// <param name="ColumnName">The column name in batches (the property name unless [Column] renames it).</param>
/// <param name="Kind">The column type.</param>
/// <param name="Nullable">Whether the member is nullable (a nullable value type or an annotated string).</param>
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
        ColumnKind.Timestamp => "long",
        ColumnKind.Date => "int",
        _ => "int",
    };

    /// <summary>The member's CLR type without nullability.</summary>
    public string ValueType => Kind switch
    {
        ColumnKind.String => "string",
        ColumnKind.Timestamp => "global::System.DateTime",
        ColumnKind.Date => "global::System.DateOnly",
        _ => StorageType,
    };

    /// <summary>The member's CLR type as declared, with nullability.</summary>
    public string ClrType => Nullable ? ValueType + "?" : ValueType;

    /// <summary>The <c>global::Dsl.ColumnType</c> member expression.</summary>
    public string ColumnTypeExpression => "global::Dsl.ColumnType." + Kind.ToString();

    public bool IsString => Kind == ColumnKind.String;

    /// <summary>A <c>[Utc]</c> timestamp: an instant, stored adjusted to UTC and read as DateTime of kind Utc.</summary>
    public bool Utc { get; init; }

    /// <summary>The scalar expression converting a stored value to the member's type (timestamps and dates are stored in other units).</summary>
    public string FromStorage(string stored) => Kind switch
    {
        ColumnKind.Timestamp => (Utc ? "global::Dsl.Timestamps.FromMicrosUtc(" : "global::Dsl.Timestamps.FromMicros(") + stored + ")",
        ColumnKind.Date => "global::Dsl.Dates.FromDays(" + stored + ")",
        _ => stored,
    };

    /// <summary>The scalar expression converting a member value to its stored unit.</summary>
    public string ToStorage(string value) => Kind switch
    {
        ColumnKind.Timestamp => (Utc ? "global::Dsl.Timestamps.ToMicrosUtc(" : "global::Dsl.Timestamps.ToMicros(") + value + ")",
        ColumnKind.Date => "global::Dsl.Dates.ToDays(" + value + ")",
        _ => value,
    };
}

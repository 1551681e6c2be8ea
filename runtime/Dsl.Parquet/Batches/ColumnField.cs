namespace Dsl;

/// <summary>A named, typed column slot of a <see cref="BatchSchema"/>.</summary>
/// <param name="Name">The column name (case-sensitive).</param>
/// <param name="Type">The value type.</param>
/// <param name="Nullable">Whether rows may be null.</param>
/// <remarks>
/// The optional members describe types that need more than a <see cref="ColumnType"/>: decimal precision and scale,
/// the UTC flag of times and timestamps, and the child fields of lists, structs and maps. They default to "none",
/// so <c>new ColumnField(name, type, nullable)</c> describes every flat type.
/// </remarks>
public sealed record ColumnField(string Name, ColumnType Type, bool Nullable)
{
    /// <summary>For <see cref="ColumnType.Decimal"/>: the most significant digits a value has (1 to 38).</summary>
    public int Precision { get; init; }

    /// <summary>For <see cref="ColumnType.Decimal"/>: the digits after the decimal point (0 to <see cref="Precision"/>).</summary>
    public int Scale { get; init; }

    /// <summary>
    /// For <see cref="ColumnType.Timestamp"/>, <see cref="ColumnType.TimestampNanos"/> and <see cref="ColumnType.Time"/>:
    /// whether values are UTC instants (Parquet's <c>isAdjustedToUTC</c>) rather than local wall-clock values.
    /// </summary>
    public bool IsAdjustedToUtc { get; init; }

    /// <summary>
    /// For <see cref="ColumnType.Binary"/>: the byte length of every value when the column is fixed-length (Parquet
    /// FIXED_LEN_BYTE_ARRAY), else 0.
    /// </summary>
    public int FixedLength { get; init; }

    /// <summary>
    /// For <see cref="ColumnType.String"/>: whether the text is a JSON document (Parquet's <c>JSON</c> logical type).
    /// Values are still strings; JSON output (<c>dsl parquet cat</c>) embeds valid ones as
    /// JSON, and the Parquet writer annotates the column <c>JSON</c>.
    /// </summary>
    public bool IsJson { get; init; }

    /// <summary>
    /// For a <see cref="ColumnType.Timestamp"/> member (microseconds): whether a nanosecond column read into it is
    /// truncated to the microsecond (the member's <c>[TruncateNanoseconds]</c>) instead of refused.
    /// </summary>
    public bool TruncatesNanoseconds { get; init; }

    /// <summary>
    /// How <c>generate-sample</c> draws this column's synthetic values (from the member's <c>[Range]</c>,
    /// <c>[NullRate]</c> and <c>[SampleValues]</c>), or <see langword="null"/> for the defaults. Not part of the
    /// field's identity: two fields that differ only here are equal.
    /// </summary>
    public ColumnSample? Sample { get; init; }

    /// <summary>
    /// The child fields: the element of a <see cref="ColumnType.List"/>, the key and value of a
    /// <see cref="ColumnType.Map"/>, the members of a <see cref="ColumnType.Struct"/>; empty for flat types.
    /// </summary>
    public IReadOnlyList<ColumnField> Children { get; init; } = [];

    /// <inheritdoc />
    public bool Equals(ColumnField? other) =>
        other is not null
        && Name == other.Name && Type == other.Type && Nullable == other.Nullable
        && Precision == other.Precision && Scale == other.Scale && IsAdjustedToUtc == other.IsAdjustedToUtc
        && FixedLength == other.FixedLength && IsJson == other.IsJson && TruncatesNanoseconds == other.TruncatesNanoseconds && Children.SequenceEqual(other.Children);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Name);
        hash.Add(Type);
        hash.Add(Nullable);
        hash.Add(Precision);
        hash.Add(Scale);
        hash.Add(IsAdjustedToUtc);
        hash.Add(FixedLength);
        hash.Add(IsJson);
        hash.Add(TruncatesNanoseconds);
        foreach (ColumnField child in Children)
        {
            hash.Add(child);
        }
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {TypeName}{(Nullable ? "?" : "")}";

    /// <summary>The type as text, with its parameters: <c>Decimal(9,2)</c>, <c>Timestamp(UTC)</c>, <c>String(JSON)</c>, <c>List&lt;element: Int32?&gt;</c>.</summary>
    public string TypeName => Type switch
    {
        ColumnType.Decimal => $"Decimal({Precision},{Scale})",
        ColumnType.Timestamp or ColumnType.TimestampNanos or ColumnType.Time when IsAdjustedToUtc => $"{Type}(UTC)",
        ColumnType.Binary when FixedLength > 0 => $"Binary({FixedLength})",
        ColumnType.String when IsJson => "String(JSON)",
        ColumnType.List or ColumnType.Struct or ColumnType.Map => $"{Type}<{string.Join(", ", Children.Select(c => c.ToString()))}>",
        _ => Type.ToString(),
    };
}

namespace Dsl.Generators.Model;

/// <summary>What a kernel value is, as the emitters need to know it: the kind of its lanes, not its C# spelling.</summary>
internal enum KernelTypeKind
{
    /// <summary>No value: patterns and switch arms.</summary>
    None,
    /// <summary>The type of the <c>null</c> literal before a conversion gives it one.</summary>
    Null,
    Bool,
    SByte,
    Byte,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Single,
    Double,
    Decimal,
    Char,
    String,
    DateTime,
    DateOnly,
    TimeOnly,
    TimeSpan,
    DayOfWeek,
    /// <summary><c>System.MidpointRounding</c>, the mode argument of <c>Math.Round</c>.</summary>
    MidpointRounding,
    /// <summary><c>System.StringComparison</c>, the comparison argument of the string members.</summary>
    StringComparison,
    /// <summary>Any other enum.</summary>
    Enum,
    /// <summary>
    /// <c>double[]</c>: bucket boundaries, read from a stage parameter or a static field and passed whole to a
    /// feature operation (<c>Bucketize.Index</c>); kernels never index it.
    /// </summary>
    DoubleArray,
    /// <summary><c>string[]</c>: a category list passed whole to a feature operation (<c>Encode.Ordinal</c>), like <see cref="DoubleArray"/>.</summary>
    StringArray,
    /// <summary>A type the kernels only pass along (the result of an unknown call, a map's record, <c>void</c>).</summary>
    Other,
}

/// <summary>
/// The type of a kernel IR node: its <see cref="Kind"/> and nullability for the emitters to switch on, and its C#
/// name (fully qualified, with nullability) for the per-row code, which writes it in casts, <c>default</c> and <c>new</c>.
/// </summary>
/// <param name="Kind">The kind of value.</param>
/// <param name="Nullable">Whether it is <c>Nullable&lt;T&gt;</c> (value types) or annotated <c>?</c> (strings).</param>
/// <param name="CSharp">Its C# name, as generated code spells it ("" for <see cref="KernelTypeKind.None"/> and <see cref="KernelTypeKind.Null"/>).</param>
internal sealed record KernelType(KernelTypeKind Kind, bool Nullable, string CSharp)
{
    /// <summary>The type of patterns and other nodes without a value.</summary>
    public static KernelType None { get; } = new(KernelTypeKind.None, false, string.Empty);

    /// <summary>The type of the <c>null</c> literal.</summary>
    public static KernelType Null { get; } = new(KernelTypeKind.Null, true, string.Empty);

    /// <summary>The width of one value in bits (0 where the kernels have no fixed-width lane for it).</summary>
    public int Width => Kind switch
    {
        KernelTypeKind.Bool or KernelTypeKind.SByte or KernelTypeKind.Byte => 8,
        KernelTypeKind.Int16 or KernelTypeKind.UInt16 or KernelTypeKind.Char => 16,
        KernelTypeKind.Int32 or KernelTypeKind.UInt32 or KernelTypeKind.Single or KernelTypeKind.DayOfWeek
            or KernelTypeKind.MidpointRounding or KernelTypeKind.StringComparison or KernelTypeKind.DateOnly => 32,
        KernelTypeKind.Int64 or KernelTypeKind.UInt64 or KernelTypeKind.Double or KernelTypeKind.DateTime
            or KernelTypeKind.TimeOnly or KernelTypeKind.TimeSpan => 64,
        KernelTypeKind.Decimal => 128,
        _ => 0,
    };

    /// <summary>Whether values are integers (the kinds C# checks for overflow).</summary>
    public bool IsIntegral => Kind is KernelTypeKind.SByte or KernelTypeKind.Byte or KernelTypeKind.Int16 or KernelTypeKind.UInt16
        or KernelTypeKind.Int32 or KernelTypeKind.UInt32 or KernelTypeKind.Int64 or KernelTypeKind.UInt64 or KernelTypeKind.Char;

    /// <summary>Whether values are binary floating point.</summary>
    public bool IsFloating => Kind is KernelTypeKind.Single or KernelTypeKind.Double;

    public override string ToString() => CSharp.Length > 0 ? CSharp : Kind.ToString();
}

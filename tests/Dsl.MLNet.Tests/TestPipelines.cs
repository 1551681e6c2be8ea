namespace Dsl.MLNet.Tests;

/// <summary>Every type the view maps, without nulls.</summary>
[Schema]
public partial record Typed(
    long Id,
    float F,
    double D,
    sbyte I8,
    short I16,
    int I32,
    long I64,
    byte U8,
    ushort U16,
    uint U32,
    ulong U64,
    Half H,
    bool B,
    string S,
    DateTime Ts,
    [property: Utc] DateTime TsUtc,
    DateOnly Day,
    TimeOnly Time);

/// <summary>Nullable members: Parquet OPTIONAL columns.</summary>
[Schema]
public partial record Nullables(long Id, float? F, double? D, Half? H, int? I32, long? I64, ulong? U64, bool? B, string? S, DateTime? Ts);

/// <summary>Types the view refuses.</summary>
[Schema]
public partial record Unmapped(long Id, [property: Decimal(12, 2)] decimal Price, Guid Key, double X, byte[] Blob, NanoTimestamp Ns, int[] Counts);

/// <summary>Copies <see cref="Typed"/> rows: the output is what the input was, written by a real run.</summary>
[Pipeline("typed-copy")]
public static partial class TypedCopy
{
    /// <summary>Keeps every row.</summary>
    [Filter]
    public static bool All(Typed t) => t.Id >= 0;
}

/// <summary>Copies <see cref="Nullables"/> rows.</summary>
[Pipeline("nullables-copy")]
public static partial class NullablesCopy
{
    /// <summary>Keeps every row.</summary>
    [Filter]
    public static bool All(Nullables n) => n.Id >= 0;
}

/// <summary>Copies <see cref="Unmapped"/> rows.</summary>
[Pipeline("unmapped-copy")]
public static partial class UnmappedCopy
{
    /// <summary>Keeps every row.</summary>
    [Filter]
    public static bool All(Unmapped u) => u.Id >= 0;
}

using System.Collections.Generic;

namespace Dsl.Generators.Model;

/// <summary>
/// The framework members the kernel compiler knows: each has one <see cref="KernelMemberInfo"/> in
/// <see cref="KernelMembers.All"/>. Lowering resolves a call or property to one of these; emitters switch on it.
/// Members not listed lower to <see cref="None"/> and run as written, per row.
/// </summary>
internal enum KernelMember
{
    /// <summary>Not a known member: the per-row code calls it by its qualified name.</summary>
    None,

    // Nullable<T>
    NullableHasValue,
    NullableValue,
    NullableGetValueOrDefault,

    // Math and MathF
    Abs,
    Sqrt,
    Floor,
    Ceiling,
    Truncate,
    Round,
    Min,
    Max,
    Clamp,
    Sign,
    Log,
    Log10,
    Log2,
    Exp,
    Pow,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Cbrt,
    Asinh,
    Acosh,
    Atanh,

    // double and float (one member each: the declaring type, not the argument, decides the lanes)
    DoubleIsNaN,
    DoubleIsFinite,
    DoubleIsInfinity,
    DoubleIsPositiveInfinity,
    DoubleIsNegativeInfinity,
    SingleIsNaN,
    SingleIsFinite,
    SingleIsInfinity,
    SingleIsPositiveInfinity,
    SingleIsNegativeInfinity,

    // DateTime
    DateTimeHour,
    DateTimeMinute,
    DateTimeSecond,
    DateTimeYear,
    DateTimeMonth,
    DateTimeDay,
    DateTimeDayOfYear,
    DateTimeDayOfWeek,

    // DateOnly
    DateOnlyYear,
    DateOnlyMonth,
    DateOnlyDay,
    DateOnlyDayOfYear,
    DateOnlyDayOfWeek,
    DateOnlyDayNumber,

    // TimeSpan
    TimeSpanTotalMilliseconds,
    TimeSpanTotalSeconds,
    TimeSpanTotalMinutes,
    TimeSpanTotalHours,
    TimeSpanTotalDays,

    // string
    StringLength,
    StringToLowerInvariant,
    StringToUpperInvariant,
    StringTrim,
    StringTrimStart,
    StringTrimEnd,
    StringStartsWith,
    StringEndsWith,
    StringContains,
    StringEquals,
    /// <summary>The static <c>string.Equals(a, b[, comparison])</c>, null-safe on both sides.</summary>
    StringEqualsStatic,
    StringIndexOf,
    StringIsNullOrEmpty,
    StringIsNullOrWhiteSpace,

    // Dsl.Hashing
    HashingBucket,
    HashingHash64,

    // Dsl.Kernels.RuleChecks
    /// <summary><c>RuleChecks.Matches(value, pattern)</c>: a <c>[Regex]</c> rule (null passes).</summary>
    RuleChecksMatches,

    // The feature operations (runtime/Dsl.Runtime/Features): numbers in lanes, strings once per dictionary entry.
    ScaleStandard,
    ScaleStandardScale,
    ScaleMinMax,
    ScaleMinMaxScale,
    ScaleMinMaxOffset,
    ScaleMaxAbs,
    ScaleMaxAbsScale,
    ScaleRobust,
    ScaleRobustScale,
    ImputeFill,
    ImputeIsMissing,
    BucketizeIndex,
    BucketizeUniform,
    EncodeOrdinal,
    EncodeOneHotColumn,
    EncodeOneHotColumnOrInfrequent,
    EncodeOneHot,
    EncodeOneHotOrInfrequent,
    FeatureHashingMurmur3,
    FeatureHashingIndex,
    FeatureHashingSign,
    FeatureHashingValue,
    FeatureHashingIndicator,
    PowerTransformLog1p,
    PowerTransformExpm1,
    PowerTransformBoxCox,
    PowerTransformYeoJohnson,
}

/// <summary>How a known member is used in C#.</summary>
internal enum KernelMemberShape
{
    /// <summary><c>Type.Method(args)</c>.</summary>
    StaticCall,
    /// <summary><c>value.Method(args)</c>.</summary>
    InstanceCall,
    /// <summary><c>value.Property</c>.</summary>
    Property,
}

/// <summary>The backends that compute a kernel expression.</summary>
[System.Flags]
internal enum KernelBackends
{
    None = 0,
    /// <summary>The per-row C# loop (the member as written).</summary>
    PerRow = 1,
    /// <summary>The SIMD vector block (an instruction, the scalar member once per lane, or once per dictionary entry).</summary>
    Vector = 2,
    /// <summary>A GPU kernel (none yet).</summary>
    Gpu = 4,
}

/// <summary>
/// One known member: where it is declared, how it is used, and which backends compute it. A backend in
/// <see cref="Exact"/> gives bit for bit what the C# member gives, including NaN, signed zeros and exceptions;
/// one in <see cref="Relaxed"/> has an approximation a stage may opt into with <c>RelaxedMath = true</c>.
/// </summary>
/// <param name="Member">The member.</param>
/// <param name="Shape">Static call, instance call or property.</param>
/// <param name="Owners">The declaring types, by namespace and metadata name (<c>System.Math</c>, <c>System.Nullable`1</c>).</param>
/// <param name="Name">The member name.</param>
/// <param name="Exact">Backends that compute it exactly.</param>
/// <param name="Relaxed">Backends with an opt-in approximation.</param>
internal sealed record KernelMemberInfo(KernelMember Member, KernelMemberShape Shape, IReadOnlyList<string> Owners, string Name, KernelBackends Exact, KernelBackends Relaxed = KernelBackends.None)
{
    /// <summary>Every backend that has a form of the member, exact or relaxed.</summary>
    public KernelBackends Implemented => Exact | Relaxed;
}

/// <summary>The table of known members: one <see cref="KernelMemberInfo"/> per <see cref="KernelMember"/>.</summary>
internal static class KernelMembers
{
    private const string Math = "System.Math";
    private const string MathF = "System.MathF";
    private const string Double = "System.Double";
    private const string Single = "System.Single";
    private const string DateTime = "System.DateTime";
    private const string DateOnly = "System.DateOnly";
    private const string TimeSpan = "System.TimeSpan";
    private const string String = "System.String";
    private const string Nullable = "System.Nullable`1";
    private const string Hashing = "Dsl.Hashing";
    private const string RuleChecks = "Dsl.Kernels.RuleChecks";
    private const string Scale = "Dsl.Scale";
    private const string Impute = "Dsl.Impute";
    private const string Bucketize = "Dsl.Bucketize";
    private const string Encode = "Dsl.Encode";
    private const string FeatureHashing = "Dsl.FeatureHashing";
    private const string PowerTransform = "Dsl.PowerTransform";

    private const KernelBackends Both = KernelBackends.PerRow | KernelBackends.Vector;

    private static readonly KernelMemberInfo[] Table =
    {
        Property(KernelMember.NullableHasValue, Nullable, "HasValue"),
        // Throws for null: the vector block hands a block where a kept row would throw back to the per-row code.
        Property(KernelMember.NullableValue, Nullable, "Value"),
        Instance(KernelMember.NullableGetValueOrDefault, Nullable, "GetValueOrDefault"),

        Static(KernelMember.Abs, "Abs", Math, MathF),
        Static(KernelMember.Sqrt, "Sqrt", Math, MathF),
        Static(KernelMember.Floor, "Floor", Math, MathF),
        Static(KernelMember.Ceiling, "Ceiling", Math, MathF),
        Static(KernelMember.Truncate, "Truncate", Math, MathF),
        Static(KernelMember.Round, "Round", Math, MathF),
        Static(KernelMember.Min, "Min", Math, MathF),
        Static(KernelMember.Max, "Max", Math, MathF),
        Static(KernelMember.Clamp, "Clamp", Math),
        Static(KernelMember.Sign, "Sign", Math, MathF),
        // Log and Exp: exact as the scalar call per lane; RelaxedMath opts into the vector approximations.
        Static(KernelMember.Log, "Log", Math, MathF) with { Relaxed = KernelBackends.Vector },
        Static(KernelMember.Log10, "Log10", Math, MathF),
        Static(KernelMember.Log2, "Log2", Math, MathF),
        Static(KernelMember.Exp, "Exp", Math, MathF) with { Relaxed = KernelBackends.Vector },
        Static(KernelMember.Pow, "Pow", Math, MathF),
        Static(KernelMember.Sin, "Sin", Math, MathF),
        Static(KernelMember.Cos, "Cos", Math, MathF),
        Static(KernelMember.Tan, "Tan", Math, MathF),
        Static(KernelMember.Asin, "Asin", Math, MathF),
        Static(KernelMember.Acos, "Acos", Math, MathF),
        Static(KernelMember.Atan, "Atan", Math, MathF),
        Static(KernelMember.Atan2, "Atan2", Math, MathF),
        Static(KernelMember.Sinh, "Sinh", Math, MathF),
        Static(KernelMember.Cosh, "Cosh", Math, MathF),
        Static(KernelMember.Tanh, "Tanh", Math, MathF),
        Static(KernelMember.Cbrt, "Cbrt", Math, MathF),
        Static(KernelMember.Asinh, "Asinh", Math, MathF),
        Static(KernelMember.Acosh, "Acosh", Math, MathF),
        Static(KernelMember.Atanh, "Atanh", Math, MathF),

        Static(KernelMember.DoubleIsNaN, "IsNaN", Double),
        Static(KernelMember.DoubleIsFinite, "IsFinite", Double),
        Static(KernelMember.DoubleIsInfinity, "IsInfinity", Double),
        Static(KernelMember.DoubleIsPositiveInfinity, "IsPositiveInfinity", Double),
        Static(KernelMember.DoubleIsNegativeInfinity, "IsNegativeInfinity", Double),
        Static(KernelMember.SingleIsNaN, "IsNaN", Single),
        Static(KernelMember.SingleIsFinite, "IsFinite", Single),
        Static(KernelMember.SingleIsInfinity, "IsInfinity", Single),
        Static(KernelMember.SingleIsPositiveInfinity, "IsPositiveInfinity", Single),
        Static(KernelMember.SingleIsNegativeInfinity, "IsNegativeInfinity", Single),

        Property(KernelMember.DateTimeHour, DateTime, "Hour"),
        Property(KernelMember.DateTimeMinute, DateTime, "Minute"),
        Property(KernelMember.DateTimeSecond, DateTime, "Second"),
        Property(KernelMember.DateTimeYear, DateTime, "Year"),
        Property(KernelMember.DateTimeMonth, DateTime, "Month"),
        Property(KernelMember.DateTimeDay, DateTime, "Day"),
        Property(KernelMember.DateTimeDayOfYear, DateTime, "DayOfYear"),
        Property(KernelMember.DateTimeDayOfWeek, DateTime, "DayOfWeek"),

        Property(KernelMember.DateOnlyYear, DateOnly, "Year"),
        Property(KernelMember.DateOnlyMonth, DateOnly, "Month"),
        Property(KernelMember.DateOnlyDay, DateOnly, "Day"),
        Property(KernelMember.DateOnlyDayOfYear, DateOnly, "DayOfYear"),
        Property(KernelMember.DateOnlyDayOfWeek, DateOnly, "DayOfWeek"),
        Property(KernelMember.DateOnlyDayNumber, DateOnly, "DayNumber"),

        // Vector only on the difference of two timestamps, (a - b).TotalSeconds; other receivers run per row.
        Property(KernelMember.TimeSpanTotalMilliseconds, TimeSpan, "TotalMilliseconds"),
        Property(KernelMember.TimeSpanTotalSeconds, TimeSpan, "TotalSeconds"),
        Property(KernelMember.TimeSpanTotalMinutes, TimeSpan, "TotalMinutes"),
        Property(KernelMember.TimeSpanTotalHours, TimeSpan, "TotalHours"),
        Property(KernelMember.TimeSpanTotalDays, TimeSpan, "TotalDays"),

        // String members run once per dictionary entry of a string column and are gathered by index (members of a
        // nullable column's strings only behind ?. or where null is a value: string.Equals, IsNullOrEmpty, ==).
        Property(KernelMember.StringLength, String, "Length"),
        Instance(KernelMember.StringToLowerInvariant, String, "ToLowerInvariant"),
        Instance(KernelMember.StringToUpperInvariant, String, "ToUpperInvariant"),
        Instance(KernelMember.StringTrim, String, "Trim"),
        Instance(KernelMember.StringTrimStart, String, "TrimStart"),
        Instance(KernelMember.StringTrimEnd, String, "TrimEnd"),
        Instance(KernelMember.StringStartsWith, String, "StartsWith"),
        Instance(KernelMember.StringEndsWith, String, "EndsWith"),
        Instance(KernelMember.StringContains, String, "Contains"),
        Instance(KernelMember.StringEquals, String, "Equals"),
        Static(KernelMember.StringEqualsStatic, "Equals", String),
        Instance(KernelMember.StringIndexOf, String, "IndexOf"),
        Static(KernelMember.StringIsNullOrEmpty, "IsNullOrEmpty", String),
        Static(KernelMember.StringIsNullOrWhiteSpace, "IsNullOrWhiteSpace", String),

        Static(KernelMember.HashingBucket, "Bucket", Hashing),
        Static(KernelMember.HashingHash64, "Hash64", Hashing),

        // A [Regex] rule's check, like the string members once per dictionary entry.
        Static(KernelMember.RuleChecksMatches, "Matches", RuleChecks),

        // Feature operations (one descriptor per method name: overloads differ in their operands, which the emitters
        // check). Numbers: SIMD for the scalers with per-batch parameters, else the method once per lane; strings and
        // the hashing and encoding of them: once per dictionary entry. Parameter checks (FeatureChecks) run once per
        // batch and hand a batch with bad parameters to the per-row code, which throws like the method.
        Static(KernelMember.ScaleStandard, "Standard", Scale),
        Static(KernelMember.ScaleStandardScale, "StandardScale", Scale),
        Static(KernelMember.ScaleMinMax, "MinMax", Scale),
        Static(KernelMember.ScaleMinMaxScale, "MinMaxScale", Scale),
        Static(KernelMember.ScaleMinMaxOffset, "MinMaxOffset", Scale),
        Static(KernelMember.ScaleMaxAbs, "MaxAbs", Scale),
        Static(KernelMember.ScaleMaxAbsScale, "MaxAbsScale", Scale),
        Static(KernelMember.ScaleRobust, "Robust", Scale),
        Static(KernelMember.ScaleRobustScale, "RobustScale", Scale),
        Static(KernelMember.ImputeFill, "Fill", Impute),
        Static(KernelMember.ImputeIsMissing, "IsMissing", Impute),
        Static(KernelMember.BucketizeIndex, "Index", Bucketize),
        Static(KernelMember.BucketizeUniform, "Uniform", Bucketize),
        Static(KernelMember.EncodeOrdinal, "Ordinal", Encode),
        Static(KernelMember.EncodeOneHotColumn, "OneHotColumn", Encode),
        Static(KernelMember.EncodeOneHotColumnOrInfrequent, "OneHotColumnOrInfrequent", Encode),
        Static(KernelMember.EncodeOneHot, "OneHot", Encode),
        Static(KernelMember.EncodeOneHotOrInfrequent, "OneHotOrInfrequent", Encode),
        Static(KernelMember.FeatureHashingMurmur3, "Murmur3", FeatureHashing),
        Static(KernelMember.FeatureHashingIndex, "Index", FeatureHashing),
        Static(KernelMember.FeatureHashingSign, "Sign", FeatureHashing),
        Static(KernelMember.FeatureHashingValue, "Value", FeatureHashing),
        Static(KernelMember.FeatureHashingIndicator, "Indicator", FeatureHashing),
        Static(KernelMember.PowerTransformLog1p, "Log1p", PowerTransform),
        Static(KernelMember.PowerTransformExpm1, "Expm1", PowerTransform),
        Static(KernelMember.PowerTransformBoxCox, "BoxCox", PowerTransform),
        Static(KernelMember.PowerTransformYeoJohnson, "YeoJohnson", PowerTransform),
    };

    /// <summary>Whether <paramref name="member"/> is one of the feature operations (<c>Dsl.Scale</c>, <c>Dsl.Encode</c>, ...).</summary>
    public static bool IsFeature(KernelMember member) => member >= KernelMember.ScaleStandard && member <= KernelMember.PowerTransformYeoJohnson;

    private static readonly Dictionary<(KernelMemberShape, string, string), KernelMemberInfo> ByOwnerAndName = Index();

    private static readonly Dictionary<KernelMember, KernelMemberInfo> ByMember = IndexByMember();

    /// <summary>Every known member, in declaration order.</summary>
    public static IReadOnlyList<KernelMemberInfo> All => Table;

    /// <summary>The descriptor of <paramref name="member"/> (not <see cref="KernelMember.None"/>).</summary>
    public static KernelMemberInfo Info(KernelMember member) => ByMember[member];

    /// <summary>
    /// The known member <paramref name="name"/> of <paramref name="owner"/> (namespace and metadata name, as
    /// <see cref="KernelMemberInfo.Owners"/>), used as <paramref name="shape"/>; <see cref="KernelMember.None"/> if unknown.
    /// </summary>
    public static KernelMember Resolve(KernelMemberShape shape, string owner, string name) =>
        ByOwnerAndName.TryGetValue((shape, owner, name), out KernelMemberInfo? info) ? info.Member : KernelMember.None;

    private static KernelMemberInfo Static(KernelMember member, string name, params string[] owners) =>
        new(member, KernelMemberShape.StaticCall, owners, name, Both);

    private static KernelMemberInfo Instance(KernelMember member, string owner, string name) =>
        new(member, KernelMemberShape.InstanceCall, new[] { owner }, name, Both);

    private static KernelMemberInfo Property(KernelMember member, string owner, string name) =>
        new(member, KernelMemberShape.Property, new[] { owner }, name, Both);

    private static Dictionary<(KernelMemberShape, string, string), KernelMemberInfo> Index()
    {
        var index = new Dictionary<(KernelMemberShape, string, string), KernelMemberInfo>();
        foreach (KernelMemberInfo info in Table)
        {
            foreach (string owner in info.Owners)
            {
                index.Add((info.Shape, owner, info.Name), info);
            }
        }
        return index;
    }

    private static Dictionary<KernelMember, KernelMemberInfo> IndexByMember()
    {
        var index = new Dictionary<KernelMember, KernelMemberInfo>();
        foreach (KernelMemberInfo info in Table)
        {
            index.Add(info.Member, info);
        }
        return index;
    }
}

namespace Dsl;

/// <summary>A nullable member must hold a value on every row: <c>[property: NotNull]</c>.</summary>
public sealed class NotNullAttribute : RuleAttribute
{
}

/// <summary>
/// A <see cref="string"/> or integer member must hold one of the listed values (nulls pass; add
/// <see cref="NotNullAttribute"/> to refuse them): <c>[property: OneOf("card", "cash")]</c>, <c>[property: OneOf(1, 2, 4)]</c>.
/// Strings compare ordinally (case and accents count).
/// </summary>
public sealed class OneOfAttribute : RuleAttribute
{
    /// <summary>The allowed strings.</summary>
    public OneOfAttribute(params string[] values)
    {
        Strings = values;
        Integers = [];
    }

    /// <summary>The allowed integers.</summary>
    public OneOfAttribute(params long[] values)
    {
        Strings = [];
        Integers = values;
    }

    /// <summary>The allowed strings (empty for an integer rule).</summary>
    public IReadOnlyList<string> Strings { get; }

    /// <summary>The allowed integers (empty for a string rule).</summary>
    public IReadOnlyList<long> Integers { get; }
}

/// <summary>A <see cref="string"/> member's value has at least this many UTF-16 code units (<see cref="string.Length"/>); nulls pass.</summary>
public sealed class MinLengthAttribute : RuleAttribute
{
    /// <summary>Creates the rule.</summary>
    public MinLengthAttribute(int length) => Length = length;

    /// <summary>The smallest allowed <see cref="string.Length"/>.</summary>
    public int Length { get; }
}

/// <summary>A <see cref="string"/> member's value has at most this many UTF-16 code units (<see cref="string.Length"/>); nulls pass.</summary>
public sealed class MaxLengthAttribute : RuleAttribute
{
    /// <summary>Creates the rule.</summary>
    public MaxLengthAttribute(int length) => Length = length;

    /// <summary>The largest allowed <see cref="string.Length"/>.</summary>
    public int Length { get; }
}

/// <summary>
/// A <see cref="string"/> member's value matches a .NET regular expression somewhere (anchor it with <c>^…$</c> to
/// match the whole value); nulls pass. The pattern is checked at build time (DSL1010) and, where a kernel's vector
/// blocks run, evaluated once per entry of a batch's string dictionary rather than once per row.
/// </summary>
public sealed class RegexAttribute : RuleAttribute
{
    /// <summary>Creates the rule.</summary>
    public RegexAttribute(string pattern) => Pattern = pattern;

    /// <summary>The pattern (culture-invariant, no options).</summary>
    public string Pattern { get; }
}

/// <summary>A <see cref="double"/> or <see cref="float"/> member holds neither NaN nor ±∞; nulls pass.</summary>
public sealed class FiniteAttribute : RuleAttribute
{
}

/// <summary>
/// No two rows of a partition hold the same value of the member (the second and later rows break the rule; nulls are
/// not compared). Across the whole dataset it is also a gate on the rows the run keeps: a value that two partitions
/// hold (or, with <see cref="RuleAction.Warn"/>, that one partition holds twice) commits nothing unless
/// <see cref="AcrossDataset"/> is false; repeats the rule already quarantined or dropped do not count. It is checked on
/// the pipeline's input schema only: on a schema a stage produces the build reports DSL3011.
/// </summary>
public sealed class UniqueAttribute : RuleAttribute
{
    /// <summary>Whether the dataset-wide uniqueness gate applies too (default true).</summary>
    public bool AcrossDataset { get; set; } = true;
}

namespace Dsl;

/// <summary>
/// A numeric member's non-null values must lie between <see cref="Min"/> and <see cref="Max"/>, both ends included
/// unless <see cref="MinExclusive"/> or <see cref="MaxExclusive"/> says otherwise; NaN breaks the rule. Apply it as
/// <c>[property: Range(0, 1e7)]</c> on a positional parameter of a <see cref="SchemaAttribute"/> record. A row that
/// breaks it goes where <see cref="RuleAttribute.Action"/> says (the quarantine by default). <c>generate-sample</c>
/// draws the member's values from the range.
/// </summary>
/// <remarks>
/// The analyzer reports DSL1006 when <see cref="Min"/> is greater than <see cref="Max"/> or either bound is NaN,
/// because no value could pass.
/// </remarks>
public sealed class RangeAttribute : RuleAttribute
{
    /// <summary>Creates the rule.</summary>
    /// <param name="min">The smallest allowed value.</param>
    /// <param name="max">The largest allowed value.</param>
    public RangeAttribute(double min, double max)
    {
        Min = min;
        Max = max;
    }

    /// <summary>The smallest allowed value.</summary>
    public double Min { get; }

    /// <summary>The largest allowed value.</summary>
    public double Max { get; }

    /// <summary>Whether <see cref="Min"/> itself is refused.</summary>
    public bool MinExclusive { get; set; }

    /// <summary>Whether <see cref="Max"/> itself is refused.</summary>
    public bool MaxExclusive { get; set; }
}

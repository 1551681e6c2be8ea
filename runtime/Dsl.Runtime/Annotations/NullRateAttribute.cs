namespace Dsl;

/// <summary>
/// A dataset-level quality gate on a nullable schema column: the fraction of null values in the whole input must
/// not exceed <see cref="Max"/> (between 0 and 1). Apply it as <c>[property: NullRate(0.05)]</c> on a positional
/// parameter of a <see cref="SchemaAttribute"/> record.
/// </summary>
/// <remarks>
/// Today <c>generate-sample</c> writes nulls at half this rate for the member; the input is not yet measured against
/// it while a pipeline runs (dataset gates are planned). The analyzer reports DSL1006 when <see cref="Max"/> is
/// outside 0..1 or NaN.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, Inherited = false)]
public sealed class NullRateAttribute : Attribute
{
    /// <summary>Creates the gate.</summary>
    /// <param name="max">The largest allowed fraction of nulls, from 0 (no nulls) to 1 (any number of nulls).</param>
    public NullRateAttribute(double max) => Max = max;

    /// <summary>The largest allowed fraction of nulls, from 0 (no nulls) to 1 (any number of nulls).</summary>
    public double Max { get; }
}

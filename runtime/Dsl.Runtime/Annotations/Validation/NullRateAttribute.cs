namespace Dsl;

/// <summary>
/// A dataset gate on a nullable schema member: the fraction of null values over all rows of the schema in a run must
/// not exceed <see cref="Max"/> (between 0 and 1). Apply it as <c>[property: NullRate(0.05)]</c>. A run that breaks a
/// <see cref="GateSeverity.Fail"/> gate commits nothing (the previous output stays) and says which gate, the measured
/// rate and the bound; a <see cref="GateSeverity.Warn"/> gate is reported and the run commits.
/// </summary>
/// <remarks>
/// <c>generate-sample</c> writes nulls at half this rate for the member. The analyzer reports DSL1006 when
/// <see cref="Max"/> is outside 0..1 or NaN.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, Inherited = false)]
public sealed class NullRateAttribute : Attribute
{
    /// <summary>Creates the gate.</summary>
    /// <param name="max">The largest allowed fraction of nulls, from 0 (no nulls) to 1 (any number of nulls).</param>
    public NullRateAttribute(double max) => Max = max;

    /// <summary>The largest allowed fraction of nulls, from 0 (no nulls) to 1 (any number of nulls).</summary>
    public double Max { get; }

    /// <summary>Whether a breach stops the commit (default) or is only reported.</summary>
    public GateSeverity Severity { get; set; } = GateSeverity.Fail;
}

namespace Dsl;

/// <summary>
/// A quality constraint on a numeric schema column: every non-null value must lie in
/// [<see cref="Min"/>, <see cref="Max"/>] (both ends included). Apply it as <c>[property: Range(0, 1e7)]</c>
/// on a positional parameter of a <see cref="SchemaAttribute"/> record.
/// </summary>
/// <remarks>
/// Today the range bounds the values <c>generate-sample</c> draws for the member; rows are not yet checked against it
/// while a pipeline runs (validation is planned). The analyzer reports DSL1006 when <see cref="Min"/> is greater than
/// <see cref="Max"/> or either bound is NaN, because no value could pass.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, Inherited = false)]
public sealed class RangeAttribute : Attribute
{
    /// <summary>Creates the constraint.</summary>
    /// <param name="min">The smallest allowed value (included).</param>
    /// <param name="max">The largest allowed value (included).</param>
    public RangeAttribute(double min, double max)
    {
        Min = min;
        Max = max;
    }

    /// <summary>The smallest allowed value (included).</summary>
    public double Min { get; }

    /// <summary>The largest allowed value (included).</summary>
    public double Max { get; }
}

namespace Dsl;

/// <summary>What a schema member declares about its values, for synthetic sample data (<see cref="ColumnField.Sample"/>).</summary>
/// <param name="Min">The smallest value (<c>[Range]</c>), or null.</param>
/// <param name="Max">The largest value (<c>[Range]</c>), or null.</param>
/// <param name="NullRate">The largest fraction of nulls (<c>[NullRate]</c>), or null.</param>
/// <param name="Values">The values strings are drawn from (<c>[SampleValues]</c>), or null.</param>
public sealed record ColumnSample(double? Min, double? Max, double? NullRate, IReadOnlyList<string>? Values);

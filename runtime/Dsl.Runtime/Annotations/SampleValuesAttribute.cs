namespace Dsl;

/// <summary>
/// The values <c>generate-sample</c> draws a <see cref="string"/> schema member's sample data from (uniformly), so that
/// synthetic rows look like the real ones: <c>[property: SampleValues("FR", "DE", "US")]</c>.
/// </summary>
/// <remarks>Only sample data uses it; without it a string member's samples are <c>Name-0</c> to <c>Name-99</c>.</remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, Inherited = false)]
public sealed class SampleValuesAttribute : Attribute
{
    /// <summary>Declares the values.</summary>
    public SampleValuesAttribute(params string[] values) => Values = values;

    /// <summary>The values samples are drawn from.</summary>
    public IReadOnlyList<string> Values { get; }
}

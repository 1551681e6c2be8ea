namespace Dsl;

/// <summary>
/// Lets a <see cref="DateTime"/> schema member read a nanosecond timestamp column (pandas' default) by truncating each
/// value to the microsecond, toward the past. Apply it as <c>[property: TruncateNanoseconds]</c>.
/// </summary>
/// <remarks>
/// A <see cref="DateTime"/> member is stored in microseconds, so without this declaration a TIMESTAMP(NANOS) column is
/// refused, naming the column, rather than losing digits silently. To keep every digit, declare the member
/// <see cref="NanoTimestamp"/> instead. The generator reports DSL1008 for the attribute on a member that is not a
/// <see cref="DateTime"/>.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, Inherited = false)]
public sealed class TruncateNanosecondsAttribute : Attribute
{
}

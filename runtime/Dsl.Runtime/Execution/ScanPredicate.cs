namespace Dsl.Execution;

/// <summary>The comparison of a <see cref="ScanPredicate"/>.</summary>
public enum ScanOperator
{
    /// <summary><c>column == value</c>.</summary>
    Equal,

    /// <summary><c>column != value</c>.</summary>
    NotEqual,

    /// <summary><c>column &lt; value</c>.</summary>
    LessThan,

    /// <summary><c>column &lt;= value</c>.</summary>
    LessThanOrEqual,

    /// <summary><c>column &gt; value</c>.</summary>
    GreaterThan,

    /// <summary><c>column &gt;= value</c>.</summary>
    GreaterThanOrEqual,

    /// <summary><c>column is null</c> (no value).</summary>
    IsNull,

    /// <summary><c>column is not null</c> (no value).</summary>
    IsNotNull,

    /// <summary>
    /// At least one of several conditions on the same column (<c>column is 0 or 1 or 2</c>): the value is an array of
    /// <see cref="ScanPredicate"/>s, and a row group is skipped only when its statistics refute every one.
    /// </summary>
    AnyOf,
}

/// <summary>
/// A column-versus-constant condition that a source filter requires of every row it keeps, recorded by the
/// generator as plain data. A scan may skip a Parquet row group whose statistics prove that no row satisfies it;
/// the filter still runs on the rows read, so pruning never changes results.
/// </summary>
/// <param name="Column">The input column name.</param>
/// <param name="Operator">The comparison.</param>
/// <param name="Value">The constant (a <see cref="long"/>, <see cref="int"/>, <see cref="double"/>, <see cref="float"/>,
/// <see cref="bool"/> or <see cref="string"/> of the column's type), or null for the null checks.</param>
public sealed record ScanPredicate(string Column, ScanOperator Operator, object? Value)
{
    /// <summary>The condition as C#-like text, e.g. <c>Amount &gt;= 0</c> or <c>Country == "US"</c>.</summary>
    public override string ToString() => Operator switch
    {
        ScanOperator.AnyOf => string.Join(" || ", Alternatives.Select(a => a.ToString())),
        ScanOperator.IsNull => Column + " is null",
        ScanOperator.IsNotNull => Column + " is not null",
        _ => Column + " " + Token(Operator) + " " + ValueText,
    };

    /// <summary>The conditions of <see cref="ScanOperator.AnyOf"/> (none for the other operators).</summary>
    public IReadOnlyList<ScanPredicate> Alternatives => Value as IReadOnlyList<ScanPredicate> ?? [];

    /// <summary>The constant as text (strings quoted, numbers in the invariant culture).</summary>
    public string ValueText => Value switch
    {
        null => "null",
        string s => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? string.Empty,
    };

    private static string Token(ScanOperator op) => op switch
    {
        ScanOperator.Equal => "==",
        ScanOperator.NotEqual => "!=",
        ScanOperator.LessThan => "<",
        ScanOperator.LessThanOrEqual => "<=",
        ScanOperator.GreaterThan => ">",
        _ => ">=",
    };
}

namespace Dsl;

/// <summary>What happens to a row that breaks a row rule (a schema member rule or a <see cref="CheckAttribute"/> stage).</summary>
public enum RuleAction
{
    /// <summary>The row leaves the main output and is written to the run's quarantine output with the rule and a reason.</summary>
    Quarantine,

    /// <summary>The row leaves the main output and is counted against the rule; it is written nowhere.</summary>
    Drop,

    /// <summary>The job stops at the first such row, naming the file, row group, row, column, value and rule; nothing is committed.</summary>
    Fail,

    /// <summary>The row is counted against the rule and kept in the main output.</summary>
    Warn,
}

/// <summary>What happens to a row for which a stage throws (divide by zero, a date out of range, <c>.Value</c> on null).</summary>
public enum RowErrorAction
{
    /// <summary>The job stops, naming the stage, file, row group, row and the values the stage read.</summary>
    Fail,

    /// <summary>The row is written to the quarantine output with the exception's message, and the run goes on.</summary>
    Quarantine,
}

/// <summary>
/// Base of the row rules on schema members (<see cref="RangeAttribute"/>, <see cref="NotNullAttribute"/>,
/// <see cref="OneOfAttribute"/>, <see cref="MinLengthAttribute"/>, <see cref="MaxLengthAttribute"/>,
/// <see cref="RegexAttribute"/>, <see cref="FiniteAttribute"/>, <see cref="UniqueAttribute"/>). A rule is checked on
/// every row of its schema where rows of that schema enter the pipeline (before the first stage that reads the input)
/// and after each map that produces them, inside the same kernel as the stages around it; a row one rule removes is
/// not checked by the later ones. The analyzer reports DSL1009 for a rule that does not fit its member's type.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, Inherited = false)]
public abstract class RuleAttribute : Attribute
{
    /// <summary>What happens to a row that breaks the rule (default <see cref="RuleAction.Quarantine"/>).</summary>
    public RuleAction Action { get; set; } = RuleAction.Quarantine;

    /// <summary>The rule's id in reports and the quarantine (default <c>Schema.Member.Rule</c>, e.g. <c>Trip.Fare.Range</c>).</summary>
    public string? Id { get; set; }
}

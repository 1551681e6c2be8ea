namespace Dsl.Validation;

/// <summary>A rule or a quarantined row error refused the row that <see cref="Execution.CompiledPipeline.ScoreOne"/> was given.</summary>
public sealed class RowRejectedException(string rule, RuleAction action, string reason)
    : Exception($"Rule {rule} ({action}) refuses the row: {reason}")
{
    /// <summary>The rule's id (<c>Transaction.Amount.Range</c>, a check's or a stage's row-error rule).</summary>
    public string Rule { get; } = rule;

    /// <summary>What the batch job does with such a row.</summary>
    public RuleAction Action { get; } = action;

    /// <summary>Why, as the quarantine would record it.</summary>
    public string Reason { get; } = reason;
}

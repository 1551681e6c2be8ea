namespace Dsl.Execution;

/// <summary>What a stage does to the rows it receives.</summary>
public enum StageKind
{
    /// <summary>Keeps the rows for which the stage returns true; the schema is unchanged.</summary>
    Filter,

    /// <summary>Turns each row into one row of the output schema.</summary>
    Map,

    /// <summary>A row rule written as code: rows for which it returns false go where its <see cref="RuleAction"/> says; the schema is unchanged.</summary>
    Check,

    /// <summary>Computes a stage parameter record from statistics of every row it sees (<see cref="FitAttribute"/>); a barrier: its consumers run in a second pass.</summary>
    Fit,

    /// <summary>Groups rows by key columns and computes one row per group (<see cref="AggregateAttribute"/>); a barrier.</summary>
    Aggregate,

    /// <summary>Pairs rows with a table's rows on equal keys (<see cref="JoinAttribute"/>).</summary>
    Join,
}

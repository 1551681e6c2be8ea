namespace Dsl.Execution;

/// <summary>What one output member of an <see cref="AggregateAttribute"/> stage computes (one method of <see cref="Group{TRow}"/>).</summary>
public enum AggregateFunction
{
    /// <summary>The group's value of a grouping column (<see cref="Group{TRow}.Key"/>).</summary>
    Key,

    /// <summary>The rows in the group.</summary>
    Count,

    /// <summary>The non-null, non-NaN values of a column.</summary>
    CountValues,

    /// <summary>The sum (a <c>long</c> for whole-number columns, checked for overflow; a <c>double</c> otherwise).</summary>
    Sum,

    /// <summary>The mean.</summary>
    Mean,

    /// <summary>The population variance.</summary>
    Variance,

    /// <summary>The population standard deviation.</summary>
    StdDev,

    /// <summary>The sample variance.</summary>
    SampleVariance,

    /// <summary>The sample standard deviation.</summary>
    SampleStdDev,

    /// <summary>The smallest value.</summary>
    Min,

    /// <summary>The largest value.</summary>
    Max,

    /// <summary>The exact number of distinct values.</summary>
    CountDistinct,

    /// <summary>The HyperLogLog estimate of the number of distinct values.</summary>
    ApproxCountDistinct,

    /// <summary>The value on the row with the smallest order column (also <see cref="Group{TRow}.ArgMin"/>).</summary>
    First,

    /// <summary>The value on the row with the largest order column (also <see cref="Group{TRow}.ArgMax"/>).</summary>
    Last,
}

/// <summary>One output member of an aggregate stage.</summary>
/// <param name="Member">The output schema's member (column) it fills.</param>
/// <param name="Function">What it computes.</param>
/// <param name="Column">The input column it reads (null for <see cref="AggregateFunction.Count"/>).</param>
/// <param name="OrderColumn">For <see cref="AggregateFunction.First"/> and <see cref="AggregateFunction.Last"/>: the
/// input column that orders the rows.</param>
public sealed record AggregateOutput(string Member, AggregateFunction Function, string? Column, string? OrderColumn = null);

/// <summary>An aggregate stage of a <see cref="PipelinePlan"/> (<see cref="AggregateAttribute"/>).</summary>
/// <param name="Stage">The method's name.</param>
/// <param name="InputSchema">The schema of the rows it aggregates.</param>
/// <param name="From">The stage feeding it, or null when it reads the pipeline input.</param>
/// <param name="InputSegment">The segment whose output it aggregates, or null when it aggregates the pipeline input as
/// read (or <see cref="InputBarrier"/>'s output).</param>
/// <param name="OutputSchema">The schema of its rows (one per group).</param>
/// <param name="Keys">The grouping columns of <see cref="InputSchema"/>.</param>
/// <param name="Outputs">One per output member, in the output schema's order.</param>
public sealed record AggregatePlan(
    string Stage,
    string InputSchema,
    string? From,
    int? InputSegment,
    string OutputSchema,
    IReadOnlyList<string> Keys,
    IReadOnlyList<AggregateOutput> Outputs)
{
    /// <summary>The join or aggregate stage whose output it aggregates, when that is its input.</summary>
    public string? InputBarrier { get; init; }

    /// <summary>Whether its output is written as a pipeline output (no segment reads it).</summary>
    public bool IsSink { get; init; }
}

/// <summary>Which side of a join an output member comes from.</summary>
public enum JoinSide
{
    /// <summary>The stage's rows.</summary>
    Left,

    /// <summary>The table.</summary>
    Right,
}

/// <summary>One output member of a join stage: a column of one side, copied (null where a left join found no match).</summary>
public sealed record JoinOutput(string Member, JoinSide Side, string Column);

/// <summary>A join stage of a <see cref="PipelinePlan"/> (<see cref="JoinAttribute"/>).</summary>
/// <param name="Stage">The method's name.</param>
/// <param name="LeftSchema">The schema of the stage's rows.</param>
/// <param name="RightSchema">The schema of the table's rows.</param>
/// <param name="Table">The table's name (<c>tables:</c>, <c>--table NAME=PATH</c>).</param>
/// <param name="From">The stage feeding the left side, or null when it reads the pipeline input.</param>
/// <param name="InputSegment">The segment whose output is the left side, or null (the pipeline input, or <see cref="InputBarrier"/>'s output).</param>
/// <param name="OutputSchema">The schema it produces (<see cref="LeftSchema"/> for semi and anti joins).</param>
/// <param name="Kind">Which rows it keeps.</param>
/// <param name="LeftKeys">The left key columns.</param>
/// <param name="RightKeys">The right key columns, pairwise with <see cref="LeftKeys"/>.</param>
/// <param name="Outputs">One per output member, in the output schema's order (for semi and anti joins: every left column).</param>
public sealed record JoinPlan(
    string Stage,
    string LeftSchema,
    string RightSchema,
    string Table,
    string? From,
    int? InputSegment,
    string OutputSchema,
    JoinKind Kind,
    IReadOnlyList<string> LeftKeys,
    IReadOnlyList<string> RightKeys,
    IReadOnlyList<JoinOutput> Outputs)
{
    /// <summary>The join or aggregate stage whose output is its left side, when that is its input.</summary>
    public string? InputBarrier { get; init; }

    /// <summary>Whether its output is written as a pipeline output (no segment reads it).</summary>
    public bool IsSink { get; init; }
}

/// <summary>A split of a sink's rows (<see cref="SplitAttribute"/>).</summary>
/// <param name="Sink">The stage whose output is split (a sink's last stage, or a sink barrier).</param>
/// <param name="Key">The columns of the sink's schema that are hashed.</param>
/// <param name="Names">The subsets, in order.</param>
/// <param name="Fractions">Their shares, summing to 1.</param>
/// <param name="Seed">The hash seed.</param>
/// <param name="StratifyBy">The column each of whose values is split on its own, or null.</param>
public sealed record SplitPlan(
    string Sink,
    IReadOnlyList<string> Key,
    IReadOnlyList<string> Names,
    IReadOnlyList<double> Fractions,
    long Seed,
    string? StratifyBy);

namespace Dsl;

/// <summary>
/// A grouped aggregation: <c>static TOut Name(Group&lt;TRow&gt; g)</c> returning <c>new TOut(...)</c> whose every
/// argument is one call on <c>g</c> (<c>g.Key(t =&gt; t.UserId)</c>, <c>g.Count()</c>, <c>g.Sum(t =&gt; t.Amount)</c>, ...).
/// One output row per distinct value of the <see cref="By"/> columns (null is a value of its own, as in SQL's
/// <c>GROUP BY</c>). Each partition aggregates its rows first (map-side combine); the partial groups are spread over
/// buckets by a hash of the key, spilled to disk when they exceed the memory budget, and each bucket is merged on its
/// own. Compute derived values (a ratio of two aggregates) in a <see cref="MapAttribute"/> stage after it.
/// </summary>
/// <remarks>
/// How a run executes it (waves, buckets, spills, resume) is in docs/barriers.md; the functions and their null and
/// NaN rules in docs/aggregate.md.
/// </remarks>
public sealed class AggregateAttribute : StageAttribute
{
    /// <summary>The grouping columns: members of the input schema (write <c>nameof(Row.Member)</c>).</summary>
    public string[] By { get; set; } = [];
}

/// <summary>Which rows of the two sides a <see cref="JoinAttribute"/> stage keeps.</summary>
public enum JoinKind
{
    /// <summary>One output row per pair of rows whose keys are equal.</summary>
    Inner,

    /// <summary>Every left row: once per matching right row, or once with the right side null when none matches.</summary>
    Left,

    /// <summary>Each left row that has at least one match, once, unchanged (the stage returns its left row).</summary>
    Semi,

    /// <summary>Each left row that has no match, unchanged (the stage returns its left row).</summary>
    Anti,
}

/// <summary>
/// An equi-join of the stage's rows (the left side) with a table (the right side):
/// <c>static TOut Name(TLeft l, TRight r)</c> returning <c>new TOut(...)</c> whose every argument is a member of
/// <c>l</c> or of <c>r</c> (<c>r?.Member</c> for a <see cref="JoinKind.Left"/> join, whose right side may be missing),
/// or, for <see cref="JoinKind.Semi"/> and <see cref="JoinKind.Anti"/>, returning <c>l</c> itself. Null keys never
/// match. The right side is read from the table named <see cref="Table"/> (<c>tables:</c> in pipeline.yaml, or
/// <c>--table NAME=PATH</c>): when it is smaller than the broadcast threshold it is read once per process and shared
/// by every task (a broadcast hash join); otherwise both sides are hash-partitioned to disk and joined bucket by
/// bucket. The run decides from the table's size and reports which it chose.
/// </summary>
/// <remarks>
/// The threshold is <c>broadcastThreshold:</c> in pipeline.yaml (default 64 MiB of table files); docs/join.md and
/// docs/barriers.md describe both strategies.
/// </remarks>
public sealed class JoinAttribute : StageAttribute
{
    /// <summary>The name of the right side's table.</summary>
    public string Table { get; set; } = "";

    /// <summary>The left side's key columns (members of the stage's row).</summary>
    public string[] On { get; set; } = [];

    /// <summary>The right side's key columns, in the order of <see cref="On"/> (default: the same names).</summary>
    public string[] RightOn { get; set; } = [];

    /// <summary>Which rows are kept (default <see cref="JoinKind.Inner"/>).</summary>
    public JoinKind Kind { get; set; } = JoinKind.Inner;
}

/// <summary>
/// Splits a sink's rows deterministically into named subsets (train, validation, test), written to
/// <c>split=NAME/</c> folders of the sink's output. A row's subset depends only on a hash of its <see cref="Key"/>
/// columns and <see cref="Seed"/>, so it lands in the same subset on every run and every machine, and rows with one key
/// (one user) stay together. With <see cref="StratifyBy"/>, each value of that column is split in the asked proportions
/// on its own. Put it on the stage whose output is written.
/// </summary>
/// <remarks>
/// A plain split is assigned as the sink's rows are written. A stratified one needs the counts of every row first: the
/// sink's rows are bucketed to disk with each task's per-stratum counts and written by a later wave of tasks
/// (docs/barriers.md).
/// </remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class SplitAttribute : Attribute
{
    /// <summary>The columns (members of the stage's output schema) whose hash decides the subset.</summary>
    public string[] Key { get; set; } = [];

    /// <summary>The subsets' names, in order (default train, validation, test).</summary>
    public string[] Names { get; set; } = ["train", "validation", "test"];

    /// <summary>Each subset's share of the rows, in the order of <see cref="Names"/>; they must sum to 1.</summary>
    public double[] Fractions { get; set; } = [0.8, 0.1, 0.1];

    /// <summary>The hash seed: another seed gives another, equally deterministic, split.</summary>
    public long Seed { get; set; }

    /// <summary>A column (a member of the output schema) whose every value is split in the asked proportions, or null.</summary>
    public string? StratifyBy { get; set; }
}

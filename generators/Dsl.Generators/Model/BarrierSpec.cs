using Dsl.Generators.Common;

namespace Dsl.Generators.Model;

/// <summary>One output member of an aggregate stage (mirrors <c>Dsl.Execution.AggregateOutput</c>).</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Member">The output schema's column it fills.</param>
/// <param name="Function">The <c>Dsl.Execution.AggregateFunction</c> member name.</param>
/// <param name="Column">The input column it reads, or null for <c>Count</c>.</param>
/// <param name="OrderColumn">For <c>First</c> and <c>Last</c>: the input column that orders the rows.</param>
internal sealed record AggregateOutputSpec(string Member, string Function, string? Column, string? OrderColumn);

/// <summary>An <c>[Aggregate]</c> stage after wiring (mirrors <c>Dsl.Execution.AggregatePlan</c>).</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Name">The method's name.</param>
/// <param name="InputSchema">The full type name of the rows it groups.</param>
/// <param name="From">The stage feeding it, or null for the pipeline input.</param>
/// <param name="InputSegment">The segment whose output it groups, or null.</param>
/// <param name="InputBarrier">The aggregate or join whose output it groups, or null.</param>
/// <param name="OutputSchema">The full type name of its rows.</param>
/// <param name="Keys">The grouping columns of the input schema.</param>
/// <param name="Outputs">One per output column, in the output schema's order.</param>
/// <param name="IsSink">Whether its output is written (no stage reads it).</param>
internal sealed record AggregateSpec(
    string Name,
    string InputSchema,
    string? From,
    int? InputSegment,
    string? InputBarrier,
    string OutputSchema,
    EquatableArray<string> Keys,
    EquatableArray<AggregateOutputSpec> Outputs,
    bool IsSink);

/// <summary>One output member of a join stage (mirrors <c>Dsl.Execution.JoinOutput</c>).</summary>
/// <param name="Member">The output schema's column it fills.</param>
/// <param name="Side">"Left" or "Right" (<c>Dsl.Execution.JoinSide</c>).</param>
/// <param name="Column">The column of that side it copies.</param>
internal sealed record JoinOutputSpec(string Member, string Side, string Column);

/// <summary>A <c>[Join]</c> stage after wiring (mirrors <c>Dsl.Execution.JoinPlan</c>).</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Name">The method's name.</param>
/// <param name="LeftSchema">The full type name of the stage's rows.</param>
/// <param name="RightSchema">The full type name of the table's rows.</param>
/// <param name="Table">The table's name.</param>
/// <param name="From">The stage feeding the left side, or null for the pipeline input.</param>
/// <param name="InputSegment">The segment whose output is the left side, or null.</param>
/// <param name="InputBarrier">The aggregate or join whose output is the left side, or null.</param>
/// <param name="OutputSchema">The full type name of its rows (the left schema for semi and anti joins).</param>
/// <param name="Kind">The <c>Dsl.JoinKind</c> member name.</param>
/// <param name="LeftKeys">The left key columns.</param>
/// <param name="RightKeys">The right key columns, pairwise with the left ones.</param>
/// <param name="Outputs">One per output column, in the output schema's order.</param>
/// <param name="IsSink">Whether its output is written (no stage reads it).</param>
internal sealed record JoinSpec(
    string Name,
    string LeftSchema,
    string RightSchema,
    string Table,
    string? From,
    int? InputSegment,
    string? InputBarrier,
    string OutputSchema,
    string Kind,
    EquatableArray<string> LeftKeys,
    EquatableArray<string> RightKeys,
    EquatableArray<JoinOutputSpec> Outputs,
    bool IsSink);

/// <summary>A <c>[Split]</c> of a sink's rows (mirrors <c>Dsl.Execution.SplitPlan</c>).</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Sink">The stage whose output is split.</param>
/// <param name="Key">The hashed columns of the sink's schema.</param>
/// <param name="Names">The subsets, in order.</param>
/// <param name="Fractions">Their shares, summing to 1.</param>
/// <param name="Seed">The hash seed.</param>
/// <param name="StratifyBy">The column each of whose values is split on its own, or null.</param>
internal sealed record SplitSpec(
    string Sink,
    EquatableArray<string> Key,
    EquatableArray<string> Names,
    EquatableArray<double> Fractions,
    long Seed,
    string? StratifyBy);

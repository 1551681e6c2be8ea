using System.Collections.Generic;
using Dsl.Generators.Common;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Graph;

/// <summary>What an aggregate stage's attribute and body say, before wiring.</summary>
/// <param name="Keys">The grouping columns of its input schema.</param>
/// <param name="Outputs">One per output column, in the output schema's order.</param>
internal sealed record AggregateDraft(EquatableArray<string> Keys, EquatableArray<AggregateOutputSpec> Outputs);

/// <summary>What a join stage's attribute and body say, before wiring.</summary>
/// <param name="Table">The right side's table name.</param>
/// <param name="Kind">The <c>Dsl.JoinKind</c> member name.</param>
/// <param name="Right">The schema of the table's rows.</param>
/// <param name="LeftKeys">The left key columns.</param>
/// <param name="RightKeys">The right key columns.</param>
/// <param name="Outputs">One per output column, in the output schema's order.</param>
internal sealed record JoinDraft(string Table, string Kind, SchemaSpec Right, EquatableArray<string> LeftKeys, EquatableArray<string> RightKeys, EquatableArray<JoinOutputSpec> Outputs);

/// <summary>
/// A stage's <c>[Split]</c> before wiring, with where it is written (for DSL3016). Lives only inside the pipeline
/// transform and never reaches an incremental model.
/// </summary>
/// <param name="Spec">The split, or null when the stage has no output schema to split (a fit).</param>
/// <param name="Location">The attribute.</param>
internal sealed record SplitDraft(SplitSpec? Spec, Location Location);

/// <summary>The barrier stages and splits of a wired pipeline, in topological order.</summary>
/// <param name="Aggregates">The aggregate stages.</param>
/// <param name="Joins">The join stages.</param>
/// <param name="Splits">The splits, each on a stage whose output is written.</param>
internal sealed record BarrierSpecs(List<AggregateSpec> Aggregates, List<JoinSpec> Joins, List<SplitSpec> Splits);

using Dsl.Execution;

namespace Dsl.Barriers.Aggregation;

/// <summary>One output member of an aggregation, with its columns resolved (<see cref="AggregateLayout.Columns"/>).</summary>
/// <param name="Output">The plan's description of it.</param>
/// <param name="OutputIndex">Its index in the output schema.</param>
/// <param name="OutputField">Its output field.</param>
/// <param name="InputIndex">The index of the input column it reads, or -1 (<see cref="AggregateFunction.Count"/>).</param>
/// <param name="InputField">The input column it reads, or null.</param>
/// <param name="OrderIndex">For First and Last: the index of the order column; otherwise -1.</param>
/// <param name="OrderField">For First and Last: the order column; otherwise null.</param>
/// <param name="KeyIndex">For <see cref="AggregateFunction.Key"/>: the position of its column among the keys; otherwise -1.</param>
internal sealed record AggregateColumn(
    AggregateOutput Output,
    int OutputIndex,
    ColumnField OutputField,
    int InputIndex,
    ColumnField? InputField,
    int OrderIndex,
    ColumnField? OrderField,
    int KeyIndex);

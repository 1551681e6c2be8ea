using Dsl.Execution;

namespace Dsl.Barriers.Aggregation;

/// <summary>The accumulator of each <see cref="AggregateFunction"/>.</summary>
internal static class Accumulators
{
    public static Accumulator Create(AggregateLayout layout, int index)
    {
        AggregateColumn column = layout.Columns[index];
        ValueKind Kind(ColumnField? field) => ValueKinds.Of(field!.Type)!.Value;
        return column.Output.Function switch
        {
            AggregateFunction.Key => new KeyAccumulator(column.KeyIndex, column.InputField!.Type),
            AggregateFunction.Count => new CountAccumulator(-1),
            AggregateFunction.CountValues => new CountAccumulator(column.InputIndex),
            AggregateFunction.Sum when ValueKinds.IsInteger(column.InputField!.Type) => new IntegerSumAccumulator(layout, column),
            AggregateFunction.Sum => new FloatSumAccumulator(column.InputIndex, mean: false),
            AggregateFunction.Mean => new FloatSumAccumulator(column.InputIndex, mean: true),
            AggregateFunction.Variance => new MomentsAccumulator(column.InputIndex, ddof: 0, squareRoot: false),
            AggregateFunction.StdDev => new MomentsAccumulator(column.InputIndex, ddof: 0, squareRoot: true),
            AggregateFunction.SampleVariance => new MomentsAccumulator(column.InputIndex, ddof: 1, squareRoot: false),
            AggregateFunction.SampleStdDev => new MomentsAccumulator(column.InputIndex, ddof: 1, squareRoot: true),
            AggregateFunction.Min => new ExtremeAccumulator(column.InputIndex, Kind(column.InputField), max: false),
            AggregateFunction.Max => new ExtremeAccumulator(column.InputIndex, Kind(column.InputField), max: true),
            AggregateFunction.CountDistinct when FixedDistinctAccumulator.Counts(column.InputField!.Type) => new FixedDistinctAccumulator(layout, index),
            AggregateFunction.CountDistinct => new DistinctAccumulator(layout, index),
            AggregateFunction.ApproxCountDistinct => new ApproxDistinctAccumulator(layout, index),
            AggregateFunction.First => new OrderedAccumulator(column.InputIndex, Kind(column.InputField), column.OrderIndex, Kind(column.OrderField), last: false),
            AggregateFunction.Last => new OrderedAccumulator(column.InputIndex, Kind(column.InputField), column.OrderIndex, Kind(column.OrderField), last: true),
            _ => throw new InvalidOperationException($"The aggregate function {column.Output.Function} has no accumulator."),
        };
    }
}

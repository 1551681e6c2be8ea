namespace Dsl;

/// <summary>Whether a failing dataset gate stops the commit or is only reported.</summary>
public enum GateSeverity
{
    /// <summary>The run commits nothing (the previous output stays) and fails, naming the gate, the value and the bound.</summary>
    Fail,

    /// <summary>The breach is reported (console, <c>_validation.json</c>) and the run commits.</summary>
    Warn,
}

/// <summary>What a dataset gate measures over the whole run.</summary>
public enum GateMetric
{
    /// <summary>The number of rows of the gate's schema (the input's rows, or a sink's rows for an output schema).</summary>
    RowCount,

    /// <summary>The fraction of a column's values that are null.</summary>
    NullRate,

    /// <summary>The fraction of input rows a rule (<see cref="GateAttribute.Rule"/>) or all rules together sent to the quarantine.</summary>
    QuarantineRate,

    /// <summary>The mean of a column's non-null values.</summary>
    Mean,

    /// <summary>The population standard deviation of a column's non-null values.</summary>
    StdDev,

    /// <summary>The smallest non-null value of a column.</summary>
    Min,

    /// <summary>The largest non-null value of a column.</summary>
    Max,

    /// <summary>The number of distinct non-null values of a column (exact up to 65,536 values, then a HyperLogLog estimate).</summary>
    DistinctCount,

    /// <summary>No two rows hold the same values of <see cref="GateAttribute.Columns"/> (a key), across all partitions.</summary>
    Unique,
}

/// <summary>
/// A dataset gate on a <see cref="PipelineAttribute"/> class, measured over the whole run from statistics gathered in
/// the same pass as the stages, and checked before anything is committed:
/// <c>[Gate(GateMetric.Mean, Column = "Amount", Min = 1, Max = 500)]</c>. Columns are named as in the pipeline's input
/// schema, or <c>Schema.Member</c> for another schema the pipeline writes. Gates also come from <c>gates:</c> in
/// <c>pipeline.yaml</c> and from <see cref="NullRateAttribute"/> and <see cref="UniqueAttribute"/> on schema members.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GateAttribute : Attribute
{
    /// <summary>Creates the gate.</summary>
    public GateAttribute(GateMetric metric) => Metric = metric;

    /// <summary>What the gate measures.</summary>
    public GateMetric Metric { get; }

    /// <summary>The column it measures (for the column metrics).</summary>
    public string? Column { get; set; }

    /// <summary>The key columns of a <see cref="GateMetric.Unique"/> gate.</summary>
    public string[]? Columns { get; set; }

    /// <summary>The rule id a <see cref="GateMetric.QuarantineRate"/> gate counts (null: all rules together).</summary>
    public string? Rule { get; set; }

    /// <summary>The smallest allowed value, included (NaN: no lower bound).</summary>
    public double Min { get; set; } = double.NaN;

    /// <summary>The largest allowed value, included (NaN: no upper bound).</summary>
    public double Max { get; set; } = double.NaN;

    /// <summary>Whether a breach stops the commit (default) or is only reported.</summary>
    public GateSeverity Severity { get; set; } = GateSeverity.Fail;

    /// <summary>The gate's id in reports (default derived from the metric and column, e.g. <c>mean(Amount)</c>).</summary>
    public string? Id { get; set; }
}

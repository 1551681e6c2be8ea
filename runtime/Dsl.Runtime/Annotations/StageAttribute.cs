namespace Dsl;

/// <summary>
/// Base of the stage attributes. A stage is a <c>static</c> method of a <see cref="PipelineAttribute"/> class
/// whose first parameter is a <see cref="SchemaAttribute"/> record (one input row).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public abstract class StageAttribute : Attribute
{
    /// <summary>
    /// The stage whose output feeds this one (write <c>nameof(OtherStage)</c>). When left out, the unique stage
    /// producing this stage's input schema is used, or the pipeline's input when no stage produces it.
    /// </summary>
    public string? From { get; set; }

    /// <summary>
    /// Lets the generated kernel use vector approximations of <see cref="Math.Log(double)"/> and
    /// <see cref="Math.Exp(double)"/> (and their <see cref="MathF"/> twins), which are faster but may differ from
    /// the scalar functions in the last bits. Off by default: kernels then call the scalar functions once per row
    /// and their output is bit-identical to calling the stage method. Everything else in the stage stays exact.
    /// </summary>
    public bool RelaxedMath { get; set; }

    /// <summary>
    /// What happens when the stage throws for one row (divide by zero, a date out of range, <c>.Value</c> on null):
    /// <see cref="RowErrorAction.Fail"/> (default) stops the job naming the file, row group, row and the values the stage
    /// read; <see cref="RowErrorAction.Quarantine"/> writes the row to the quarantine with the exception's message.
    /// </summary>
    public RowErrorAction OnRowError { get; set; } = RowErrorAction.Fail;
}

/// <summary>
/// A row filter: <c>static bool Name(TSchema row)</c>. Rows for which the method returns <c>false</c> are dropped;
/// the output schema is the input schema.
/// </summary>
public sealed class FilterAttribute : StageAttribute
{
}

/// <summary>
/// A row map: <c>static TOut Name(TIn row)</c> where both types are <see cref="SchemaAttribute"/> records.
/// One output row per input row.
/// </summary>
public sealed class MapAttribute : StageAttribute
{
}

/// <summary>
/// A row rule written as code: <c>static bool Name(TSchema row)</c> returns whether the row is valid, and may read
/// several members (<c>t.Dropoff &gt;= t.Pickup</c>). It is compiled like a filter, into the same kernel, and a row it
/// refuses goes where <see cref="Action"/> says; the output schema is the input schema.
/// </summary>
public sealed class CheckAttribute : StageAttribute
{
    /// <summary>What happens to a row the check refuses (default <see cref="RuleAction.Quarantine"/>).</summary>
    public RuleAction Action { get; set; } = RuleAction.Quarantine;

    /// <summary>The reason written for a refused row (default: the check's name and the values it read).</summary>
    public string? Message { get; set; }
}

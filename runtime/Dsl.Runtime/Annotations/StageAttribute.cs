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

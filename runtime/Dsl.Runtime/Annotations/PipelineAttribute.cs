namespace Dsl;

/// <summary>
/// Marks a <c>static partial class</c> whose <see cref="FilterAttribute"/> and <see cref="MapAttribute"/>
/// methods form one pipeline. The generator wires the stages into a DAG, fuses consecutive stages into
/// columnar kernels and adds a <c>Compiled</c> property (the plan plus its kernels) and
/// <c>RunCommandLine(string[])</c> (the <c>run</c>/<c>explain</c> host) to the class.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PipelineAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The pipeline's name, used in plans, logs and output manifests.</param>
    public PipelineAttribute(string name) => Name = name;

    /// <summary>The pipeline's name, used in plans, logs and output manifests.</summary>
    public string Name { get; }

    /// <summary>
    /// The schema record the pipeline reads (optional). When left out, the input is the schema read by the first
    /// stage that no other stage feeds, and every such stage must read it (DSL3004). When set, a stage that reads
    /// neither this schema nor the output of another stage can never run: the generator leaves it out of the plan
    /// and reports DSL3006.
    /// </summary>
    public Type? Input { get; set; }
}

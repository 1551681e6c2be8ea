namespace Dsl.Execution;

/// <summary>
/// Runs one fused segment over a batch of its input schema and returns a new batch of its output schema
/// (the caller disposes both). Kernels are pure functions of their input: safe to run on many partitions at once.
/// </summary>
public delegate RecordBatch SegmentKernel(RecordBatch input);

/// <summary>A <see cref="PipelinePlan"/> together with the generated kernel for each of its segments.</summary>
public sealed class CompiledPipeline
{
    /// <summary>Pairs a plan with its kernels, one per segment in the same order.</summary>
    public CompiledPipeline(PipelinePlan plan, IReadOnlyList<SegmentKernel> kernels)
    {
        if (plan.Segments.Count != kernels.Count)
        {
            throw new ArgumentException($"Pipeline '{plan.Name}' has {plan.Segments.Count} segments but {kernels.Count} kernels were given.", nameof(kernels));
        }
        Plan = plan;
        Kernels = kernels;
    }

    /// <summary>The plan.</summary>
    public PipelinePlan Plan { get; }

    /// <summary>The kernel of each segment, indexed like <see cref="PipelinePlan.Segments"/>.</summary>
    public IReadOnlyList<SegmentKernel> Kernels { get; }
}

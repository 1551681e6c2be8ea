namespace Dsl.Execution;

/// <summary>A failure inside a pipeline run, with the pipeline, partition and stage segment where it happened.</summary>
public sealed class PipelineExecutionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PipelineExecutionException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

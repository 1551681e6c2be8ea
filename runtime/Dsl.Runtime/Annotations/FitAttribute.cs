namespace Dsl;

/// <summary>
/// A fit stage: <c>static TParams Name(FitData&lt;TRow&gt; data)</c>, where <c>TRow</c> is the schema of the rows it
/// sees (the output of <see cref="StageAttribute.From"/>, or the pipeline input) and <c>TParams</c> is a stage parameter
/// record that other stages take after their row. A pipeline with fit stages runs in two passes: the first reads the
/// input through the stages up to the fit and gathers the statistics the method asks of its <c>FitData</c> argument
/// (mergeable per-partition states, merged once); the method then runs once on the merged statistics and its record
/// becomes the parameter values of the second pass, which runs every other stage. The record is saved as the run's
/// fitted state, and <c>run --fitted FILE</c> loads a saved one instead of fitting again.
/// </summary>
/// <remarks>
/// Each statistic is named by a lambda that reads one member of the row, such as <c>d.Mean(t =&gt; t.Amount)</c>; the
/// build reads the lambdas to decide what the first pass gathers, so they must read a member directly, and the other
/// arguments (a quantile, a vocabulary size) must be constants.
/// </remarks>
public sealed class FitAttribute : StageAttribute
{
}

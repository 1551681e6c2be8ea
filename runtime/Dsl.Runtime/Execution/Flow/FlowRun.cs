using Dsl.Execution.Commit;

namespace Dsl.Execution.Flow;

/// <summary>The part of a bucket task's input that names it: which cut's bucket it merges or joins.</summary>
/// <param name="Wave">The wave it belongs to (1 for the first cut).</param>
/// <param name="Barrier">The aggregate or join stage.</param>
/// <param name="Bucket">The bucket number.</param>
public sealed record BucketInput(int Wave, string Barrier, int Bucket);

/// <summary>Takes the rows a task hands to a cut and writes them to the task's spill files.</summary>
internal interface ICutWriter : IDisposable
{
    /// <summary>Partially aggregates (or buckets) the rows of <paramref name="batch"/>.</summary>
    void Write(RecordBatch batch);

    /// <summary>Writes what is held and returns every spill file, flushed to disk, as parts of the task (<see cref="FlowRun.SpillSink"/>).</summary>
    IReadOnlyList<PartFile> Finish();
}

/// <summary>A join whose table every task of the process probes (a broadcast hash join).</summary>
internal interface IBroadcastJoin
{
    /// <summary>The join's output rows for the left rows of <paramref name="left"/> (the caller disposes it).</summary>
    RecordBatch Probe(RecordBatch left);
}

/// <summary>
/// What the tasks of a run share beyond the plan: the flow (which wave runs which node), the broadcast tables, how a
/// task writes the rows it hands to a cut, and how a bucket task reads its bucket.
/// </summary>
internal sealed class FlowRun
{
    /// <summary>Parts whose <see cref="PartFile.Sink"/> is at least this are spill files of cut <c>Sink - SpillSink</c>, never published.</summary>
    public const int SpillSink = 1 << 20;

    public FlowRun(
        FlowGraph graph,
        IReadOnlyDictionary<string, IBroadcastJoin> broadcasts,
        Func<FlowNode, string, ICutWriter> cutWriter,
        Func<BucketInput, string, IEnumerable<RecordBatch>> readBucket,
        Func<string, Barriers.Splits.SplitCuts>? splitCuts = null)
    {
        SplitCuts = splitCuts ?? (sink => throw new InvalidOperationException($"The stratified split of '{sink}' has no cut points yet."));
        Graph = graph;
        Broadcasts = broadcasts;
        CutWriter = cutWriter;
        ReadBucket = readBucket;
    }

    /// <summary>The order and waves of the plan's nodes.</summary>
    public FlowGraph Graph { get; }

    /// <summary>The broadcast joins' tables, by stage.</summary>
    public IReadOnlyDictionary<string, IBroadcastJoin> Broadcasts { get; }

    /// <summary>A writer for the rows a task hands to a cut, spilling into the task's attempt folder.</summary>
    public Func<FlowNode, string, ICutWriter> CutWriter { get; }

    /// <summary>The output batches of a bucket (merged partials, or joined rows), using a scratch folder.</summary>
    public Func<BucketInput, string, IEnumerable<RecordBatch>> ReadBucket { get; }

    /// <summary>A stratified split's cut points, by sink, once the wave that counted its rows is done.</summary>
    public Func<string, Barriers.Splits.SplitCuts> SplitCuts { get; }

    /// <summary>The flow of a plan without aggregates, joins or stratified splits: its segments, all in wave 0.</summary>
    public static FlowRun Plain(PipelinePlan plan)
    {
        if (plan.Aggregates.Count > 0 || plan.Joins.Count > 0 || plan.Splits.Any(s => s.StratifyBy is not null))
        {
            throw new InvalidOperationException($"Pipeline '{plan.Name}' has aggregate, join or stratified split stages, which run only through LocalExecutor.Run.");
        }
        return new FlowRun(
            FlowGraph.For(plan, new HashSet<string>()),
            new Dictionary<string, IBroadcastJoin>(),
            (node, _) => throw new InvalidOperationException($"The {node} has no cut writer."),
            (bucket, _) => throw new InvalidOperationException($"Bucket {bucket.Bucket} of '{bucket.Barrier}' has no reader."));
    }
}

namespace Dsl.Execution.Flow;

/// <summary>What a <see cref="FlowNode"/> does with the batches it receives.</summary>
internal enum FlowNodeKind
{
    /// <summary>Runs a fused segment's kernel.</summary>
    Segment,

    /// <summary>An aggregate stage: partial aggregation in the task, merged per bucket in a later wave.</summary>
    Aggregate,

    /// <summary>A join stage: probed in the task (broadcast) or bucketed and joined in a later wave (shuffle).</summary>
    Join,

    /// <summary>
    /// A stratified split of a sink: the sink's rows are bucketed by their split key and counted per stratum, and
    /// written in a later wave, once the counts of every row give each stratum's cut points.
    /// </summary>
    Split,
}

/// <summary>
/// One step of a task's work: a segment, an aggregate or a join, with the node its batches come from
/// (<see cref="SourceSegment"/> or <see cref="SourceBarrier"/>; neither for the pipeline input) and the wave that runs
/// it (<see cref="Wave"/>).
/// </summary>
internal sealed record FlowNode(FlowNodeKind Kind, string Name, int? Segment, int Barrier, int? SourceSegment, string? SourceBarrier)
{
    /// <summary>
    /// The wave whose tasks run this node: 0 for the tasks over input partitions; w &gt; 0 for the bucket tasks of
    /// <see cref="FlowGraph.Cuts"/>[w - 1], whose batches are that barrier's merged (or joined) output.
    /// </summary>
    public int Wave { get; set; }

    /// <summary>Whether the node is an aggregate or shuffle join: its rows leave the task and come back in a later wave.</summary>
    public bool Cuts { get; set; }

    /// <summary>For a cut: the wave its output is read in.</summary>
    public int OutputWave { get; set; }

    public override string ToString() => Kind switch
    {
        FlowNodeKind.Segment => $"segment '{Name}'",
        FlowNodeKind.Split => $"stratified split of '{Name}'",
        _ => $"{Kind.ToString().ToLowerInvariant()} '{Name}'",
    };
}

/// <summary>
/// The order in which a plan's segments and barrier stages run. Aggregates and shuffle joins cut the plan into waves:
/// wave 0 runs over the input's partitions up to each cut, where the rows are partially aggregated or hash-bucketed to
/// disk; each cut's buckets then run as the tasks of a later wave, which carry its output on through the segments after
/// it. A stratified split cuts too: its sink's rows are bucketed and counted per stratum, and written by the bucket tasks
/// of its wave with the cut points all the counts give. A broadcast join does not cut: each task probes the shared table
/// and goes on. Segments that run only in the first
/// pass of a plan with fit stages (<see cref="SegmentPlan.FitOnly"/>) are not part of it.
/// </summary>
internal sealed class FlowGraph
{
    private FlowGraph(IReadOnlyList<FlowNode> nodes, IReadOnlyList<FlowNode> cuts)
    {
        Nodes = nodes;
        Cuts = cuts;
    }

    /// <summary>Every node, each after the node it reads.</summary>
    public IReadOnlyList<FlowNode> Nodes { get; }

    /// <summary>The aggregates, shuffle joins and stratified splits, in the order their waves run (wave <c>i + 1</c> is <c>Cuts[i]</c>'s).</summary>
    public IReadOnlyList<FlowNode> Cuts { get; }

    /// <summary>The nodes wave <paramref name="wave"/>'s tasks run, in order.</summary>
    public IEnumerable<FlowNode> InWave(int wave) => Nodes.Where(n => n.Wave == wave);

    /// <summary>The aggregate or join node of stage <paramref name="name"/>.</summary>
    public FlowNode Barrier(string name) => Nodes.First(n => n.Kind is FlowNodeKind.Aggregate or FlowNodeKind.Join && n.Name == name);

    /// <summary>The stratified split of sink <paramref name="sink"/>, or null when it has none.</summary>
    public FlowNode? StratifiedSplit(SinkNode sink) => Nodes.FirstOrDefault(n => n.Kind == FlowNodeKind.Split && n.Name == sink.Name);

    /// <summary>The wave in which the rows of sink <paramref name="sink"/> are written.</summary>
    public int WaveOf(SinkNode sink) =>
        StratifiedSplit(sink) is { } split ? split.OutputWave
        : sink.Segment is int s ? Nodes.First(n => n.Segment == s).Wave
        : Barrier(sink.Barrier!) is { Cuts: true } cut ? cut.OutputWave : Barrier(sink.Barrier!).Wave;

    /// <summary>
    /// The flow of <paramref name="plan"/>, with the joins named in <paramref name="broadcast"/> probed in the tasks and
    /// every other join shuffled.
    /// </summary>
    /// <exception cref="ArgumentException">The plan's stages do not form a graph the executor can run (names a node).</exception>
    public static FlowGraph For(PipelinePlan plan, IReadOnlySet<string> broadcast)
    {
        var nodes = new List<FlowNode>();
        foreach (SegmentPlan segment in plan.Segments.Where(s => !s.FitOnly))
        {
            nodes.Add(new FlowNode(FlowNodeKind.Segment, segment.Name, segment.Index, -1, segment.InputSegment, segment.InputBarrier));
        }
        for (int a = 0; a < plan.Aggregates.Count; a++)
        {
            AggregatePlan aggregate = plan.Aggregates[a];
            nodes.Add(new FlowNode(FlowNodeKind.Aggregate, aggregate.Stage, null, a, aggregate.InputSegment, aggregate.InputBarrier) { Cuts = true });
        }
        for (int j = 0; j < plan.Joins.Count; j++)
        {
            JoinPlan join = plan.Joins[j];
            nodes.Add(new FlowNode(FlowNodeKind.Join, join.Stage, null, j, join.InputSegment, join.InputBarrier) { Cuts = !broadcast.Contains(join.Stage) });
        }
        for (int s = 0; s < plan.Splits.Count; s++)
        {
            SplitPlan split = plan.Splits[s];
            if (split.StratifyBy is null)
            {
                continue; // a plain split is assigned as the sink's rows are written
            }
            SinkNode sink = plan.SinkNodes().FirstOrDefault(k => k.Name == split.Sink)
                ?? throw new ArgumentException($"The split of '{split.Sink}' is on no sink of pipeline '{plan.Name}'.");
            nodes.Add(new FlowNode(FlowNodeKind.Split, split.Sink, null, s, sink.Segment, sink.Barrier) { Cuts = true });
        }
        List<FlowNode> ordered = Order(plan, nodes);
        var cuts = new List<FlowNode>();
        foreach (FlowNode node in ordered)
        {
            node.Wave = SourceOf(node, ordered) switch
            {
                null => 0,
                { Cuts: true } cut => cut.OutputWave,
                FlowNode source => source.Wave,
            };
            if (node.Cuts)
            {
                cuts.Add(node);
                node.OutputWave = cuts.Count;
            }
        }
        return new FlowGraph(ordered, cuts);
    }

    private static FlowNode? SourceOf(FlowNode node, IReadOnlyList<FlowNode> nodes) =>
        node.SourceSegment is int s ? nodes.FirstOrDefault(n => n.Segment == s) ?? throw new ArgumentException($"The {node} reads segment {s}, which is not in the plan (or runs only in the fit pass).")
        : node.SourceBarrier is string b ? nodes.FirstOrDefault(n => n.Kind is FlowNodeKind.Aggregate or FlowNodeKind.Join && n.Name == b) ?? throw new ArgumentException($"The {node} reads stage '{b}', which is no aggregate or join of the plan.")
        : null;

    // Kahn's order over the source edges, ties broken by the plan's stage order, so a node always follows its source.
    private static List<FlowNode> Order(PipelinePlan plan, List<FlowNode> nodes)
    {
        var stageOrder = plan.Stages.Select((s, i) => (s.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        int Rank(FlowNode n) => n.Kind == FlowNodeKind.Split ? int.MaxValue : stageOrder.GetValueOrDefault(n.Kind == FlowNodeKind.Segment ? plan.Segments[n.Segment!.Value].Stages[^1] : n.Name, int.MaxValue);
        var ordered = new List<FlowNode>();
        var placed = new HashSet<FlowNode>();
        var pending = nodes.OrderBy(Rank).ToList();
        while (pending.Count > 0)
        {
            FlowNode? next = pending.FirstOrDefault(n => SourceOf(n, nodes) is not { } source || placed.Contains(source));
            if (next is null)
            {
                throw new ArgumentException($"The stages {string.Join(", ", pending.Select(n => n.ToString()))} read each other in a cycle.");
            }
            ordered.Add(next);
            placed.Add(next);
            pending.Remove(next);
        }
        return ordered;
    }
}

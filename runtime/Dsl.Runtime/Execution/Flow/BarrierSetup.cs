using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dsl.Barriers.Aggregation;
using Dsl.Barriers.Joins;
using Dsl.Execution.Commit;

namespace Dsl.Execution.Flow;

/// <summary>
/// The aggregates and joins of one run: which table each join reads and whether it is broadcast (decided from the
/// table's size, as adaptive engines do) or shuffled, the broadcast tables (read once, shared by every task), the
/// flow's waves and the bucket tasks of each cut, and where each bucket's spill files are once its wave begins.
/// </summary>
internal sealed class BarrierSetup : IDisposable
{
    private readonly PipelinePlan _plan;
    private readonly ExecutionOptions _options;
    private readonly string _work;
    private readonly Dictionary<string, string> _tablePaths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JoinChoice> _choices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BroadcastHashTable> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AggregateLayout> _aggregates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JoinLayout> _joins = new(StringComparer.Ordinal);
    private readonly int[] _buckets;
    // Per cut (by wave - 1): each bucket's spill files, in task order, once its wave began; for a shuffle join also the
    // table's bucket files.
    private readonly List<string>[][] _spills;
    private readonly List<string>[]?[] _tableBuckets;
    private readonly Dictionary<string, Barriers.Splits.SplitCuts> _splitCuts = new(StringComparer.Ordinal);
    private readonly string _tableFingerprint;
    private readonly List<string> _bucketedTables = [];

    private BarrierSetup(PipelinePlan plan, ExecutionOptions options, string work, FlowGraph graph, int[] buckets, string tableFingerprint)
    {
        _plan = plan;
        _options = options;
        _work = work;
        Graph = graph;
        _buckets = buckets;
        _tableFingerprint = tableFingerprint;
        _spills = buckets.Select(b => Enumerable.Range(0, b).Select(_ => new List<string>()).ToArray()).ToArray();
        _tableBuckets = new List<string>[]?[buckets.Length];
    }

    /// <summary>The flow: which wave runs which node.</summary>
    public FlowGraph Graph { get; }

    /// <summary>The waves after the first: one per cut.</summary>
    public int Waves => Graph.Cuts.Count;

    // Whether the plan has anything that moves rows between tasks: an aggregate, a join or a stratified split.
    private static bool HasCuts(PipelinePlan plan) => plan.Aggregates.Count + plan.Joins.Count > 0 || plan.Splits.Any(s => s.StratifyBy is not null);

    /// <summary>What decides the barriers' output beyond the plan: the tables' files, each join's strategy and the bucket counts.</summary>
    public string Fingerprint =>
        !HasCuts(_plan)
            ? ""
            : $"|barriers:{_tableFingerprint}|{string.Join(',', _buckets)}|{string.Join(',', _choices.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value.Broadcast}"))}";

    /// <summary>
    /// The input columns aggregates and joins that read the pipeline input directly need: an aggregate its keys and
    /// the columns its outputs read; a join every column of the input schema, since it buckets and copies whole rows
    /// of it (<see cref="PartitionTask"/> hands it the batch in schema order).
    /// </summary>
    public static IEnumerable<string> InputColumns(PipelinePlan plan) =>
        plan.Aggregates.Where(a => a.InputSegment is null && a.InputBarrier is null)
            .SelectMany(a => a.Keys.Concat(a.Outputs.SelectMany(o => new[] { o.Column, o.OrderColumn })))
            .OfType<string>()
            .Concat(plan.Joins.Any(j => j.InputSegment is null && j.InputBarrier is null) ? plan.Schemas[plan.InputSchema].Fields.Select(f => f.Name) : []);

    /// <summary>
    /// The flow <c>validate</c> runs: up to the first cut, with broadcast joins not probed (their rules are checked by
    /// a run). A plan without barriers gets its plain flow.
    /// </summary>
    public static FlowRun ValidateFlow(PipelinePlan plan) =>
        !HasCuts(plan)
            ? FlowRun.Plain(plan)
            : new FlowRun(
                FlowGraph.For(plan, new HashSet<string>()),
                new Dictionary<string, IBroadcastJoin>(),
                (node, _) => throw new InvalidOperationException($"validate runs no {node}."),
                (bucket, _) => throw new InvalidOperationException($"validate reads no bucket of '{bucket.Barrier}'."));

    /// <summary>
    /// Checks every aggregate and join against its schemas, finds each join's table and chooses its strategy, reads
    /// the broadcast tables, and orders the flow. <paramref name="work"/> is the output's work folder, where shuffled
    /// tables are bucketed.
    /// </summary>
    /// <exception cref="PipelineExecutionException">A join's table is not given, missing or does not match its schema.</exception>
    public static BarrierSetup Prepare(PipelinePlan plan, ExecutionOptions options, long inputBytes, string work, CancellationToken cancellationToken)
    {
        var broadcast = new HashSet<string>(StringComparer.Ordinal);
        var tables = new StringBuilder();
        var setup = new List<Action<BarrierSetup>>();
        foreach (JoinPlan join in plan.Joins)
        {
            if (!options.Tables.TryGetValue(join.Table, out string? path))
            {
                string given = options.Tables.Count == 0 ? "none is given" : $"the tables given are {string.Join(", ", options.Tables.Keys.Select(k => $"'{k}'"))}";
                throw new PipelineExecutionException($"Join '{join.Stage}' reads table '{join.Table}', but {given}. Name its files with --table {join.Table}=PATH or under 'tables:' in pipeline.yaml.");
            }
            path = Path.GetFullPath(path);
            long bytes = TableReader.SizeBytes(path);
            JoinChoice choice = JoinStrategy.Choose(bytes, options.BroadcastThresholdBytes, join.Table);
            if (choice.Broadcast)
            {
                broadcast.Add(join.Stage);
            }
            tables.Append(join.Stage).Append('=').Append(TableFingerprint(path)).Append(';');
            setup.Add(s =>
            {
                s._tablePaths[join.Stage] = path;
                s._choices[join.Stage] = choice;
            });
        }
        FlowGraph graph = FlowGraph.For(plan, broadcast);
        int auto = (int)Math.Clamp((inputBytes / (64L << 20)) + 1, 2L * options.MaxParallelism, 512);
        int[] buckets = graph.Cuts.Select(_ => options.ShuffleBuckets > 0 ? options.ShuffleBuckets : auto).ToArray();
        var result = new BarrierSetup(plan, options, work, graph, buckets, tables.ToString());
        try
        {
            setup.ForEach(a => a(result));
            foreach (AggregatePlan aggregate in plan.Aggregates)
            {
                result._aggregates[aggregate.Stage] = Checked(aggregate.Stage, () => AggregateLayout.For(aggregate, plan.Schemas[aggregate.InputSchema], plan.Schemas[aggregate.OutputSchema]));
            }
            foreach (JoinPlan join in plan.Joins)
            {
                JoinLayout layout = Checked(join.Stage, () => JoinLayout.For(join, plan.Schemas[join.LeftSchema], plan.Schemas[join.RightSchema], plan.Schemas[join.OutputSchema]));
                result._joins[join.Stage] = layout;
                if (broadcast.Contains(join.Stage))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    result._tables[join.Stage] = BroadcastHashTable.Build(layout, TableReader.Read(result._tablePaths[join.Stage], plan.Schemas[join.RightSchema], join.Table), join.Table, options.MemoryBudget / 2);
                }
            }
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private static T Checked<T>(string stage, Func<T> make)
    {
        try
        {
            return make();
        }
        catch (ArgumentException e)
        {
            throw new PipelineExecutionException($"Stage '{stage}' cannot run: {e.Message}", e);
        }
    }

    // A table's files by path, size and modification time: a changed table recomputes the join.
    private static string TableFingerprint(string path)
    {
        IEnumerable<string> files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : [path];
        var text = new StringBuilder(path);
        foreach (string file in files)
        {
            var info = new FileInfo(file);
            text.Append('|').Append(file).Append(':').Append(info.Length).Append(':').Append(info.LastWriteTimeUtc.Ticks);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    /// <summary>
    /// Appends each cut's bucket tasks to <paramref name="partitions"/> (numbered after them) with their keys: a
    /// bucket's key hashes the keys of every task of the wave that feeds it, so it is reused exactly when they all are.
    /// </summary>
    public void AddBucketTasks(List<Partition> partitions, List<string> keys)
    {
        foreach (FlowNode cut in Graph.Cuts)
        {
            string feeding = string.Join('\n', partitions.Select((p, i) => (p, i)).Where(t => (t.p.Bucket?.Wave ?? 0) == cut.Wave).Select(t => keys[t.i]));
            string kind = cut.Kind == FlowNodeKind.Aggregate ? "aggregate" : "join";
            int count = _buckets[cut.OutputWave - 1];
            for (int b = 0; b < count; b++)
            {
                int index = partitions.Count;
                partitions.Add(new Partition(index, $"bucket {b} of {count} of {kind} '{cut.Name}'", 0, 0, 0) { Bucket = new BucketInput(cut.OutputWave, cut.Name, b) });
                keys.Add(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"bucket\n{cut.Name}\n{b}/{count}\n{feeding}")))[..32]);
            }
        }
    }

    /// <summary>Whether the tasks of <paramref name="wave"/> hand rows to a cut (and so leave spill files the next wave reads).</summary>
    public bool FeedsCut(int wave) => Graph.Cuts.Any(c => c.Wave == wave);

    /// <summary>What the tasks share: the flow, the broadcast tables, the cut writers and the bucket readers.</summary>
    public FlowRun Flow(MemoryBudget budget, FaultPlan faults)
    {
        // Each task's partial aggregates or bucket writers hold at most this before they spill.
        long cutBytes = _options.BarrierSpillBytes > 0 ? _options.BarrierSpillBytes : Math.Max(1L << 20, budget.Bytes / (4L * _options.MaxParallelism * Math.Max(1, Graph.Cuts.Count)));
        long bucketBytes = _options.BarrierSpillBytes > 0 ? _options.BarrierSpillBytes : PartitionTask.BucketTaskBytes(budget);
        return new FlowRun(
            Graph,
            _tables.ToDictionary(t => t.Key, t => (IBroadcastJoin)new BroadcastProbe(t.Value), StringComparer.Ordinal),
            (cut, attemptDir) => cut.Kind switch
            {
                FlowNodeKind.Aggregate => new AggregateCutWriter(_aggregates[cut.Name], _buckets[cut.OutputWave - 1], cut.OutputWave - 1, attemptDir, cutBytes),
                FlowNodeKind.Split => new SplitCutWriter(_plan.Splits[cut.Barrier], _plan.Schemas[SinkSchema(cut.Name)], _buckets[cut.OutputWave - 1], cut.OutputWave - 1, attemptDir),
                _ => new JoinCutWriter(_plan.Schemas[_plan.Joins[cut.Barrier].LeftSchema], _plan.Joins[cut.Barrier], _buckets[cut.OutputWave - 1], cut.OutputWave - 1, attemptDir),
            },
            (bucket, scratch) =>
            {
                int c = bucket.Wave - 1;
                FlowNode cut = Graph.Cuts[c];
                IReadOnlyList<string> files = _spills[c][bucket.Bucket];
                return cut.Kind switch
                {
                    FlowNodeKind.Aggregate => BucketMerger.Merge(_aggregates[cut.Name], files, bucketBytes, scratch, PartitionTask.SliceRows),
                    FlowNodeKind.Split => SplitRows(files),
                    _ => BucketJoiner.Join(_joins[cut.Name], files, _tableBuckets[c]![bucket.Bucket], bucketBytes, scratch, PartitionTask.SliceRows),
                };
            },
            sink => _splitCuts[sink]);
    }

    private string SinkSchema(string sink) => _plan.SinkNodes().First(s => s.Name == sink).OutputSchema;

    // A stratified split's bucket: its rows as the tasks before spilled them, file by file.
    private static IEnumerable<RecordBatch> SplitRows(IReadOnlyList<string> files)
    {
        foreach (string file in files)
        {
            using var reader = new Parquet.ParquetFileReader(file);
            foreach (RecordBatch batch in reader.ReadBatches())
            {
                yield return batch;
            }
        }
    }

    /// <summary>
    /// Before wave <paramref name="wave"/>: collects its cut's spill files from the committed tasks of the wave that fed
    /// it (in task order, so merges are deterministic) and, for a shuffle join, buckets the table.
    /// </summary>
    public void BeginWave(int wave, IReadOnlyList<Partition> partitions, IReadOnlyList<TaskOutput?> outputs, CancellationToken cancellationToken)
    {
        int c = wave - 1;
        FlowNode cut = Graph.Cuts[c];
        foreach (List<string> files in _spills[c])
        {
            files.Clear();
        }
        for (int i = 0; i < partitions.Count; i++)
        {
            if ((partitions[i].Bucket?.Wave ?? 0) != cut.Wave)
            {
                continue;
            }
            TaskOutput task = outputs[i] ?? throw new InvalidOperationException($"Task {i} of wave {cut.Wave} has no output before wave {wave}.");
            foreach (PartFile part in task.Parts.Where(p => p.Sink == FlowRun.SpillSink + c && p.Extension == "spill"))
            {
                _spills[c][part.Sequence].Add(part.Path);
            }
        }
        if (cut.Kind == FlowNodeKind.Split)
        {
            // Every feeding task counted its rows per stratum: merged in task order, they give each stratum's cuts.
            SplitPlan split = _plan.Splits[cut.Barrier];
            BatchSchema schema = _plan.Schemas[SinkSchema(cut.Name)];
            var all = new Barriers.Splits.StrataHistogram(split, schema);
            for (int i = 0; i < partitions.Count; i++)
            {
                if ((partitions[i].Bucket?.Wave ?? 0) == cut.Wave)
                {
                    foreach (PartFile part in outputs[i]!.Parts.Where(p => p.Sink == FlowRun.SpillSink + c && p.Extension == SplitCutWriter.StrataExtension))
                    {
                        using FileStream stream = File.OpenRead(part.Path);
                        all.Merge(Barriers.Splits.StrataHistogram.ReadFrom(stream, split, schema));
                    }
                }
            }
            _splitCuts[cut.Name] = all.ComputeCuts();
        }
        if (cut.Kind == FlowNodeKind.Join && _tableBuckets[c] is null)
        {
            JoinPlan join = _plan.Joins[cut.Barrier];
            string folder = Directory.CreateDirectory(Path.Combine(_work, "tables", $"{join.Stage}-{Guid.NewGuid():N}")).FullName;
            _bucketedTables.Add(folder);
            using var writer = new JoinBucketWriter(_plan.Schemas[join.RightSchema], join.RightKeys, _buckets[c], folder, "right", keepNullKeys: false);
            foreach (RecordBatch batch in TableReader.Read(_tablePaths[join.Stage], _plan.Schemas[join.RightSchema], join.Table))
            {
                using (batch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    writer.Write(batch);
                }
            }
            List<string>[] byBucket = Enumerable.Range(0, _buckets[c]).Select(_ => new List<string>()).ToArray();
            foreach (JoinBucketFile file in writer.Finish())
            {
                byBucket[file.Bucket].Add(file.Path);
            }
            _tableBuckets[c] = byBucket;
        }
    }

    /// <summary>What each aggregate and join did, from the tasks' spill files.</summary>
    public IReadOnlyList<BarrierResult> Report(IReadOnlyList<Partition> partitions, IReadOnlyList<TaskOutput> outputs)
    {
        var results = new List<BarrierResult>();
        foreach (AggregatePlan aggregate in _plan.Aggregates)
        {
            FlowNode node = Graph.Barrier(aggregate.Stage);
            (long rows, long bytes) = Spilled(node, outputs);
            results.Add(new BarrierResult(aggregate.Stage, "aggregate", "hash aggregate", null, _buckets[node.OutputWave - 1], rows, bytes));
        }
        foreach (FlowNode split in Graph.Nodes.Where(n => n.Kind == FlowNodeKind.Split))
        {
            (long rows, long bytes) = Spilled(split, outputs);
            results.Add(new BarrierResult(split.Name, "split", "stratified split", null, _buckets[split.OutputWave - 1], rows, bytes));
        }
        foreach (JoinPlan join in _plan.Joins)
        {
            FlowNode node = Graph.Barrier(join.Stage);
            JoinChoice choice = _choices[join.Stage];
            (long rows, long bytes) = node.Cuts ? Spilled(node, outputs) : (0, 0);
            results.Add(new BarrierResult(join.Stage, "join", choice.Broadcast ? "broadcast hash join" : "shuffle hash join", choice.Reason, node.Cuts ? _buckets[node.OutputWave - 1] : 0, rows, bytes));
        }
        return results;
    }

    private static (long Rows, long Bytes) Spilled(FlowNode cut, IReadOnlyList<TaskOutput> outputs)
    {
        IEnumerable<PartFile> parts = outputs.SelectMany(o => o.Parts).Where(p => p.Sink == FlowRun.SpillSink + cut.OutputWave - 1 && p.Extension == "spill");
        return (parts.Sum(p => p.Rows), parts.Sum(p => p.Bytes));
    }

    /// <summary>Releases the broadcast tables and removes the tables this run bucketed.</summary>
    public void Dispose()
    {
        foreach (BroadcastHashTable table in _tables.Values)
        {
            table.Dispose();
        }
        _tables.Clear();
        foreach (string folder in _bucketedTables)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left behind; the output does not depend on it.
            }
        }
        _bucketedTables.Clear();
    }

    private sealed class BroadcastProbe(BroadcastHashTable table) : IBroadcastJoin
    {
        public RecordBatch Probe(RecordBatch left) => table.Probe(left);
    }

    // Spill files are parts of the task, named after their cut so that two cuts of one wave never collide in the
    // attempt folder (a committed task's files lie directly in its folder).
    private static PartFile SpillPart(string file, string attemptDir, int cut, int bucket, long rows)
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"cut{cut}-b{bucket:D4}-{Path.GetFileName(file)}");
        string target = Path.Combine(attemptDir, name);
        File.Move(file, target);
        return new PartFile(target, new FileInfo(target).Length, "", rows) { Sink = FlowRun.SpillSink + cut, Sequence = bucket, Extension = "spill" };
    }

    private sealed class AggregateCutWriter : ICutWriter
    {
        private readonly PartialAggregator _aggregator;
        private readonly int _cut;
        private readonly string _attemptDir;

        public AggregateCutWriter(AggregateLayout layout, int buckets, int cut, string attemptDir, long memoryBytes)
        {
            _cut = cut;
            _attemptDir = attemptDir;
            _aggregator = new PartialAggregator(layout, buckets, Directory.CreateDirectory(Path.Combine(attemptDir, $"cut{cut}")).FullName, memoryBytes);
        }

        public void Write(RecordBatch batch) => _aggregator.Add(batch);

        public IReadOnlyList<PartFile> Finish()
        {
            PartFile[] parts = _aggregator.Finish().Select(s => SpillPart(s.Path, _attemptDir, _cut, s.Bucket, s.Groups)).ToArray();
            Directory.Delete(Path.Combine(_attemptDir, $"cut{_cut}"), recursive: true);
            return parts;
        }

        public void Dispose() => _aggregator.Dispose();
    }

    private sealed class JoinCutWriter : ICutWriter
    {
        private readonly JoinBucketWriter _writer;
        private readonly int _cut;
        private readonly string _attemptDir;

        public JoinCutWriter(BatchSchema left, JoinPlan join, int buckets, int cut, string attemptDir)
        {
            _cut = cut;
            _attemptDir = attemptDir;
            // Left rows with a null key never match but a left or anti join still writes them.
            _writer = new JoinBucketWriter(left, join.LeftKeys, buckets, Directory.CreateDirectory(Path.Combine(attemptDir, $"cut{cut}")).FullName, "left", keepNullKeys: join.Kind is JoinKind.Left or JoinKind.Anti);
        }

        public void Write(RecordBatch batch) => _writer.Write(batch);

        public IReadOnlyList<PartFile> Finish()
        {
            PartFile[] parts = _writer.Finish().Select(f => SpillPart(f.Path, _attemptDir, _cut, f.Bucket, f.Rows)).ToArray();
            Directory.Delete(Path.Combine(_attemptDir, $"cut{_cut}"), recursive: true);
            return parts;
        }

        public void Dispose() => _writer.Dispose();
    }

    // A stratified split's rows leave the task bucketed by the split key's hash, with the task's per-stratum counts.
    private sealed class SplitCutWriter : ICutWriter
    {
        public const string StrataExtension = "strata";

        private readonly JoinBucketWriter _writer;
        private readonly Barriers.Splits.StrataHistogram _counts;
        private readonly int _cut;
        private readonly string _attemptDir;

        public SplitCutWriter(SplitPlan split, BatchSchema schema, int buckets, int cut, string attemptDir)
        {
            _cut = cut;
            _attemptDir = attemptDir;
            _counts = new Barriers.Splits.StrataHistogram(split, schema);
            _writer = new JoinBucketWriter(schema, split.Key, buckets, Directory.CreateDirectory(Path.Combine(attemptDir, $"cut{cut}")).FullName, "split", keepNullKeys: true);
        }

        public void Write(RecordBatch batch)
        {
            _counts.Add(batch);
            _writer.Write(batch);
        }

        public IReadOnlyList<PartFile> Finish()
        {
            var parts = _writer.Finish().Select(f => SpillPart(f.Path, _attemptDir, _cut, f.Bucket, f.Rows)).ToList();
            Directory.Delete(Path.Combine(_attemptDir, $"cut{_cut}"), recursive: true);
            string path = Path.Combine(_attemptDir, $"cut{_cut}-counts.{StrataExtension}");
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                _counts.WriteTo(file);
                file.Flush(flushToDisk: true);
            }
            parts.Add(new PartFile(path, new FileInfo(path).Length, "", _counts.Rows) { Sink = FlowRun.SpillSink + _cut, Sequence = 0, Extension = StrataExtension });
            return parts;
        }

        public void Dispose() => _writer.Dispose();
    }
}

using System.Text.Json.Serialization;

namespace Dsl.Execution;

/// <summary>
/// The compiled shape of a pipeline as plain data: stages, their wiring and the fused segments the kernels
/// implement. It holds no delegates or types so it can be printed (<c>explain</c>), written next to the output and,
/// later, shipped to workers of a distributed engine that look kernels up by segment index.
/// </summary>
/// <param name="Name">The pipeline name from <see cref="PipelineAttribute"/>.</param>
/// <param name="InputSchema">The schema name of the rows the pipeline reads.</param>
/// <param name="Schemas">Every schema the pipeline touches, by name.</param>
/// <param name="Stages">Every stage, in topological order.</param>
/// <param name="Segments">Fused runs of stages, in topological order; each runs as one kernel.</param>
public sealed record PipelinePlan(
    string Name,
    string InputSchema,
    IReadOnlyDictionary<string, BatchSchema> Schemas,
    IReadOnlyList<StagePlan> Stages,
    IReadOnlyList<SegmentPlan> Segments)
{
    /// <summary>
    /// Every row rule the kernels check (schema member rules, <see cref="CheckAttribute"/> stages and stages that
    /// quarantine their row errors), indexed by <see cref="RulePlan.Index"/>: the number a kernel reports a broken
    /// row under in <see cref="Validation.RowViolations"/>.
    /// </summary>
    public IReadOnlyList<RulePlan> Rules { get; init; } = [];

    /// <summary>The dataset gates declared in code (<see cref="GateAttribute"/>, <see cref="NullRateAttribute"/>, <see cref="UniqueAttribute"/>).</summary>
    public IReadOnlyList<GatePlan> Gates { get; init; } = [];

    /// <summary>
    /// The fit stages (<see cref="FitAttribute"/>), in topological order. A plan with fits runs in two passes: the
    /// first runs only the segments marked <see cref="SegmentPlan.FitOnly"/> and gathers each fit's statistics; the
    /// second runs every other segment with the fitted parameter records bound.
    /// </summary>
    public IReadOnlyList<FitPlan> Fits { get; init; } = [];

    /// <summary>The aggregate stages (<see cref="AggregateAttribute"/>), in topological order.</summary>
    public IReadOnlyList<AggregatePlan> Aggregates { get; init; } = [];

    /// <summary>The join stages (<see cref="JoinAttribute"/>), in topological order.</summary>
    public IReadOnlyList<JoinPlan> Joins { get; init; } = [];

    /// <summary>The splits of sink outputs (<see cref="SplitAttribute"/>).</summary>
    public IReadOnlyList<SplitPlan> Splits { get; init; } = [];

    /// <summary>The segments whose output is written (no other segment reads it).</summary>
    [JsonIgnore]
    public IEnumerable<SegmentPlan> Sinks => Segments.Where(s => s.IsSink && !s.FitOnly);

    /// <summary>
    /// Everything whose rows are written as a pipeline output: the sink segments (<see cref="Sinks"/>, in plan order),
    /// then the aggregate and join stages nothing reads (<see cref="AggregatePlan.IsSink"/>, <see cref="JoinPlan.IsSink"/>).
    /// </summary>
    public IReadOnlyList<SinkNode> SinkNodes() =>
        [
            .. Sinks.Select(s => new SinkNode(s.Stages[^1], s.OutputSchema, s.Index, null)),
            .. Aggregates.Where(a => a.IsSink).Select(a => new SinkNode(a.Stage, a.OutputSchema, null, a.Stage)),
            .. Joins.Where(j => j.IsSink).Select(j => new SinkNode(j.Stage, j.OutputSchema, null, j.Stage)),
        ];

    /// <summary>The segments that read the output of <paramref name="segment"/>, in plan order.</summary>
    public IReadOnlyList<SegmentPlan> ConsumersOf(SegmentPlan segment) =>
        Segments.Where(s => s.InputSegment == segment.Index).ToList();

    /// <summary>
    /// Whether the output of <paramref name="segment"/> is materialized as a whole batch: it feeds two or more
    /// segments, so fusion stops there and every consumer reads the same buffered batch.
    /// </summary>
    public bool IsMaterialized(SegmentPlan segment) => ConsumersOf(segment).Count >= 2;

    /// <summary>
    /// The columns of the batch <paramref name="segment"/> produces: its <see cref="SegmentPlan.OutputColumns"/> when
    /// it writes only some, else its output schema's columns.
    /// </summary>
    public IReadOnlyList<string> WrittenColumns(SegmentPlan segment) =>
        segment.OutputColumns is { } written ? written
        : Schemas.TryGetValue(segment.OutputSchema, out BatchSchema? schema)
            ? schema.Fields.Select(f => f.Name).ToList()
            : [];

    /// <summary>
    /// The conditions of <paramref name="segment"/>'s source filters that a Parquet scan can use to skip row groups
    /// (empty unless the segment reads the pipeline input).
    /// </summary>
    public IReadOnlyList<ScanPredicate> ScanPredicates(SegmentPlan segment) =>
        segment.ReadsInput
            ? segment.Stages
                .SelectMany(name => Stages.FirstOrDefault(s => s.Name == name)?.ScanPredicates ?? [])
                .ToList()
            : [];

    /// <summary>
    /// The distinct parameter types the stages take (a type several stages take appears once: they share its values),
    /// in stage order.
    /// </summary>
    public IReadOnlyList<StageParametersPlan> ParameterTypes() =>
        Stages.Where(s => s.Parameters is not null)
            .Select(s => s.Parameters!)
            .DistinctBy(p => p.TypeName, StringComparer.Ordinal)
            .ToList();

    /// <summary>The score stages whose model the run gives (<see cref="ModelPlan.RunTimeName"/>), in stage order.</summary>
    public IReadOnlyList<StagePlan> RunTimeModelStages() =>
        Stages.Where(s => s.Model?.RunTimeName is not null).ToList();
}

/// <summary>One stage of a <see cref="PipelinePlan"/>.</summary>
/// <param name="Name">The stage method's name.</param>
/// <param name="Kind">Filter or map.</param>
/// <param name="InputSchema">The schema name of the rows it receives.</param>
/// <param name="OutputSchema">The schema name of the rows it produces.</param>
/// <param name="From">The stage feeding it, or null when it reads the pipeline input.</param>
/// <param name="Vectorized">Whether its kernel reads column spans directly (false: it calls the user's method per row).</param>
/// <param name="FallbackReason">Why the kernel compiler fell back to calling the method per row, when it did.</param>
/// <param name="ScanPredicates">For a filter every input row reaches before anything else runs (a source filter):
/// the simple column-versus-constant conditions it requires, which a scan may use to prune row groups. Null or
/// empty when there are none.</param>
/// <param name="Parameters">The parameter object the stage takes after its row, or null when it takes none.</param>
/// <param name="Model">For a <c>[Score]</c> stage (a map fed by a model compiled at build time): the model; else null.</param>
public sealed record StagePlan(
    string Name,
    StageKind Kind,
    string InputSchema,
    string OutputSchema,
    string? From,
    bool Vectorized,
    string? FallbackReason,
    IReadOnlyList<ScanPredicate>? ScanPredicates = null,
    StageParametersPlan? Parameters = null,
    ModelPlan? Model = null);

/// <summary>
/// The model of a score stage, recorded in explain and in the run manifest: the file it was compiled with, or, for a
/// model given at run time (<see cref="RunTimeName"/>), only what the stage declares; the run's file and hash are then
/// in <see cref="StageParameterValues.Models"/>.
/// </summary>
/// <param name="File">The model file as the stage names it (<c>models/fraud.json</c>); empty for a run-time model.</param>
/// <param name="Sha256">The SHA-256 of the file's text as UTF-8, lower-case hex (for a file without a byte-order mark, <c>sha256sum</c>'s); empty for a run-time model.</param>
/// <param name="Description">The library, objective, trees and features (<c>XGBoost binary:logistic, 200 trees, 30 features</c>).</param>
/// <param name="Features">The input members that are its features, in the model's order.</param>
/// <param name="Output"><c>prediction</c> or <c>margin</c>: what the stage receives.</param>
public sealed record ModelPlan(string File, string Sha256, string Description, IReadOnlyList<string> Features, string Output)
{
    /// <summary>For a model given at run time (<c>[Score(ModelName = ...)]</c>), its name: <c>--model NAME=PATH</c>.</summary>
    public string? RunTimeName { get; init; }

    /// <summary>For a model given at run time, the outputs a row the stage takes (its parameters after the row).</summary>
    public int Outputs { get; init; }

    /// <summary>What the stage asks of the model.</summary>
    public ScoreOutput ScoreOutput => Output == "margin" ? Dsl.ScoreOutput.Margin : Dsl.ScoreOutput.Prediction;
}

/// <summary>A fused run of stages executed as one pass over a batch.</summary>
/// <param name="Index">Position in <see cref="PipelinePlan.Segments"/>; also the kernel's index.</param>
/// <param name="Stages">The stage names, in execution order.</param>
/// <param name="InputSegment">The segment whose output it reads, or null for the pipeline input.</param>
/// <param name="InputSchema">The schema name of its input.</param>
/// <param name="OutputSchema">The schema name of its output.</param>
/// <param name="IsSink">Whether its output is written as a pipeline output.</param>
/// <param name="ReadColumns">The input columns its kernel reads (the projection pushed into the scan).</param>
/// <param name="Execution">How its kernel runs the rows of a batch.</param>
/// <param name="NoVectorBlock">Why the kernel has no vector block (the first construct without an exact vector
/// form), when it has none.</param>
public sealed record SegmentPlan(
    int Index,
    IReadOnlyList<string> Stages,
    int? InputSegment,
    string InputSchema,
    string OutputSchema,
    bool IsSink,
    IReadOnlyList<string> ReadColumns,
    SegmentExecution Execution = SegmentExecution.Unspecified,
    VectorDecline? NoVectorBlock = null)
{
    /// <summary>
    /// Whether the segment runs only in the first pass of a plan with fit stages: it computes the rows a fit observes
    /// (the stages up to the fit's <c>From</c>, fused again on their own so the second pass's fusion is unchanged) and
    /// writes nothing.
    /// </summary>
    public bool FitOnly { get; init; }

    /// <summary>
    /// The columns of <see cref="OutputSchema"/> its output batches hold, in schema order, when they hold only some
    /// (a <see cref="FitOnly"/> segment writes just the columns its fits read, possibly none; the batch's own
    /// <see cref="RecordBatch.Schema"/> is that projection); null when they hold every column.
    /// </summary>
    public IReadOnlyList<string>? OutputColumns { get; init; }

    /// <summary>
    /// The aggregate or join stage whose output the segment reads, or null. When set, <see cref="InputSegment"/> is
    /// null and the segment runs on the barrier's output batches rather than on the pipeline input.
    /// </summary>
    public string? InputBarrier { get; init; }

    /// <summary>Whether the segment reads the pipeline input as scanned (not another segment's or a barrier's output).</summary>
    [JsonIgnore]
    public bool ReadsInput => InputSegment is null && InputBarrier is null;

    /// <summary>A readable name: the fused stage names joined by '+'.</summary>
    [JsonIgnore]
    public string Name => string.Join("+", Stages);
}

/// <summary>How a segment's kernel runs the rows of a batch.</summary>
public enum SegmentExecution
{
    /// <summary>Not recorded (a plan built by hand rather than by the generator).</summary>
    Unspecified,

    /// <summary>Whole blocks of rows run as SIMD vector code; the rows after the last whole block (and any block
    /// the vector code hands back) run the per-row code, with the same results.</summary>
    VectorBlocks,

    /// <summary>Every row runs generated per-row code over the column values: no vector block (warning DSL4002).</summary>
    PerRowCode,

    /// <summary>A stage of the segment rebuilds its input record and calls the user's method for every row
    /// (warning DSL4001), so the segment has no vector block either.</summary>
    MethodPerRow,
}

/// <summary>Why a segment's kernel has no vector block.</summary>
/// <param name="Stage">The stage holding the construct.</param>
/// <param name="Construct">The construct without an exact vector form, as the kernel compiler names it.</param>
/// <param name="Reason">Why it has none.</param>
public sealed record VectorDecline(string Stage, string Construct, string Reason)
{
    /// <summary>"in STAGE, CONSTRUCT: REASON".</summary>
    public override string ToString() => $"in {Stage}, {Construct}: {Reason}";
}

/// <summary>One pipeline output: a sink segment's rows, or an aggregate's or join's that nothing else reads.</summary>
/// <param name="Name">The stage whose rows are written (a segment's last stage, or the barrier stage): the output's name.</param>
/// <param name="OutputSchema">The schema of those rows.</param>
/// <param name="Segment">The sink segment's index, or null for a barrier.</param>
/// <param name="Barrier">The aggregate or join stage, or null for a segment.</param>
public sealed record SinkNode(string Name, string OutputSchema, int? Segment, string? Barrier);

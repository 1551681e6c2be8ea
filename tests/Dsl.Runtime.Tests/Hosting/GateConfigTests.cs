using Dsl.Execution;
using Dsl.Hosting;

namespace Dsl.Runtime.Tests.Hosting;

/// <summary><c>gates:</c> and <c>drift:</c> in pipeline.yaml: read, resolved against the plan, and every mistake named with its line.</summary>
public sealed class GateConfigTests : IDisposable
{
    private static readonly BatchSchema Trips = new(
        new ColumnField("Fare", ColumnType.Double, true),
        new ColumnField("Zone", ColumnType.String, false),
        new ColumnField("Id", ColumnType.Int64, false));

    private static readonly BatchSchema Features = new(new ColumnField("Score", ColumnType.Double, false));

    private static readonly PipelinePlan Plan = new(
        "trips",
        "Trip",
        new Dictionary<string, BatchSchema> { ["Trip"] = Trips, ["Features"] = Features },
        [new StagePlan("Score", StageKind.Map, "Trip", "Features", null, true, null)],
        [new SegmentPlan(0, ["Score"], null, "Trip", "Features", true, ["Fare"])])
    {
        Rules =
        [
            new RulePlan(0, "Trip.Fare.Range", RuleKind.Range, RuleAction.Quarantine, "Trip", "Trip", ["Fare"], 0, "Fare in [0, 500]") { Min = 0, Max = 500 },
            new RulePlan(1, "Trip.Zone.NotNull", RuleKind.NotNull, RuleAction.Warn, "Trip", "Trip", ["Zone"], 0, "Zone is not null"),
        ],
    };

    private readonly string _root = Directory.CreateTempSubdirectory("dsl-gatecfg-").FullName;

    private string ConfigPath => Path.Combine(_root, "pipeline.yaml");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Gates_ResolveToGatePlans_WithSchemasColumnsBoundsAndSeverity()
    {
        (PipelineConfig config, IReadOnlyList<ConfigProblem> problems) = ReadAndCheck("""
            gates:
              - metric: rowCount
                min: 1_000
              - metric: nullRate
                column: Fare
                max: 0.2
                severity: warn
              - metric: mean
                column: Features.Score
                min: -1
                max: 1
              - metric: quarantineRate
                rule: Trip.Fare.Range
                max: 0.01
              - metric: unique
                columns: [Id, Zone]
                id: trip-key
              - metric: rowCount
                column: Features
                max: 1e6
            """);

        Assert.Empty(problems);
        IReadOnlyList<GatePlan> gates = config.Gates(Plan);
        Assert.Equal(6, gates.Count);
        Assert.Equal(new GatePlan("rowCount", GateMetric.RowCount, "Trip", [], 1000, null, GateSeverity.Fail, "pipeline.yaml gates[0]"), gates[0] with { Columns = [] }, GateComparer.Instance);
        Assert.Equal(("nullRate(Fare)", "Trip", "Fare", (double?)0.2, GateSeverity.Warn), (gates[1].Id, gates[1].Schema, gates[1].Columns.Single(), gates[1].Max, gates[1].Severity));
        Assert.Equal(("mean(Score)", "Features", "Score", (double?)-1, (double?)1), (gates[2].Id, gates[2].Schema, gates[2].Columns.Single(), gates[2].Min, gates[2].Max));
        Assert.Equal(("quarantineRate(Trip.Fare.Range)", "Trip.Fare.Range", (double?)0.01), (gates[3].Id, gates[3].Rule, gates[3].Max));
        Assert.Equal(("trip-key", GateMetric.Unique, new[] { "Id", "Zone" }), (gates[4].Id, gates[4].Metric, gates[4].Columns.ToArray()), TupleComparer.Instance);
        Assert.Equal(("rowCount(Features)", "Features", (double?)1e6), (gates[5].Id, gates[5].Schema, gates[5].Max));
        Assert.Equal("pipeline.yaml gates[3]", gates[3].Declared);
    }

    [Theory]
    [InlineData("gates:\n  - metric: median\n    column: Fare\n    max: 1\n", 2, "gates[0]: 'metric' must be one of rowCount, nullRate, quarantineRate, mean, stdDev, min, max, distinctCount, unique.")]
    [InlineData("gates:\n  - column: Fare\n    max: 1\n", 2, "gates[0] has no 'metric:'")]
    [InlineData("gates:\n  - metric: mean\n    column: Fare\n", 2, "gates[0]: a 'mean' gate needs 'min:', 'max:' or both.")]
    [InlineData("gates:\n  - metric: mean\n    column: Fare\n    min: 5\n    max: 1\n", 2, "gates[0]: 'min' (5) is greater than 'max' (1), so no value could pass.")]
    [InlineData("gates:\n  - metric: mean\n    column: Fare\n    max: lots\n", 4, "gates[0]: 'max' must be a finite number")]
    [InlineData("gates:\n  - metric: mean\n    column: Fare\n    max: .nan\n", 4, "gates[0]: 'max' must be a finite number")]
    [InlineData("gates:\n  - metric: mean\n    column: Fare\n    max: 1\n    severity: loud\n", 5, "gates[0]: 'severity' must be 'fail' (commit nothing) or 'warn' (report and commit).")]
    [InlineData("gates:\n  - metric: mean\n    column: Fare\n    max: 1\n    colour: red\n", 5, "gates[0]: unknown setting 'colour'.")]
    [InlineData("gates:\n  - metric: mean\n    column: Tip\n    max: 1\n", 2, "gates[0]: schema 'Trip' has no column 'Tip'. Its columns are Fare, Zone, Id; name a column of another schema as Schema.Column (Features).")]
    [InlineData("gates:\n  - metric: max\n    column: Features.Fare\n    max: 1\n", 2, "gates[0]: schema 'Features' has no column 'Fare'. Its columns are Score.")]
    [InlineData("gates:\n  - metric: mean\n    column: Zone\n    max: 1\n", 2, "gates[0]: 'mean' needs a numeric column, and 'Trip.Zone' is String.")]
    [InlineData("gates:\n  - metric: nullRate\n    column: Fare\n    max: 20\n", 2, "gates[0]: a null rate is a fraction from 0 to 1.")]
    [InlineData("gates:\n  - metric: quarantineRate\n    rule: Trip.Tip.Range\n    max: 0.1\n", 2, "gates[0]: rule 'Trip.Tip.Range' is not a rule of pipeline 'trips'; its rules are Trip.Fare.Range, Trip.Zone.NotNull.")]
    [InlineData("gates:\n  - metric: unique\n", 2, "gates[0]: a unique gate needs 'columns: [A, B]' (the key) or 'column:'.")]
    [InlineData("gates:\n  - metric: unique\n    columns: [Id, Features.Score]\n", 2, "gates[0]: the key columns must belong to one schema")]
    [InlineData("gates:\n  - metric: rowCount\n    column: Nope\n    min: 1\n", 2, "gates[0]: 'column' of a rowCount gate names the schema whose rows are counted, and pipeline 'trips' has no schema 'Nope'.")]
    [InlineData("gates:\n  - metric: unique\n    columns: [Features.Score]\n", 2, "gates[0]: a unique gate checks a key of the pipeline's input, 'Trip', as the rows are read; 'Features' is not it.")]
    [InlineData("gates:\n  - metric: quarantineRate\n    rule: Trip.Zone.NotNull\n    max: 0.1\n", 2, "gates[0]: rule 'Trip.Zone.NotNull' has action Warn, so it sends no row to the quarantine and its quarantine rate is always 0.")]
    [InlineData("gates: 3\n", 1, "Setting 'gates' must be a list of gates")]
    [InlineData("gates:\n  - 3\n", 2, "Gate 1 must be a mapping")]
    [InlineData("drift:\n  maxPsi: 0.2\n", 2, "drift: 'reference:' is missing")]
    [InlineData("drift:\n  reference: ref.json\n", 2, "drift: give at least one threshold")]
    [InlineData("drift:\n  reference: ref.json\n  maxKs: 2\n", 3, "drift: 'maxKs' must be from 0 to 1.")]
    [InlineData("drift:\n  reference: ref.json\n  maxPsi: -1\n", 3, "drift: 'maxPsi' must be from 0 to any positive number.")]
    [InlineData("drift:\n  reference: ref.json\n  maxPsi: 0.1\n  bins: 10\n", 4, "drift: unknown setting 'bins'.")]
    [InlineData("drift: ref.json\n", 1, "Setting 'drift' must be a mapping")]
    public void Mistakes_AreNamedWithTheirLine(string yaml, int line, string message)
    {
        (_, IReadOnlyList<ConfigProblem> problems) = ReadAndCheck(yaml);

        ConfigProblem problem = Assert.Single(problems);
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
        Assert.Equal(line, problem.Line);
        Assert.Equal(ConfigPath, problem.File);
    }

    [Fact]
    public void Drift_ReadsTheReferenceThresholdsColumnsAndSeverity()
    {
        (PipelineConfig config, IReadOnlyList<ConfigProblem> problems) = ReadAndCheck("""
            drift:
              reference: profiles/trips.json
              maxPsi: 0.25
              maxKs: 0.1
              minPValue: 0.001
              columns: [Fare, Zone]
              severity: warn
            """);

        Assert.Empty(problems);
        DriftConfig drift = config.Drift!;
        Assert.Equal(("profiles/trips.json", (double?)0.25, (double?)0.1, (double?)0.001, GateSeverity.Warn), (drift.Reference, drift.MaxPsi, drift.MaxKs, drift.MinPValue, drift.Severity));
        Assert.Equal(["Fare", "Zone"], drift.Columns);
    }

    private (PipelineConfig, IReadOnlyList<ConfigProblem>) ReadAndCheck(string yaml)
    {
        File.WriteAllText(ConfigPath, yaml);
        return PipelineConfig.ReadAndCheck(ConfigPath, Plan);
    }

    private sealed class GateComparer : IEqualityComparer<GatePlan>
    {
        public static readonly GateComparer Instance = new();

        public bool Equals(GatePlan? x, GatePlan? y) => x is not null && y is not null
            && (x.Id, x.Metric, x.Schema, x.Min, x.Max, x.Severity, x.Declared, x.Rule) == (y.Id, y.Metric, y.Schema, y.Min, y.Max, y.Severity, y.Declared, y.Rule)
            && x.Columns.SequenceEqual(y.Columns);

        public int GetHashCode(GatePlan obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }

    private sealed class TupleComparer : IEqualityComparer<(string, GateMetric, string[])>
    {
        public static readonly TupleComparer Instance = new();

        public bool Equals((string, GateMetric, string[]) x, (string, GateMetric, string[]) y) => x.Item1 == y.Item1 && x.Item2 == y.Item2 && x.Item3.SequenceEqual(y.Item3);

        public int GetHashCode((string, GateMetric, string[]) obj) => obj.Item1.GetHashCode(StringComparison.Ordinal);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Testing;
using Dsl.Validation;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// Row rules end to end with a generated pipeline: every rule kind with each action (the Fail rule broken only in its own test), a cross-column check and a stage
/// that quarantines its row errors, run by <see cref="LocalExecutor"/> over Parquet files DuckDB wrote (row groups of
/// DuckDB's vector size, 2,048 rows, with tails that are not whole vector blocks). DuckDB SQL over the same input
/// computes, in the plan's rule order, which rule removes each row; the quarantine, the main output, the counts and
/// <c>_validation.json</c> must equal that.
/// </summary>
public sealed class ValidationEndToEndTests : IDisposable
{
    private const string Source = TestSources.Usings + """
        namespace E;

        [Schema]
        public partial record Reading(
            long Id,
            [property: Unique(AcrossDataset = false)] long Key,
            [property: Range(0, 100)] double Amount,
            [property: Range(0, 1, MinExclusive = true, MaxExclusive = true, Action = RuleAction.Warn)] double? Ratio,
            [property: NotNull(Action = RuleAction.Drop)] string? Name,
            [property: OneOf("FR", "DE", "é")] string Country,
            [property: OneOf(1, 2, 4, Action = RuleAction.Drop)] int Level,
            [property: MinLength(2), MaxLength(4, Action = RuleAction.Warn)] string? Code,
            [property: Regex("^[A-Z]{2}$", Id = "tag-format")] string Tag,
            [property: Finite(Action = RuleAction.Fail)] double? Score,
            [property: Range(-5, 5, MinExclusive = true)] int Delta,
            long Low,
            long High,
            int Parts);

        [Schema]
        public partial record Scored(long Id, string Country, double Amount, double? Ratio, long PerPart);

        [Pipeline("e2e-rules")]
        public static partial class Readings
        {
            [Check(Message = "Low is above High")]
            static bool Ordered(Reading r) => r.Low <= r.High;

            [Map(From = nameof(Ordered), OnRowError = RowErrorAction.Quarantine)]
            static Scored Score(Reading r) => new(r.Id, r.Country, r.Amount, r.Ratio, r.High / r.Parts);
        }
        """;

    private const string Columns = "Id, Key, Amount, Ratio, Name, Country, Level, Code, Tag, Score, Delta, Low, High, Parts";

    // Each rule as DuckDB SQL that is true for a row breaking it. Lengths are UTF-16 code units, as string.Length
    // counts them: DuckDB's length counts code points, so characters beyond U+FFFF count twice.
    private static readonly Dictionary<string, string> BreaksSql = new()
    {
        ["Reading.Key.Unique"] = "row_number() OVER (PARTITION BY Key ORDER BY Id) > 1",
        ["Reading.Amount.Range"] = "isnan(Amount) OR NOT (Amount >= 0 AND Amount <= 100)",
        ["Reading.Ratio.Range"] = "Ratio IS NOT NULL AND (isnan(Ratio) OR NOT (Ratio > 0 AND Ratio < 1))",
        ["Reading.Name.NotNull"] = "Name IS NULL",
        ["Reading.Country.OneOf"] = "Country NOT IN ('FR', 'DE', 'é')",
        ["Reading.Level.OneOf"] = "Level NOT IN (1, 2, 4)",
        ["Reading.Code.MinLength"] = "Code IS NOT NULL AND " + Utf16Length("Code") + " < 2",
        ["Reading.Code.MaxLength"] = "Code IS NOT NULL AND " + Utf16Length("Code") + " > 4",
        ["tag-format"] = "NOT regexp_full_match(Tag, '[A-Z]{2}')",
        ["Reading.Score.Finite"] = "Score IS NOT NULL AND NOT isfinite(Score)",
        ["Reading.Delta.Range"] = "NOT (Delta > -5 AND Delta <= 5)",
        ["Ordered"] = "Low > High",
        ["Score.RowError"] = "Parts = 0",
    };

    private readonly TempDirectory _temp = TempDirectory.Create("dsl-rules-e2e");
    private readonly LoadedSnippet _snippet = LoadedSnippet.Compile(Source);

    public ValidationEndToEndTests()
    {
        Directory.CreateDirectory(InputFolder);
        using var duck = DuckDb.Open();
        duck.Execute("SET threads = 1"); // row groups of exactly ROW_GROUP_SIZE rows, in order
        duck.CopyToParquet(SelectInput(5000, 0), Path.Combine(InputFolder, "a.parquet"), "ROW_GROUP_SIZE 2048");
        duck.CopyToParquet(SelectInput(3001, 100_000), Path.Combine(InputFolder, "b.parquet"), "ROW_GROUP_SIZE 2048");
    }

    public void Dispose()
    {
        _snippet.Dispose();
        _temp.Dispose();
    }

    private string InputFolder => _temp.Combine("in");

    private string OutputFolder => _temp.Combine("out");

    private CompiledPipeline Pipeline => _snippet.Pipeline("E.Readings");

    private static ExecutionOptions Options => new() { TargetPartitionRows = 2048, MaxParallelism = 2 };

    [Fact]
    public void Run_QuarantineMainOutputAndReport_EqualWhatDuckDbComputesOverTheSameInput()
    {
        IReadOnlyList<RulePlan> rules = Pipeline.Plan.Rules;
        Assert.Equal(BreaksSql.Keys.Order(StringComparer.Ordinal), rules.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal([RuleKind.Check, RuleKind.RowError], rules.Where(r => r.Kind is RuleKind.Check or RuleKind.RowError).Select(r => r.Kind));

        JobResult result = new LocalExecutor(Options).Run(Pipeline, InputFolder, OutputFolder);

        Assert.True(result.Partitions > 2, $"{result.Partitions} partition(s): the counts are not merged");
        using var duck = DuckDb.Open();
        duck.Execute($"CREATE TABLE routed AS {RoutedSql(rules)}");
        Assert.Equal(8001, result.Validation!.InputRows);

        // Each rule's count: the rows that reach it and break it, as DuckDB finds them; every action is exercised.
        foreach (RuleResult rule in result.Validation.Rules)
        {
            long expected = duck.QueryScalarInt64($"SELECT count(*) FROM routed WHERE {Counted(rule.Rule, rules)}");
            // The Fail rule is broken only by the file the Fail test adds.
            Assert.True(expected > 0 == (rule.Rule.Action != RuleAction.Fail), $"{expected} rows break {rule.Rule.Id}");
            Assert.True(expected == rule.Broken, $"{rule.Rule.Id}: {rule.Broken} broken, DuckDB finds {expected}");
            Assert.Equal(expected / 8001.0, rule.Rate);
        }
        Assert.Equal(
            [RuleAction.Quarantine, RuleAction.Drop, RuleAction.Fail, RuleAction.Warn],
            Enum.GetValues<RuleAction>().Where(a => rules.Any(r => r.Action == a)));

        // The quarantine: exactly the rows a Quarantine rule removed, with all their columns, the removing rule and
        // its stage, and where each row came from.
        string quarantine = $"read_parquet({DuckDb.Literal(Path.Combine(OutputFolder, "_quarantine", "Reading", "*.parquet"))})";
        string quarantined = $"removed_by IN ({string.Join(", ", rules.Where(r => r.Action == RuleAction.Quarantine).Select(r => DuckDb.Literal(r.Id)))})";
        Assert.Equal(
            duck.QueryScalarInt64($"SELECT count(*) FROM routed WHERE {quarantined}"),
            duck.QueryScalarInt64($"SELECT count(*) FROM {quarantine}"));
        AssertSameRows(duck, $"SELECT {Columns}, removed_by, filename, row_in_file FROM routed WHERE {quarantined}", $"SELECT {Columns}, _rule, _file, _row FROM {quarantine}");
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM {quarantine} WHERE _row_group <> _row // 2048 OR _line IS NOT NULL"));
        foreach (RulePlan rule in rules.Where(r => r.Action == RuleAction.Quarantine))
        {
            Assert.Equal(
                duck.QueryScalarInt64($"SELECT count(*) FROM routed WHERE removed_by = {DuckDb.Literal(rule.Id)}"),
                duck.QueryScalarInt64($"SELECT count(*) FROM {quarantine} WHERE _rule = {DuckDb.Literal(rule.Id)} AND _stage = {DuckDb.Literal(rule.Stage)}"));
        }
        Assert.Equal(
            duck.QueryScalarInt64($"SELECT count(*) FROM routed WHERE {quarantined}"),
            result.Validation.Quarantine.Single(q => q.Schema == "Reading").Rows);

        // Reasons of rows on a bound, just past it, NaN, ±∞, unicode and an empty string.
        Assert.Equal("Amount = -5E-324 is below the minimum 0", Reason(duck, quarantine, "Reading.Amount.Range", "Amount < 0 AND Amount > -1"));
        Assert.Equal("Amount = 100.00000000000001 is above the maximum 100", Reason(duck, quarantine, "Reading.Amount.Range", "Amount > 100 AND Amount < 101"));
        Assert.Equal("Amount is NaN", Reason(duck, quarantine, "Reading.Amount.Range", "isnan(Amount)"));
        Assert.Equal("Amount = -∞ is below the minimum 0", Reason(duck, quarantine, "Reading.Amount.Range", "Amount = '-inf'::DOUBLE"));
        Assert.Equal("Country = \"e\u0301\" is not one of \"FR\", \"DE\", \"é\"", Reason(duck, quarantine, "Reading.Country.OneOf", "Country = 'e' || chr(769)"));
        Assert.Equal("Country = \"😀\" is not one of \"FR\", \"DE\", \"é\"", Reason(duck, quarantine, "Reading.Country.OneOf", "Country = '😀'"));
        Assert.Equal("Code = \"\" is 0 characters, shorter than 2", Reason(duck, quarantine, "Reading.Code.MinLength", "Code = ''"));
        Assert.Equal("Tag = \"ÉT\" does not match ^[A-Z]{2}$", Reason(duck, quarantine, "tag-format", "Tag = 'ÉT'"));
        Assert.Equal("Delta = -5 equals the excluded minimum -5", Reason(duck, quarantine, "Reading.Delta.Range", "Delta = -5"));
        Assert.Equal("Low is above High", Reason(duck, quarantine, "Ordered", "true"));
        Assert.Equal("DivideByZeroException: Attempted to divide by zero.", Reason(duck, quarantine, "Score.RowError", "true"));

        // The main output: the rows no rule removed (Warn rows kept), mapped as DuckDB computes the map.
        string main = $"read_parquet({DuckDb.Literal(Path.Combine(OutputFolder, "*.parquet"))})";
        AssertSameRows(duck, "SELECT Id, Country, Amount, Ratio, High // Parts FROM routed WHERE removed_by IS NULL", $"SELECT Id, Country, Amount, Ratio, PerPart FROM {main}");
        Assert.True(duck.QueryScalarInt64($"SELECT count(*) FROM {main} WHERE Ratio <= 0 OR Ratio >= 1 OR isnan(Ratio)") > 0, "no Warn row was kept");
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM {main} m JOIN routed r USING (Id) WHERE r.removed_by IS NOT NULL"));
        foreach (RulePlan drop in rules.Where(r => r.Action == RuleAction.Drop))
        {
            // Dropped rows are neither in the output nor in the quarantine.
            Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM routed r WHERE removed_by = {DuckDb.Literal(drop.Id)} AND (Id IN (SELECT Id FROM {main}) OR Id IN (SELECT Id FROM {quarantine}))"));
        }

        // _validation.json: the same counts under each rule's outcome, and the quarantine's rows.
        using JsonDocument report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(OutputFolder, ValidationReport.FileName)));
        Assert.Equal(8001, report.RootElement.GetProperty("inputRows").GetInt64());
        foreach (JsonElement rule in report.RootElement.GetProperty("rules").EnumerateArray())
        {
            RulePlan plan = rules.Single(r => r.Id == rule.GetProperty("id").GetString());
            long expected = duck.QueryScalarInt64($"SELECT count(*) FROM routed WHERE {Counted(plan, rules)}");
            JsonElement counts = rule.GetProperty("counts");
            Assert.Equal(expected, counts.GetProperty("broken").GetInt64());
            foreach (RuleAction action in Enum.GetValues<RuleAction>())
            {
                Assert.Equal(action == plan.Action ? expected : 0, counts.GetProperty(ValidationReport.Outcome(action)).GetInt64());
            }
            Assert.All(rule.GetProperty("samples").EnumerateArray(), s => Assert.Equal(s.GetProperty("rowInRowGroup").GetInt64(), s.GetProperty("row").GetInt64() % 2048));
        }
        Assert.Equal(
            duck.QueryScalarInt64($"SELECT count(*) FROM routed WHERE {quarantined}"),
            report.RootElement.GetProperty("quarantine").EnumerateArray().Single().GetProperty("rows").GetInt64());
    }

    [Fact]
    public void Run_WithoutVectorBlocks_WritesTheSameOutputAndQuarantine()
    {
        new LocalExecutor(Options with { MaxParallelism = 1 }).Run(Pipeline, InputFolder, OutputFolder);
        string scalar = _temp.Combine("scalar");
        using (Dsl.Kernels.KernelDispatch.ScalarOnly())
        {
            new LocalExecutor(Options with { MaxParallelism = 1 }).Run(Pipeline, InputFolder, scalar);
        }

        using var duck = DuckDb.Open();
        foreach (string glob in new[] { "*.parquet", Path.Combine("_quarantine", "Reading", "*.parquet") })
        {
            AssertSameRows(duck, $"SELECT * FROM read_parquet({DuckDb.Literal(Path.Combine(OutputFolder, glob))})", $"SELECT * FROM read_parquet({DuckDb.Literal(Path.Combine(scalar, glob))})");
        }
    }

    [Fact]
    public void FailRule_StopsTheJobNamingFileRowGroupRowColumnValueAndRule_PreviousOutputAndQuarantineUntouched()
    {
        new LocalExecutor(Options).Run(Pipeline, InputFolder, OutputFolder);
        Dictionary<string, byte[]> before = Snapshot(OutputFolder);
        Assert.Contains(before.Keys, k => k.StartsWith("_quarantine", StringComparison.Ordinal));

        // A third file, valid but for one infinite Score in its second row group.
        string bad = Path.Combine(InputFolder, "c.parquet");
        using (var duck = DuckDb.Open())
        {
            duck.Execute("SET threads = 1");
            duck.CopyToParquet(
                "SELECT 200000 + range AS Id, 200000 + range AS Key, 1.0::DOUBLE AS Amount, 0.5::DOUBLE AS Ratio, 'n' AS Name, 'FR' AS Country, 1::INTEGER AS Level, "
                + "'ab' AS Code, 'AB' AS Tag, CASE WHEN range = 2100 THEN 'inf'::DOUBLE ELSE 1.0 END AS Score, 0::INTEGER AS Delta, 0::BIGINT AS Low, 1::BIGINT AS High, 1::INTEGER AS Parts FROM range(3000)",
                bad, "ROW_GROUP_SIZE 2048");
        }

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor(Options with { Force = true }).Run(Pipeline, InputFolder, OutputFolder));

        Assert.StartsWith("Rule 'Reading.Score.Finite' (", error.Message, StringComparison.Ordinal);
        Assert.Contains($"of pipeline 'e2e-rules' failed for row 52 of row group 1 (row 2100 of the file) of file '{bad}': Score = ∞ is not finite.", error.Message, StringComparison.Ordinal);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), Snapshot(OutputFolder).Keys.Order(StringComparer.Ordinal));
        Assert.All(Snapshot(OutputFolder), f => Assert.True(before[f.Key].AsSpan().SequenceEqual(f.Value), $"{f.Key} changed"));
    }

    [Fact]
    public void Validate_CountsWhatTheRunCounts_AndTheFailRuleToo_WritingNothing()
    {
        JobResult run = new LocalExecutor(Options).Run(Pipeline, InputFolder, OutputFolder);
        string input = _temp.Combine("with-bad-row");
        Directory.CreateDirectory(input);
        foreach (string file in Directory.GetFiles(InputFolder))
        {
            File.Copy(file, Path.Combine(input, Path.GetFileName(file)));
        }
        using (var duck = DuckDb.Open())
        {
            duck.CopyToParquet($"SELECT * REPLACE ('nan'::DOUBLE AS Score, 1.0::DOUBLE AS Amount, 'Ann' AS Name, 'FR' AS Country, 1 AS Level, 'ok' AS Code, 'AB' AS Tag, 0 AS Delta) FROM read_parquet({DuckDb.Literal(Path.Combine(InputFolder, "a.parquet"))}) WHERE Id = 1", Path.Combine(input, "c.parquet"));
        }

        Dictionary<string, byte[]> before = Snapshot(_temp.Path);

        ValidationReport report = new LocalExecutor(Options).Validate(Pipeline, input);

        Assert.Equal(8002, report.InputRows);
        Assert.True(report.FailRuleBroken);
        Assert.All(report.Rules, r => Assert.Equal(run.Validation!.Rules.Single(x => x.Rule.Id == r.Rule.Id).Broken + (r.Rule.Id == "Reading.Score.Finite" ? 1 : 0), r.Broken));
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), Snapshot(_temp.Path).Keys.Order(StringComparer.Ordinal));
        Assert.All(Snapshot(_temp.Path), f => Assert.True(before[f.Key].AsSpan().SequenceEqual(f.Value), $"{f.Key} changed"));
    }

    /// <summary>
    /// Rows with ids from <paramref name="first"/>, each column walking its edge values with its own period so that
    /// the combinations vary; every thousandth row repeats the key of the row before it.
    /// </summary>
    private static string SelectInput(int rows, long first) => $"""
        SELECT
            {first} + range AS Id,
            CASE WHEN range % 1000 = 999 THEN {first} + range - 1 ELSE {first} + range END AS Key,
            [0, 100, nextafter(0::DOUBLE, -1::DOUBLE), nextafter(100::DOUBLE, 101::DOUBLE), 'nan'::DOUBLE, 'inf'::DOUBLE, '-inf'::DOUBLE, 50.5, 3, 99.75, 12, 7, 64][1 + range % 13] AS Amount,
            [NULL, 0, 1, nextafter(0::DOUBLE, 1::DOUBLE), nextafter(1::DOUBLE, 0::DOUBLE), 'nan'::DOUBLE, 'inf'::DOUBLE, 0.5, 0.25, 0.75, 0.1][1 + range // 2 % 11] AS Ratio,
            [NULL, '', 'a', 'é', 'Zoë', 'Ann', 'Bob', 'Eve'][1 + range // 3 % 8] AS Name,
            ['FR', 'DE', 'é', 'e' || chr(769), 'fr', '', '😀', 'FR ', 'FR', 'DE', 'FR', 'DE', 'é', 'FR', 'DE', 'FR', 'DE'][1 + range % 17] AS Country,
            [1, 2, 4, 3, 0, -1, 2147483647, 1, 2, 4, 1, 2, 4, 1][1 + range // 5 % 14]::INTEGER AS Level,
            [NULL, '', 'a', 'ab', 'abcd', 'abcde', '😀', '😀😀', '😀😀😀', 'e' || chr(769), 'ok', 'okay', 'fine', 'go'][1 + range // 7 % 14] AS Code,
            ['AB', 'ab', 'ABC', '', 'ÉT', 'A😀', 'ZZ', 'FR', 'DE', 'XY', 'QQ', 'MN', 'OP', 'RS', 'TU', 'VW', 'XZ', 'YY', 'AA'][1 + range % 19] AS Tag,
            [NULL, 1, 1.5, 1.7976931348623157e308, -1.7976931348623157e308, 0, -0.0][1 + range // 11 % 7] AS Score,
            [-5, -4, 0, 4, 5, 6, 1, 2, 3, -1, -2, 0, 1][1 + range % 13]::INTEGER AS Delta,
            range % 17 AS Low,
            range % 17 + CASE WHEN range % 23 = 0 THEN -1 ELSE 3 END AS High,
            CASE WHEN range % 29 = 0 THEN 0 ELSE 1 + range % 3 END::INTEGER AS Parts
        FROM range({rows})
        """;

    /// <summary>
    /// The input with, for each row, the rule that removed it (<c>removed_by</c>, null for a row that reaches the
    /// output) and one <c>b_N</c> column per rule saying whether the row breaks it: unique keys first (the runtime
    /// checks them as it reads), then the other rules in plan order, a row stopping at the first non-Warn rule it breaks.
    /// </summary>
    private string RoutedSql(IReadOnlyList<RulePlan> rules)
    {
        var flags = new StringBuilder();
        foreach (RulePlan rule in rules)
        {
            flags.Append(CultureInfo.InvariantCulture, $", ({BreaksSql[rule.Id]}) AS b_{rule.Index}");
        }
        var removedBy = new StringBuilder("CASE");
        foreach (RulePlan rule in Ordered(rules).Where(r => r.Action != RuleAction.Warn))
        {
            removedBy.Append(CultureInfo.InvariantCulture, $" WHEN b_{rule.Index} THEN {DuckDb.Literal(rule.Id)}");
        }
        removedBy.Append(" END");
        string input = $"read_parquet({DuckDb.Literal(Path.Combine(InputFolder, "*.parquet"))}, filename = true, file_row_number = true)";
        return $"SELECT *, {removedBy} AS removed_by FROM (SELECT *, file_row_number AS row_in_file{flags} FROM {input})";
    }

    private static List<RulePlan> Ordered(IReadOnlyList<RulePlan> rules) =>
        [.. rules.Where(r => r.Kind == RuleKind.Unique), .. rules.Where(r => r.Kind != RuleKind.Unique).OrderBy(r => r.Index)];

    /// <summary>SQL true for the rows <paramref name="rule"/> counts: those it removed, or for Warn those it saw broken.</summary>
    private static string Counted(RulePlan rule, IReadOnlyList<RulePlan> rules)
    {
        if (rule.Action != RuleAction.Warn)
        {
            return $"removed_by = {DuckDb.Literal(rule.Id)}";
        }
        // A Warn rule sees a row unless a rule before it removed it.
        List<RulePlan> ordered = Ordered(rules);
        string[] earlier = ordered.Take(ordered.IndexOf(rule)).Where(r => r.Action != RuleAction.Warn).Select(r => DuckDb.Literal(r.Id)).ToArray();
        return earlier.Length == 0 ? $"b_{rule.Index}" : $"b_{rule.Index} AND (removed_by IS NULL OR removed_by NOT IN ({string.Join(", ", earlier)}))";
    }

    private static string Utf16Length(string column) => $"(length({column}) + length(regexp_replace({column}, '[^\\x{{10000}}-\\x{{10FFFF}}]', '', 'g')))";

    private static string? Reason(DuckDb duck, string quarantine, string rule, string where) =>
        duck.QueryScalarString($"SELECT _reason FROM {quarantine} WHERE _rule = {DuckDb.Literal(rule)} AND ({where}) ORDER BY _file, _row LIMIT 1");

    /// <summary>Both queries give the same rows, as multisets.</summary>
    private static void AssertSameRows(DuckDb duck, string expected, string actual)
    {
        long rows = duck.QueryScalarInt64($"SELECT count(*) FROM ({expected})");
        Assert.True(rows > 0, $"no rows: {expected}");
        Assert.Equal(rows, duck.QueryScalarInt64($"SELECT count(*) FROM ({actual})"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM (({expected}) EXCEPT ALL ({actual}))"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM (({actual}) EXCEPT ALL ({expected}))"));
    }

    private static Dictionary<string, byte[]> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);
}

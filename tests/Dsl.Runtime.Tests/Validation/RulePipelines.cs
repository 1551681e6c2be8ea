using Dsl.Execution;
using Dsl.Validation;

namespace Dsl.Runtime.Tests.Validation;

/// <summary>
/// A hand-written pipeline with row rules, its kernel reporting to <see cref="RowViolations"/> as generated kernels
/// do: schema T(Id long, Amount double, Country string?), one map segment copying its input, and the rules
/// <c>T.Amount.Range</c> (Amount in [0, 100], NaN refused), <c>Copy.RowError</c> (the stage "throws" for
/// Amount = 14) and optionally <c>T.Id.Unique</c>.
/// </summary>
internal static class RulePipelines
{
    public static readonly BatchSchema T = new(
        new ColumnField("Id", ColumnType.Int64, false),
        new ColumnField("Amount", ColumnType.Double, false),
        new ColumnField("Country", ColumnType.String, true));

    public const string RangeRule = "T.Amount.Range";
    public const string RowErrorRule = "Copy.RowError";
    public const string UniqueRule = "T.Id.Unique";

    /// <param name="range">The range rule's action.</param>
    /// <param name="rowErrors">Whether the stage quarantines its row errors (else it throws <see cref="StageRowException"/>).</param>
    /// <param name="unique">The unique rule's action, or null for none.</param>
    /// <param name="acrossDataset">Whether the unique rule also counts keys across partitions.</param>
    public static CompiledPipeline Pipeline(RuleAction range, bool rowErrors = true, RuleAction? unique = null, bool acrossDataset = false)
    {
        var rules = new List<RulePlan>
        {
            new(0, RangeRule, RuleKind.Range, range, "T", "T", ["Amount"], 0, "Amount in [0, 100]") { Min = 0, Max = 100 },
        };
        if (rowErrors)
        {
            rules.Add(new(1, RowErrorRule, RuleKind.RowError, RuleAction.Quarantine, "Copy", "T", [], 0, "Copy throws"));
        }
        if (unique is RuleAction u)
        {
            rules.Add(new(rules.Count, UniqueRule, RuleKind.Unique, u, "T", "T", ["Id"], 0, "Id is unique") { AcrossDataset = acrossDataset });
        }
        var plan = new PipelinePlan(
            "rules",
            "T",
            new Dictionary<string, BatchSchema> { ["T"] = T },
            [new StagePlan("Copy", StageKind.Map, "T", "T", null, false, null)],
            [new SegmentPlan(0, ["Copy"], null, "T", "T", true, ["Id", "Amount", "Country"])])
        {
            Rules = rules,
        };
        return new CompiledPipeline(plan, [Kernel(range, rowErrors)]);
    }

    // Copies the rows that stay: a broken range rule is reported and the row left out unless the action is Warn;
    // Amount = 14 is a row error (reported, or thrown as the generated code throws it).
    private static SegmentKernel Kernel(RuleAction range, bool rowErrors) => (input, violations) =>
    {
        ArgumentNullException.ThrowIfNull(violations);
        ReadOnlySpan<double> amount = input.GetPrimitive<double>("Amount", ColumnType.Double).Values;
        var keep = new List<int>();
        for (int i = 0; i < input.RowCount; i++)
        {
            double a = amount[i];
            if (!(a >= 0 && a <= 100))
            {
                violations.Add(0, i);
                if (range != RuleAction.Warn)
                {
                    continue;
                }
            }
            if (a == 14)
            {
                var error = new DivideByZeroException("Attempted to divide by zero.");
                if (!rowErrors)
                {
                    throw new StageRowException("Copy", i, error);
                }
                violations.AddError(1, i, error);
                continue;
            }
            keep.Add(i);
        }
        int[] rows = [.. keep];
        return new RecordBatch(T, [ColumnGather.Gather(input.GetPrimitive<long>("Id", ColumnType.Int64), rows), ColumnGather.Gather(input.GetPrimitive<double>("Amount", ColumnType.Double), rows), ColumnGather.Gather(input.GetString("Country"), rows)], rows.Length);
    };

    /// <summary>
    /// The input both rule and gate tests read: <paramref name="folder"/>/a.parquet (Ids 0..4,999) and b.parquet (Ids
    /// 100,000..102,999), written by DuckDB in row groups of 2,048 rows.
    /// </summary>
    public static void WriteInput(string folder)
    {
        Directory.CreateDirectory(folder);
        using var duck = Dsl.Testing.DuckDb.Open();
        duck.CopyToParquet(SelectInput(5000, 0), Path.Combine(folder, "a.parquet"), "ROW_GROUP_SIZE 2048");
        duck.CopyToParquet(SelectInput(3000, 100_000), Path.Combine(folder, "b.parquet"), "ROW_GROUP_SIZE 2048");
    }

    /// <summary>
    /// The input written by DuckDB: Id = <paramref name="first"/> + row, Amount cycling through in-range values with
    /// -3.5, NaN, the bounds 0 and 100, 100.5, ∞ and 13 mixed in, Country null every 7th row; row groups of 2,048 (the test writes them so).
    /// </summary>
    public static string SelectInput(int rows, long first) =>
        $"SELECT ({first} + range)::BIGINT AS Id, "
        + "CASE WHEN range % 10 = 3 THEN -3.5 WHEN range % 17 = 0 THEN 'nan'::DOUBLE WHEN range % 19 = 0 THEN 100.0 WHEN range % 29 = 0 THEN 100.5 "
        + "WHEN range % 31 = 0 THEN 'inf'::DOUBLE ELSE (range % 100)::DOUBLE END AS Amount, "
        + $"CASE WHEN range % 7 = 0 THEN NULL ELSE 'C' || (range % 5)::VARCHAR END AS Country FROM range({rows})";
}

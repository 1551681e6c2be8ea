using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Validation;

namespace Dsl.Generators.Tests.Validation;

/// <summary>
/// Member rules compiled into the kernel: over rows on each bound, just past it, NaN, ±∞, null, empty strings and
/// unicode, the (rule, row) pairs the kernel reports and the rows it keeps equal a plain C# evaluation of the same
/// rules, in order, with vector blocks on and off.
/// </summary>
public sealed class MemberRuleKernelTests
{
    private static readonly double[] Amounts = [0, 100, Math.BitDecrement(0), Math.BitIncrement(100), 50, double.NaN, double.PositiveInfinity, double.NegativeInfinity];
    private static readonly double?[] Ratios = [null, 0, 10, Math.BitIncrement(0), Math.BitDecrement(10), double.NaN, 5];
    private static readonly string?[] Names = [null, "", "a", "é"];
    private static readonly string[] Countries = ["FR", "DE", "fr", "", "é", "e\u0301", "😀", "FR "];
    private static readonly string?[] Codes = [null, "", "a", "ab", "abcd", "abcde", "😀", "😀😀😀", "e\u0301"];
    private static readonly string[] Tags = ["AB", "ab", "ABC", "", "ÉT", "A😀", "ZZ"];
    private static readonly double?[] Scores = [null, 1, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.MinValue];
    private static readonly int[] Levels = [1, 2, 3, 4, 0, -1, int.MaxValue];
    private static readonly long[] Counts = [1, 2, 9, 10, long.MinValue, long.MaxValue, 5];
    private static readonly float[] Shares = [0f, 0.1f, (float)0.1 + 1e-9f, float.NaN, 0.05f, -0f, float.Epsilon, MathF.BitIncrement(0.1f)];

    [Fact]
    public void MemberRules_ReportAndRouteRowsLikeAPlainEvaluation()
    {
        using var snippet = LoadedSnippet.Compile(RuleSources.MemberRules);
        PipelinePlan plan = snippet.Pipeline("S.Rules").Plan;
        Assert.Equal(
            ["V.Amount.Range", "V.Ratio.Range", "V.Name.NotNull", "V.Country.OneOf", "V.Code.MinLength", "V.Code.MaxLength",
             "tag-format", "V.Score.Finite", "V.Level.OneOf", "V.Count.Range", "V.Share.Range"],
            plan.Rules.Select(r => r.Id));
        Assert.Contains("for (; i < vectorEnd; i += 4)", snippet.Run.GeneratedSource("S.Rules.Kernel_NotThree.g.cs"), StringComparison.Ordinal);

        Type schema = snippet.Type("S.V");
        foreach (int size in new[] { 0, 1, 4, 7, 64, 1001 })
        {
            List<object> rows = Rows(schema, size);
            foreach (bool vectors in new[] { true, false })
            {
                using IDisposable? scalar = vectors ? null : Dsl.Kernels.KernelDispatch.ScalarOnly();
                var violations = new RowViolations();
                using RecordBatch input = LoadedSnippet.ToBatch(schema, rows);
                using RecordBatch output = snippet.Pipeline("S.Rules").Kernels[0](input, violations);
                (List<(int Rule, int Row)> expectedPairs, List<int> kept) = Reference(plan, rows);
                Assert.Equal(expectedPairs.Order(), Pairs(violations).Order());
                Assert.Equal(kept.Count, output.RowCount);
                List<object> written = LoadedSnippet.ReadRows(schema, output);
                Assert.Equal(kept.Select(k => rows[k]), written);
            }
        }
    }

    [Fact]
    public void KernelWithRules_RefusesToRunWithoutViolations()
    {
        using var snippet = LoadedSnippet.Compile(RuleSources.MemberRules);
        Type schema = snippet.Type("S.V");
        using RecordBatch input = LoadedSnippet.ToBatch(schema, Rows(schema, 3));
        var error = Assert.Throws<ArgumentNullException>(() => snippet.Pipeline("S.Rules").Kernels[0](input));
        Assert.Contains("Segment 0 checks row rules", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Rows that walk each member through its edge values, with co-prime periods so the combinations vary.</summary>
    private static List<object> Rows(Type schema, int count)
    {
        var rows = new List<object>();
        for (int r = 0; r < count; r++)
        {
            rows.Add(Activator.CreateInstance(schema,
                Amounts[r % Amounts.Length], Ratios[r / 2 % Ratios.Length], Names[r / 3 % Names.Length], Countries[r % Countries.Length],
                Codes[r / 5 % Codes.Length], Tags[r % Tags.Length], Scores[r / 7 % Scores.Length], Levels[r % Levels.Length],
                Counts[r / 11 % Counts.Length], Shares[r % Shares.Length])!);
        }
        return rows;
    }

    /// <summary>The rules in the plan's order, each row stopping at the first rule that removes it, then the filter.</summary>
    private static (List<(int Rule, int Row)> Pairs, List<int> Kept) Reference(PipelinePlan plan, List<object> rows)
    {
        var pairs = new List<(int, int)>();
        var kept = new List<int>();
        for (int r = 0; r < rows.Count; r++)
        {
            dynamic v = rows[r];
            bool alive = true;
            foreach (RulePlan rule in plan.Rules)
            {
                if (Passes(rule.Id, v))
                {
                    continue;
                }
                pairs.Add((rule.Index, r));
                if (rule.Action != RuleAction.Warn)
                {
                    alive = false;
                    break;
                }
            }
            if (alive && v.Level != 3)
            {
                kept.Add(r);
            }
        }
        return (pairs, kept);
    }

    private static bool Passes(string id, dynamic v) => id switch
    {
        "V.Amount.Range" => v.Amount >= 0 && v.Amount <= 100,
        "V.Ratio.Range" => v.Ratio is null || (v.Ratio > 0 && v.Ratio < 10),
        "V.Name.NotNull" => v.Name is not null,
        "V.Country.OneOf" => v.Country == "FR" || v.Country == "DE" || v.Country == "é",
        "V.Code.MinLength" => v.Code is null || ((string)v.Code).Length >= 2,
        "V.Code.MaxLength" => v.Code is null || ((string)v.Code).Length <= 4,
        "tag-format" => System.Text.RegularExpressions.Regex.IsMatch((string)v.Tag, "^[A-Z]{2}$"),
        "V.Score.Finite" => v.Score is null || double.IsFinite((double)v.Score),
        "V.Level.OneOf" => v.Level == 1 || v.Level == 2 || v.Level == 4,
        "V.Count.Range" => v.Count >= 1.5 && v.Count <= 9.5,
        "V.Share.Range" => (double)v.Share >= 0 && (double)v.Share <= 0.1,
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "no reference for this rule"),
    };

    internal static List<(int Rule, int Row)> Pairs(RowViolations violations)
    {
        var pairs = new List<(int, int)>();
        for (int p = 0; p < violations.Count; p++)
        {
            pairs.Add((violations.Rules[p], violations.Rows[p]));
        }
        return pairs;
    }
}

using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Validation;

namespace Dsl.Generators.Tests.Validation;

/// <summary>
/// Check stages, a rule on a map's output and row errors: the kernel reports (rule, row) pairs and keeps the rows a
/// plain C# evaluation gives, with vector blocks on and off; a quarantined row error keeps its exception's message.
/// </summary>
public sealed class CheckKernelTests
{
    [Fact]
    public void Checks_MapOutputRules_AndRowErrors_ReportLikeAPlainEvaluation()
    {
        using var snippet = LoadedSnippet.Compile(RuleSources.Checks);
        StageParameterValues parameters = new StageParameterValues().Set("Limits", "MaxFare", 60.0);
        CompiledPipeline compiled = snippet.Pipeline("S.Trips").WithParameters(parameters);
        PipelinePlan plan = compiled.Plan;
        Assert.Equal(["Ordered", "Cheap", "Price.RowError", "Priced.PerPassenger.Range"], plan.Rules.Select(r => r.Id));
        Assert.Equal([RuleKind.Check, RuleKind.Check, RuleKind.RowError, RuleKind.Range], plan.Rules.Select(r => r.Kind));
        Assert.Equal("t.Dropoff >= t.Pickup", plan.Rules[0].Description);
        Assert.Equal("drop-off before pick-up", plan.Rules[0].Message);
        Assert.Equal(["Pickup", "Dropoff"], plan.Rules[0].Columns);
        Assert.Equal("Price", plan.Rules[3].Stage);
        Assert.Equal(StageKind.Check, plan.Stages[0].Kind);

        Type schema = snippet.Type("S.Trip");
        var start = new DateTime(2024, 1, 1, 8, 0, 0, DateTimeKind.Unspecified);
        foreach (int size in new[] { 1, 4, 9, 130 })
        {
            var rows = new List<object>();
            for (int r = 0; r < size; r++)
            {
                DateTime pickup = start.AddMinutes(r);
                DateTime dropoff = pickup.AddMinutes((r % 5) - 1); // r % 5 == 0: before the pick-up
                double fare = r % 3 == 0 ? 75 : 20 + (r % 40);
                int passengers = r % 7 == 3 ? 0 : 1 + (r % 2);
                rows.Add(Activator.CreateInstance(schema, (long)r, pickup, dropoff, fare, passengers)!);
            }
            foreach (bool vectors in new[] { true, false })
            {
                using IDisposable? scalar = vectors ? null : Dsl.Kernels.KernelDispatch.ScalarOnly();
                var violations = new RowViolations();
                using RecordBatch input = LoadedSnippet.ToBatch(schema, rows);
                using RecordBatch output = compiled.Kernels[0](input, violations);

                var expected = new List<(int, int)>();
                var kept = new List<long>();
                for (int r = 0; r < size; r++)
                {
                    dynamic t = rows[r];
                    if (!(t.Dropoff >= t.Pickup))
                    {
                        expected.Add((0, r));
                        continue;
                    }
                    if (!(t.Fare <= 60.0))
                    {
                        expected.Add((1, r)); // warn: kept
                    }
                    if (t.Passengers == 0)
                    {
                        expected.Add((2, r)); // the integer division throws
                        continue;
                    }
                    double perPassenger = t.Fare / t.Passengers;
                    if (!(perPassenger >= 0 && perPassenger <= 50))
                    {
                        expected.Add((3, r));
                        continue;
                    }
                    kept.Add(t.Id);
                }
                Assert.Equal(expected.Order(), MemberRuleKernelTests.Pairs(violations).Order());
                Assert.Equal(kept, output.GetPrimitive<long>("Id", ColumnType.Int64).Values.ToArray());
                for (int p = 0; p < violations.Count; p++)
                {
                    Assert.Equal(violations.Rules[p] == 2 ? "DivideByZeroException: Attempted to divide by zero." : null, violations.MessageOf(p));
                }
            }
        }
    }
}

using Dsl.Execution;
using Dsl.Execution.Commit;

namespace Dsl.Validation;

/// <summary>Adds up the partitions' validation states into the run's <see cref="ValidationReport"/>.</summary>
internal static class ValidationSummary
{
    /// <summary>
    /// The report of a run whose partitions committed <paramref name="tasks"/> (in partition order): counts summed,
    /// samples concatenated, and for each dataset-wide unique rule the keys shared between partitions counted from
    /// the tasks' sorted hash files (one streaming merge per rule).
    /// </summary>
    public static ValidationReport Build(PipelinePlan plan, ValidationLayout layout, IReadOnlyList<TaskOutput> tasks)
    {
        long inputRows = tasks.Sum(t => t.Validation?.InputRows ?? 0);
        var rules = new List<RuleResult>();
        foreach (RulePlan rule in plan.Rules)
        {
            long broken = tasks.Sum(t => t.Validation?.Broken[rule.Index] ?? 0);
            long duplicates = 0;
            if (rule.Kind == RuleKind.Unique)
            {
                duplicates = broken;
                int u = IndexOf(layout.UniqueAcross, rule);
                if (u >= 0)
                {
                    int output = layout.FirstUniqueSink + u;
                    duplicates += UniqueKeyFiles.CountSharedKeys(tasks.SelectMany(t => t.Parts.Where(p => p.Sink == output)).Select(p => p.Path).ToArray());
                }
            }
            rules.Add(new RuleResult(
                rule,
                broken,
                inputRows == 0 ? 0 : broken / (double)inputRows,
                tasks.SelectMany(t => t.Validation?.Samples[rule.Index] ?? []).ToArray())
            {
                DuplicateKeys = duplicates,
            });
        }
        var quarantine = new List<QuarantineResult>();
        for (int q = 0; q < layout.QuarantineSchemas.Count; q++)
        {
            int output = layout.FirstQuarantineSink + q;
            PartFile[] parts = tasks.SelectMany(t => t.Parts.Where(p => p.Sink == output)).ToArray();
            quarantine.Add(new QuarantineResult(layout.QuarantineSchemas[q], layout.Folder(output), parts.Sum(p => p.Rows), parts.Length));
        }
        return new ValidationReport(plan.Name, inputRows, rules, quarantine) { QuarantinedRows = tasks.Sum(t => t.Validation?.QuarantinedRows ?? 0) };
    }

    private static int IndexOf(IReadOnlyList<RulePlan> rules, RulePlan rule)
    {
        for (int i = 0; i < rules.Count; i++)
        {
            if (rules[i] == rule)
            {
                return i;
            }
        }
        return -1;
    }
}

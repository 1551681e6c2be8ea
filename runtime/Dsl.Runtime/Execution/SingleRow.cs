using Dsl.Validation;

namespace Dsl.Execution;

/// <summary>Runs one row through the kernels of a compiled pipeline (<see cref="CompiledPipeline.ScoreOne"/>).</summary>
internal static class SingleRow
{
    public static TOut? Run<TIn, TOut>(CompiledPipeline pipeline, TIn row)
        where TIn : IRowSchema<TIn>
        where TOut : class, IRowSchema<TOut>
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        IReadOnlyList<SegmentPlan> chain = Chain(pipeline.Plan, typeof(TIn).Name, typeof(TOut).Name);
        RecordBatch batch = TIn.ToBatch([row]);
        var violations = new RowViolations();
        try
        {
            foreach (SegmentPlan segment in chain)
            {
                RecordBatch next = pipeline.Kernels[segment.Index](batch, violations);
                batch.Dispose();
                batch = next;
                Refuse(pipeline.Plan, violations);
                if (batch.RowCount == 0)
                {
                    return null;
                }
            }
            return TOut.ReadRow(batch, 0);
        }
        finally
        {
            batch.Dispose();
        }
    }

    /// <summary>The second-pass segments from the pipeline input of schema <paramref name="input"/> to the one writing <paramref name="output"/>.</summary>
    private static List<SegmentPlan> Chain(PipelinePlan plan, string input, string output)
    {
        foreach (SegmentPlan last in plan.Segments.Where(s => !s.FitOnly && s.OutputSchema == output))
        {
            var chain = new List<SegmentPlan> { last };
            SegmentPlan current = last;
            while (current.InputSegment is int previous)
            {
                current = plan.Segments[previous];
                chain.Insert(0, current);
            }
            if (current.InputSchema == input && plan.InputSchema == input)
            {
                return chain;
            }
        }
        throw new InvalidOperationException(
            $"Pipeline '{plan.Name}' has no chain of row stages from its input {input} to a {output} row: ScoreOne runs filters, maps, checks and score stages on one row, and "
            + (plan.InputSchema == input ? $"no such chain ends in {output} (an aggregate or join between them needs every row)." : $"the pipeline reads {plan.InputSchema}, not {input}."));
    }

    private static void Refuse(PipelinePlan plan, RowViolations violations)
    {
        for (int i = 0; i < violations.Count; i++)
        {
            RulePlan rule = plan.Rules[violations.Rules[i]];
            if (rule.Action is RuleAction.Quarantine or RuleAction.Fail)
            {
                throw new RowRejectedException(rule.Id, rule.Action, violations.MessageOf(i) ?? rule.Description);
            }
        }
        violations.Clear();
    }
}

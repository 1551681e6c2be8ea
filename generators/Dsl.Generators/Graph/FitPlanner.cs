using System.Collections.Generic;
using System.Linq;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Model;

namespace Dsl.Generators.Graph;

/// <summary>
/// 7. Fit stages, after the second pass is wired, fused and its rules placed (which fits never change: a fit is no
/// consumer of its From stage, so it neither stops fusion nor materializes anything). Each fit is wired like a row
/// stage (From, else the unique stage producing its row schema, else the pipeline input); fits are ordered so that a
/// fit observing a stage that takes another fit's record comes after that fit (DSL3013 when a fit would need its own
/// record); and the stages from the input up to each fit's From stage are fused again, on their own, into first-pass
/// segments (<see cref="SegmentSpec.FitOnly"/>) appended after the second pass's, which keep their indices. A
/// first-pass segment splits where the second pass's would (a stage reading another schema than its producer
/// writes), checks the rules the second pass checks on its stages (<see cref="PipelineSpec.KernelRules"/>), reads
/// only the columns its stages, those rules and its fits need, and, when no other first-pass segment reads it, writes
/// only the columns its fits read.
/// </summary>
internal static class FitPlanner
{
    /// <summary>The fits in order and every segment, or null when a diagnostic was added to <paramref name="diagnostics"/>.</summary>
    /// <param name="pipelineName">The name given to [Pipeline].</param>
    /// <param name="fits">The parsed fits, in declaration order.</param>
    /// <param name="inputSchema">The pipeline input schema's full type name.</param>
    /// <param name="stages">The wired row stages, in topological order.</param>
    /// <param name="segments">The second pass's segments.</param>
    /// <param name="schemas">The schemas the row stages use.</param>
    /// <param name="rules">The placed row rules.</param>
    /// <param name="declared">Every row stage that was parsed, including those left out of the plan as unreachable.</param>
    /// <param name="diagnostics">Receives the problems.</param>
    public static (List<FitSpec> Fits, List<SegmentSpec> Segments)? Plan(
        string pipelineName,
        IReadOnlyList<FitDraft> fits,
        string inputSchema,
        List<StageSpec> stages,
        List<SegmentSpec> segments,
        List<SchemaSpec> schemas,
        List<RulePlacementSpec> rules,
        IReadOnlyList<StageDraft> declared,
        List<DiagnosticInfo> diagnostics)
    {
        if (fits.Count == 0)
        {
            return (new List<FitSpec>(), segments);
        }
        var byName = stages.ToDictionary(s => s.Name, System.StringComparer.Ordinal);
        string inputName = schemas.First(s => s.FullTypeName == inputSchema).Name;
        if (Wire(pipelineName, fits, inputSchema, inputName, stages, schemas, byName, declared, diagnostics) is not { } wired
            || !BeforeBarriers(pipelineName, wired, byName, diagnostics)
            || !UniqueRecords(pipelineName, wired, diagnostics)
            || Order(pipelineName, wired, byName, diagnostics) is not { } order)
        {
            return null;
        }
        foreach ((FitDraft fit, _) in wired)
        {
            if (!stages.Any(s => s.Parameters?.FullTypeName == fit.Parameters.FullTypeName))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FitRecordUnused, fit.ReturnTypeLocation ?? fit.Location, fit.Name, pipelineName, fit.Parameters.Name));
            }
        }

        var all = new List<SegmentSpec>(segments);
        var fitSegment = new Dictionary<string, int?>(System.StringComparer.Ordinal);
        foreach ((FitDraft fit, StageSpec? producer) in order)
        {
            fitSegment[fit.Name] = producer is null ? null : FirstPassSegments(Chain(producer, byName), all);
        }
        var observed = new List<SegmentSpec>(all.Count);
        foreach (SegmentSpec segment in all)
        {
            if (!segment.FitOnly)
            {
                observed.Add(segment);
                continue;
            }
            SchemaSpec output = schemas.First(s => s.FullTypeName == segment.OutputSchema);
            EquatableArray<string>? written = all.Any(s => s.FitOnly && s.InputSegment == segment.Index)
                ? null
                : FitColumns(output, order.Where(f => fitSegment[f.Fit.Name] == segment.Index).Select(f => f.Fit));
            SegmentSpec projected = segment with { OutputColumns = written };
            observed.Add(projected with { ReadColumns = ReadColumns(projected, stages, schemas, all, rules, inputName) });
        }

        var specs = new List<FitSpec>(order.Count);
        foreach ((FitDraft fit, StageSpec? producer) in order)
        {
            specs.Add(new FitSpec(fit.Name, fit.Input.FullTypeName, producer?.Name, fitSegment[fit.Name], fit.Parameters, fit.Requests));
        }
        return (specs, observed);
    }

    /// <summary>Each fit with the stage it observes (null: the pipeline input); fits from a stage left out of the plan are left out too.</summary>
    private static List<(FitDraft Fit, StageSpec? Producer)>? Wire(
        string pipelineName,
        IReadOnlyList<FitDraft> fits,
        string inputSchema,
        string inputName,
        List<StageSpec> stages,
        List<SchemaSpec> schemas,
        Dictionary<string, StageSpec> byName,
        IReadOnlyList<StageDraft> declared,
        List<DiagnosticInfo> diagnostics)
    {
        var wired = new List<(FitDraft, StageSpec?)>();
        bool failed = false;
        foreach (FitDraft fit in fits)
        {
            if (fit.From is { } from)
            {
                if (byName.TryGetValue(from, out StageSpec? source))
                {
                    if (source.OutputSchema != fit.Input.FullTypeName)
                    {
                        string produced = schemas.First(s => s.FullTypeName == source.OutputSchema).Name;
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FromSchemaMismatch, fit.FromLocation ?? fit.Location, fit.Name, fit.Input.Name, source.Name, produced));
                        failed = true;
                    }
                    else
                    {
                        wired.Add((fit, source));
                    }
                }
                else if (!declared.Any(d => d.Name == from))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FromStageNotFound, fit.FromLocation ?? fit.Location, fit.Name, from, pipelineName)
                        .WithProperty(DiagnosticProperties.Stages, string.Join(",", stages.Select(s => s.Name))));
                    failed = true;
                }
                // Else From names a stage left out as unreachable (DSL3006 says so): the fit never runs either.
                continue;
            }
            List<StageSpec> candidates = stages.Where(s => s.OutputSchema == fit.Input.FullTypeName).ToList();
            if (candidates.Count == 1)
            {
                wired.Add((fit, candidates[0]));
            }
            else if (candidates.Count > 1)
            {
                string names = string.Join(", ", candidates.Select(c => "'" + c.Name + "'"));
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StageInputAmbiguous, fit.Location, fit.Name, fit.Input.Name, names, pipelineName)
                    .WithProperty(DiagnosticProperties.Candidates, string.Join(",", candidates.Select(c => c.Name))));
                failed = true;
            }
            else if (fit.Input.FullTypeName == inputSchema)
            {
                wired.Add((fit, null));
            }
            else
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PipelineInputSchemasDiffer, fit.InputTypeLocation ?? fit.Location, fit.Name, fit.Input.Name, pipelineName, inputName));
                failed = true;
            }
        }
        return failed ? null : wired;
    }

    /// <summary>
    /// DSL3017 for every fit observing the output of an aggregate or join, directly or through later stages: the first
    /// pass runs only row stages over the input.
    /// </summary>
    private static bool BeforeBarriers(string pipelineName, List<(FitDraft Fit, StageSpec? Producer)> wired, Dictionary<string, StageSpec> byName, List<DiagnosticInfo> diagnostics)
    {
        bool valid = true;
        foreach ((FitDraft fit, StageSpec? producer) in wired)
        {
            if (producer is null || Chain(producer, byName).LastOrDefault(s => s.Kind is StageKindSpec.Aggregate or StageKindSpec.Join) is not { } barrier)
            {
                continue;
            }
            string kind = barrier.Kind == StageKindSpec.Aggregate ? "aggregate" : "join";
            string rows = barrier.Name == producer.Name
                ? "the output of " + kind + " stage '" + barrier.Name + "'"
                : "which come after " + kind + " stage '" + barrier.Name + "'";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FitAfterBarrier, fit.FromLocation ?? fit.Location, fit.Name, pipelineName, producer.Name, rows, barrier.Name));
            valid = false;
        }
        return valid;
    }

    /// <summary>DSL3014 for every fit after the first that returns a record type: stage parameter values are keyed by type.</summary>
    private static bool UniqueRecords(string pipelineName, List<(FitDraft Fit, StageSpec? Producer)> wired, List<DiagnosticInfo> diagnostics)
    {
        bool unique = true;
        var first = new Dictionary<string, FitDraft>(System.StringComparer.Ordinal);
        foreach ((FitDraft fit, _) in wired)
        {
            if (first.TryGetValue(fit.Parameters.FullTypeName, out FitDraft? earlier))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FitRecordNotUnique, fit.ReturnTypeLocation ?? fit.Location, fit.Name, pipelineName, earlier.Name, fit.Parameters.Name));
                unique = false;
            }
            else
            {
                first.Add(fit.Parameters.FullTypeName, fit);
            }
        }
        return unique;
    }

    /// <summary>
    /// The fits in an order where each comes after the fits whose records the stages it observes take (stable in
    /// declaration order); null with DSL3013 when a fit needs its own record, directly or through other fits.
    /// </summary>
    private static List<(FitDraft Fit, StageSpec? Producer)>? Order(string pipelineName, List<(FitDraft Fit, StageSpec? Producer)> wired, Dictionary<string, StageSpec> byName, List<DiagnosticInfo> diagnostics)
    {
        int count = wired.Count;
        var fitOfType = new Dictionary<string, int>(System.StringComparer.Ordinal);
        for (int f = 0; f < count; f++)
        {
            fitOfType[wired[f].Fit.Parameters.FullTypeName] = f;
        }
        // needs[f]: the fits whose records a stage observed by f takes, with the first such stage.
        var needs = new List<(int Fit, StageSpec Stage)>[count];
        for (int f = 0; f < count; f++)
        {
            needs[f] = new List<(int, StageSpec)>();
            if (wired[f].Producer is not { } producer)
            {
                continue;
            }
            foreach (StageSpec stage in Chain(producer, byName))
            {
                if (stage.Parameters is { } taken && fitOfType.TryGetValue(taken.FullTypeName, out int g) && !needs[f].Any(n => n.Fit == g))
                {
                    needs[f].Add((g, stage));
                }
            }
        }

        var order = new List<int>(count);
        bool[] placed = new bool[count];
        bool progress = true;
        while (order.Count < count && progress)
        {
            progress = false;
            for (int f = 0; f < count; f++)
            {
                if (!placed[f] && needs[f].All(n => placed[n.Fit]))
                {
                    placed[f] = true;
                    order.Add(f);
                    progress = true;
                }
            }
        }
        if (order.Count == count)
        {
            return order.Select(f => wired[f]).ToList();
        }

        // Follow unplaced needs from the first unplaced fit until a fit repeats: that loop is the cycle.
        var path = new List<(int Fit, StageSpec Stage, int Next)>();
        int at = Enumerable.Range(0, count).First(f => !placed[f]);
        while (!path.Any(p => p.Fit == at))
        {
            (int next, StageSpec stage) = needs[at].First(n => !placed[n.Fit]);
            path.Add((at, stage, next));
            at = next;
        }
        List<(int Fit, StageSpec Stage, int Next)> cycle = path.Skip(path.FindIndex(p => p.Fit == at)).ToList();
        int start = cycle.FindIndex(p => p.Fit == cycle.Min(c => c.Fit));
        cycle = cycle.Skip(start).Concat(cycle.Take(start)).ToList();
        string text = string.Join("; ", cycle.Select(p =>
            "'" + wired[p.Fit].Fit.Name + "' observes '" + p.Stage.Name + "', which takes '" + p.Stage.Parameters!.Name + "' from fit '" + wired[p.Next].Fit.Name + "'"));
        FitDraft reported = wired[cycle[0].Fit].Fit;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FitNeedsItsOwnRecord, reported.FromLocation ?? reported.Location, reported.Name, pipelineName, text));
        return null;
    }

    /// <summary>The stages from the pipeline input to <paramref name="last"/>, in data-flow order.</summary>
    private static List<StageSpec> Chain(StageSpec last, Dictionary<string, StageSpec> byName)
    {
        var chain = new List<StageSpec>();
        for (StageSpec? at = last; at is not null; at = at.From is { } from ? byName[from] : null)
        {
            chain.Add(at);
        }
        chain.Reverse();
        return chain;
    }

    /// <summary>
    /// Adds the first-pass segments that run <paramref name="chain"/> to <paramref name="segments"/>, reusing any
    /// already there (two fits of one From share them), and returns the index of the last.
    /// </summary>
    private static int FirstPassSegments(List<StageSpec> chain, List<SegmentSpec> segments)
    {
        int? input = null;
        int start = 0;
        for (int i = 1; i <= chain.Count; i++)
        {
            // A stage reading another schema than its producer writes starts a segment, as in the second pass.
            if (i < chain.Count && chain[i].InputSchema == chain[i - 1].OutputSchema)
            {
                continue;
            }
            List<StageSpec> run = chain.GetRange(start, i - start);
            EquatableArray<string> names = run.Select(s => s.Name).ToEquatableArray();
            SegmentSpec? existing = segments.FirstOrDefault(s => s.FitOnly && s.InputSegment == input && s.Stages.Equals(names));
            if (existing is null)
            {
                existing = new SegmentSpec(segments.Count, names, input, run[0].InputSchema, run[run.Count - 1].OutputSchema, false, EquatableArray<string>.Empty) { FitOnly = true };
                segments.Add(existing);
            }
            input = existing.Index;
            start = i;
        }
        return input!.Value;
    }

    /// <summary>The columns of <paramref name="output"/> that <paramref name="fits"/> read, in schema order.</summary>
    private static EquatableArray<string> FitColumns(SchemaSpec output, IEnumerable<FitDraft> fits)
    {
        var read = new HashSet<string>(fits.SelectMany(f => f.Requests).Select(r => r.Column), System.StringComparer.Ordinal);
        return output.Columns.Where(c => read.Contains(c.ColumnName)).Select(c => c.ColumnName).ToEquatableArray();
    }

    /// <summary>
    /// What a first-pass segment's kernel reads: the members its stages read up to and including the first map, the
    /// columns of the input rules it checks (when it reads the input) and, with no map, the columns it writes (it
    /// gathers them from its input). Unlike a second-pass segment that quarantines, it needs no other column: the
    /// runtime discards the first pass's violations, so no quarantined row is ever written from it.
    /// </summary>
    private static EquatableArray<string> ReadColumns(SegmentSpec segment, List<StageSpec> stages, List<SchemaSpec> schemas, List<SegmentSpec> all, List<RulePlacementSpec> rules, string inputName)
    {
        SchemaSpec input = schemas.First(s => s.FullTypeName == segment.InputSchema);
        var members = new HashSet<string>(System.StringComparer.Ordinal);
        var columns = new HashSet<string>(System.StringComparer.Ordinal);
        bool sawMap = false;
        foreach (string name in segment.Stages)
        {
            StageSpec stage = stages.First(s => s.Name == name);
            members.UnionWith(stage.Kernel.ReadMembers);
            if (stage.Kind == StageKindSpec.Map)
            {
                sawMap = true;
                break;
            }
        }
        if (!sawMap)
        {
            columns.UnionWith(segment.OutputColumns ?? input.Columns.Select(c => c.ColumnName).ToEquatableArray());
        }
        foreach (RulePlacementSpec rule in PipelineSpec.FitOnlyRules(segment, all, rules, inputName))
        {
            if (rule.After is null && rule.Predicate is not null)
            {
                columns.UnionWith(rule.Columns);
            }
        }
        return input.Columns.Where(c => members.Contains(c.MemberName) || columns.Contains(c.ColumnName)).Select(c => c.ColumnName).ToEquatableArray();
    }
}

using System.Collections.Generic;
using System.Linq;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Kernels;
using Dsl.Generators.Model;

namespace Dsl.Generators.Graph;

/// <summary>
/// 6. Where each row rule is checked, after wiring and fusion. A segment's kernel checks, in this order: when it
/// reads the pipeline input, the input schema's member rules (members in schema order, each member's rules in
/// declaration order); then, stage by stage, a stage's row errors (when it quarantines them), a check stage's own
/// condition, and after a map the member rules of its output schema. A row a rule removes is not checked by the later
/// ones. Uniqueness is checked by the runtime on the input of the first segment that reads it. The rules' columns
/// join the segment's read columns; a segment that may quarantine reads every column of its input, because the
/// quarantine holds the whole input row. A pipeline whose input has rules gets no scan predicates: a row group
/// pruned by a filter's predicate would hide rows the rules must see.
/// </summary>
internal static class RulePlacement
{
    public static (List<RulePlacementSpec> Rules, List<SegmentSpec> Segments, List<StageSpec> Stages)? Place(
        string pipelineName,
        SchemaSpec input,
        List<StageSpec> stages,
        List<SegmentSpec> segments,
        List<SchemaSpec> schemas,
        IReadOnlyList<StageDraft> drafts,
        List<DiagnosticInfo> diagnostics)
    {
        if (!UniqueOnlyOnInput(pipelineName, input, stages, schemas, drafts, diagnostics))
        {
            return null;
        }
        var rules = new List<RulePlacementSpec>();
        var placedSegments = new List<SegmentSpec>(segments.Count);
        bool uniquePlaced = false;
        foreach (SegmentSpec segment in segments)
        {
            int first = rules.Count;
            var extraColumns = new HashSet<string>(System.StringComparer.Ordinal);
            if (segment.ReadsInput)
            {
                foreach (ColumnSpec column in input.Columns)
                {
                    foreach (RuleSpec rule in column.Rules)
                    {
                        if (rule.Kind == "Unique" && uniquePlaced)
                        {
                            continue;
                        }
                        rules.Add(MemberRule(rules.Count, rule, input, column, input.Name, segment.Index, null));
                        extraColumns.Add(column.ColumnName);
                    }
                }
                uniquePlaced = true;
            }
            foreach (string name in segment.Stages)
            {
                StageSpec stage = stages.First(s => s.Name == name);
                SchemaSpec stageInput = schemas.First(s => s.FullTypeName == stage.InputSchema);
                if (stage.QuarantinesRowErrors)
                {
                    rules.Add(new RulePlacementSpec(
                        rules.Count,
                        new RuleSpec("RowError", "Quarantine", stage.Name + ".RowError"),
                        stage.Name,
                        stageInput.Name,
                        ColumnsOf(stageInput, stage.Kernel.ReadMembers),
                        segment.Index,
                        stage.Name + " threw for the row",
                        null,
                        null));
                }
                if (stage.Kind == StageKindSpec.Check)
                {
                    rules.Add(new RulePlacementSpec(
                        rules.Count,
                        new RuleSpec("Check", stage.CheckAction, stage.Name),
                        stage.Name,
                        stageInput.Name,
                        ColumnsOf(stageInput, stage.Kernel.ReadMembers),
                        segment.Index,
                        stage.CheckText,
                        null,
                        null)
                    { Message = stage.CheckMessage });
                }
                if (stage.Kind == StageKindSpec.Map)
                {
                    SchemaSpec output = schemas.First(s => s.FullTypeName == stage.OutputSchema);
                    foreach (ColumnSpec column in output.Columns)
                    {
                        foreach (RuleSpec rule in column.Rules)
                        {
                            if (rule.Kind != "Unique")
                            {
                                rules.Add(MemberRule(rules.Count, rule, output, column, stage.Name, segment.Index, stage.Name));
                            }
                        }
                    }
                }
            }
            bool quarantines = false;
            for (int r = first; r < rules.Count; r++)
            {
                quarantines |= rules[r].Rule.Action == "Quarantine";
            }
            placedSegments.Add(segment with { ReadColumns = ReadColumns(segment, input, schemas, quarantines, extraColumns) });
        }

        bool inputHasRules = input.Columns.Any(c => !c.Rules.IsEmpty);
        List<StageSpec> placedStages = inputHasRules
            ? stages.Select(s => s with { ScanPredicates = EquatableArray<ScanPredicateSpec>.Empty }).ToList()
            : stages;
        return (rules, placedSegments, placedStages);
    }

    private static RulePlacementSpec MemberRule(int index, RuleSpec rule, SchemaSpec schema, ColumnSpec column, string stage, int segment, string? after) =>
        new(index, rule, stage, schema.Name, new[] { column.ColumnName }.ToEquatableArray(), segment, RuleLowering.Description(rule, column), after,
            RuleLowering.Predicate(rule, column));

    private static EquatableArray<string> ColumnsOf(SchemaSpec schema, EquatableArray<string> members)
    {
        var columns = new List<string>();
        foreach (ColumnSpec column in schema.Columns)
        {
            if (members.Contains(column.MemberName))
            {
                columns.Add(column.ColumnName);
            }
        }
        return columns.ToEquatableArray();
    }

    private static EquatableArray<string> ReadColumns(SegmentSpec segment, SchemaSpec input, List<SchemaSpec> schemas, bool quarantines, HashSet<string> extra)
    {
        SchemaSpec segmentInput = schemas.First(s => s.FullTypeName == segment.InputSchema);
        if (!quarantines && extra.Count == 0)
        {
            return segment.ReadColumns;
        }
        var columns = new List<string>();
        foreach (ColumnSpec column in segmentInput.Columns)
        {
            if (quarantines || segment.ReadColumns.Contains(column.ColumnName) || extra.Contains(column.ColumnName))
            {
                columns.Add(column.ColumnName);
            }
        }
        return columns.ToEquatableArray();
    }

    /// <summary>DSL3011 for each <c>[Unique]</c> on a member of a schema the pipeline uses that is not its input.</summary>
    private static bool UniqueOnlyOnInput(string pipelineName, SchemaSpec input, List<StageSpec> stages, List<SchemaSpec> schemas, IReadOnlyList<StageDraft> drafts, List<DiagnosticInfo> diagnostics)
    {
        bool valid = true;
        foreach (SchemaSpec schema in schemas)
        {
            if (schema.FullTypeName == input.FullTypeName)
            {
                continue;
            }
            foreach (ColumnSpec column in schema.Columns)
            {
                if (!column.Rules.Any(r => r.Kind == "Unique"))
                {
                    continue;
                }
                StageDraft? producer = drafts.FirstOrDefault(d => d.Output.FullTypeName == schema.FullTypeName && d.Kind == StageKindSpec.Map)
                    ?? drafts.FirstOrDefault(d => d.Input.FullTypeName == schema.FullTypeName);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UniqueNotOnInput, producer?.Location, schema.Name, column.MemberName, pipelineName, input.Name));
                valid = false;
            }
        }
        return valid;
    }
}

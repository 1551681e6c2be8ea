using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Pipelines;

/// <summary>
/// The dataset gates a pipeline declares in code: <c>[Gate(...)]</c> on the class (checked against the pipeline's
/// schemas, DSL3012), <c>[NullRate]</c> on members of the schemas it uses, and <c>[Unique]</c> on input members
/// (unless <c>AcrossDataset = false</c>).
/// </summary>
internal static class GateReader
{
    // Dsl.GateMetric in declaration order.
    private static readonly string[] Metrics = { "RowCount", "NullRate", "QuarantineRate", "Mean", "StdDev", "Min", "Max", "DistinctCount", "Unique" };

    /// <summary>The gates in declaration order (attributes first, then member gates), or null when a <c>[Gate]</c> was reported.</summary>
    public static EquatableArray<GateSpec>? Read(INamedTypeSymbol type, PipelineSpec spec, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var gates = new List<GateSpec>();
        bool valid = true;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (attribute.AttributeClass?.ToDisplayString() != KnownTypeNames.GateAttribute
                || attribute.ConstructorArguments.Length != 1
                || attribute.ConstructorArguments[0].Value is not int metricIndex
                || metricIndex < 0 || metricIndex >= Metrics.Length)
            {
                continue;
            }
            string metric = Metrics[metricIndex];
            GateSpec? gate = FromAttribute(attribute, metric, type.Name, spec, out string? problem);
            if (problem is not null)
            {
                Location? location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? type.Locations[0];
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GateInvalid, location, "GateMetric." + metric, spec.PipelineName, problem));
                valid = false;
                continue;
            }
            gates.Add(gate!);
        }
        SchemaSpec input = spec.Schema(spec.InputSchema);
        foreach (SchemaSpec schema in spec.Schemas)
        {
            string prefix = schema.FullTypeName == input.FullTypeName ? string.Empty : schema.Name + ".";
            foreach (ColumnSpec column in schema.Columns)
            {
                if (column.SampleNullRate is { } rate && column.NullRateSeverity is { } severity)
                {
                    gates.Add(new GateSpec("nullRate(" + prefix + column.ColumnName + ")", "NullRate", schema.Name, Single(column.ColumnName), null, rate, severity,
                        "[NullRate] on " + schema.Name + "." + column.MemberName));
                }
                foreach (RuleSpec rule in column.Rules)
                {
                    // DSL3011 keeps [Unique] to the input schema.
                    if (rule.Kind == "Unique" && rule.AcrossDataset && prefix.Length == 0)
                    {
                        gates.Add(new GateSpec("unique(" + column.ColumnName + ")", "Unique", schema.Name, Single(column.ColumnName), null, null,
                            rule.Action == "Warn" ? "Warn" : "Fail", "[Unique] on " + schema.Name + "." + column.MemberName));
                    }
                }
            }
        }
        return valid ? gates.ToEquatableArray() : null;
    }

    private static GateSpec? FromAttribute(AttributeData attribute, string metric, string className, PipelineSpec spec, out string? problem)
    {
        string? column = null, rule = null, id = null;
        var columns = new List<string>();
        double min = double.NaN, max = double.NaN;
        string severity = "Fail";
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            switch (named.Key)
            {
                case "Column" when named.Value.Value is string text:
                    column = text;
                    break;
                case "Columns" when named.Value.Kind == TypedConstantKind.Array:
                    foreach (TypedConstant value in named.Value.Values)
                    {
                        if (value.Value is string text)
                        {
                            columns.Add(text);
                        }
                    }
                    break;
                case "Rule" when named.Value.Value is string text:
                    rule = text;
                    break;
                case "Id" when named.Value.Value is string text:
                    id = text;
                    break;
                case "Min" when named.Value.Value is double value:
                    min = value;
                    break;
                case "Max" when named.Value.Value is double value:
                    max = value;
                    break;
                case "Severity" when named.Value.Value is int value:
                    severity = value == 1 ? "Warn" : "Fail";
                    break;
            }
        }
        if (column is not null)
        {
            columns.Insert(0, column);
        }
        problem = null;
        bool needsColumn = metric is "NullRate" or "Mean" or "StdDev" or "Min" or "Max" or "DistinctCount";
        if (needsColumn && column is null)
        {
            problem = "needs Column, the column it measures";
            return null;
        }
        if (metric == "Unique" && columns.Count == 0)
        {
            problem = "needs Columns, the key columns that must be unique";
            return null;
        }
        if (!double.IsNaN(min) && !double.IsNaN(max) && min > max)
        {
            problem = "has Min " + Text(min) + " greater than Max " + Text(max) + ", so it can never pass";
            return null;
        }
        if (metric == "QuarantineRate" && rule is not null && !spec.Rules.Any(r => r.Rule.Id == rule))
        {
            string known = string.Join(", ", spec.Rules.Select(r => r.Rule.Id).Distinct());
            problem = "counts rule '" + rule + "', which is no rule of the pipeline (" + (known.Length == 0 ? "it has none" : "its rules: " + known) + ")";
            return null;
        }
        if (metric == "QuarantineRate" && rule is not null && !spec.Rules.Any(r => r.Rule.Id == rule && (r.Rule.Action == "Quarantine" || r.Rule.Kind == "RowError")))
        {
            problem = "counts rule '" + rule + "', whose action sends no row to the quarantine, so its rate is always 0";
            return null;
        }
        SchemaSpec? schema = null;
        var names = new List<string>();
        foreach (string name in metric is "RowCount" or "QuarantineRate" ? new List<string>() : columns)
        {
            if (Resolve(name, spec, out SchemaSpec? owner, out ColumnSpec? resolved) is { } why)
            {
                problem = why;
                return null;
            }
            if (schema is not null && schema.FullTypeName != owner!.FullTypeName)
            {
                problem = "names columns of two schemas, '" + schema.Name + "' and '" + owner.Name + "'";
                return null;
            }
            schema = owner;
            if (metric is "Mean" or "StdDev" or "Min" or "Max" && !IsNumber(resolved!.Kind))
            {
                problem = "measures column '" + name + "', a '" + resolved.ClrType.Replace("global::System.", string.Empty).Replace("global::", string.Empty)
                    + "', but " + metric + " needs a numeric column";
                return null;
            }
            names.Add(resolved!.ColumnName);
        }
        schema ??= spec.Schema(spec.InputSchema);
        string defaultId = char.ToLowerInvariant(metric[0]) + metric.Substring(1)
            + (metric == "QuarantineRate" ? (rule is null ? string.Empty : "(" + rule + ")") : names.Count == 0 ? string.Empty : "(" + string.Join(", ", columns) + ")");
        return new GateSpec(id ?? defaultId, metric, schema.Name, names.ToEquatableArray(), double.IsNaN(min) ? null : min, double.IsNaN(max) ? null : max, severity,
            "[Gate] on " + className)
        { Rule = rule };
    }

    // 'Column' of the input schema, or 'Schema.Member' of another schema the pipeline uses.
    private static string? Resolve(string name, PipelineSpec spec, out SchemaSpec? schema, out ColumnSpec? column)
    {
        SchemaSpec input = spec.Schema(spec.InputSchema);
        int dot = name.IndexOf('.');
        if (dot < 0)
        {
            schema = input;
            column = input.Columns.FirstOrDefault(c => c.ColumnName == name);
            return column is not null ? null
                : "names column '" + name + "', which is not a column of the input schema '" + input.Name + "' (its columns: "
                    + string.Join(", ", input.Columns.Select(c => c.ColumnName)) + "); name another schema's member as 'Schema.Member'";
        }
        string schemaName = name.Substring(0, dot);
        string member = name.Substring(dot + 1);
        schema = spec.Schemas.FirstOrDefault(s => s.Name == schemaName);
        if (schema is null)
        {
            column = null;
            return "names '" + name + "', but '" + schemaName + "' is no schema of the pipeline (its schemas: " + string.Join(", ", spec.Schemas.Select(s => s.Name)) + ")";
        }
        column = schema.FindMember(member);
        return column is not null ? null
            : "names '" + name + "', but schema '" + schemaName + "' has no member '" + member + "' (its members: " + string.Join(", ", schema.Columns.Select(c => c.MemberName)) + ")";
    }

    private static bool IsNumber(ColumnKind kind) =>
        Schemas.RuleAttributes.IsInteger(kind) || kind is ColumnKind.Float or ColumnKind.Double or ColumnKind.Decimal or ColumnKind.Float16;

    private static EquatableArray<string> Single(string column) => new[] { column }.ToEquatableArray();

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

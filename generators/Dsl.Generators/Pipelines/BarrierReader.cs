using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Dsl.Generators.Analyzers;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Graph;
using Dsl.Generators.Model;
using Dsl.Generators.Schemas;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dsl.Generators.Pipelines;

/// <summary>
/// Reads what the build compiles of a barrier stage from its attribute and its body's <see cref="IOperation"/> tree:
/// an aggregate's grouping columns and one <see cref="AggregateOutputSpec"/> per member of its <c>new TOut(...)</c>
/// (DSL2016-DSL2018), a join's table, keys and copied columns (DSL2019, DSL2020), and a <c>[Split]</c> on any stage
/// (DSL2021). Shared by the pipeline parser, which declines a stage with a problem, and <see cref="PipelineAnalyzer"/>,
/// which reports the problems while the user types, so each is reported once. Called only on stages whose declaration
/// <see cref="StageRules.StageProblems"/> accepted.
/// </summary>
internal static class BarrierReader
{
    /// <summary>The <c>Dsl.Execution.AggregateFunction</c> each <c>Group</c> method computes (ArgMax is Last, ArgMin is First).</summary>
    private static readonly Dictionary<string, string> s_functions = new(System.StringComparer.Ordinal)
    {
        ["Key"] = "Key",
        ["Count"] = "Count",
        ["CountValues"] = "CountValues",
        ["Sum"] = "Sum",
        ["Mean"] = "Mean",
        ["Variance"] = "Variance",
        ["Std"] = "StdDev",
        ["SampleVariance"] = "SampleVariance",
        ["SampleStd"] = "SampleStdDev",
        ["Min"] = "Min",
        ["Max"] = "Max",
        ["CountDistinct"] = "CountDistinct",
        ["ApproxCountDistinct"] = "ApproxCountDistinct",
        ["First"] = "First",
        ["Last"] = "Last",
        ["ArgMax"] = "Last",
        ["ArgMin"] = "First",
    };

    private const string GroupMethods = "Key, Count, CountValues, Sum, Mean, Variance, Std, SampleVariance, SampleStd, Min, Max, CountDistinct, ApproxCountDistinct, First, Last, ArgMax or ArgMin";

    /// <summary>The most subsets a split may have (the runtime's <c>SplitPlanValidation.MaxSubsets</c>).</summary>
    private const int MaxSubsets = 64;

    /// <summary>The longest subset name (the runtime's <c>SplitPlanValidation.MaxNameLength</c>).</summary>
    private const int MaxNameLength = 100;

    /// <summary>How far split fractions may sum from 1 (the runtime's <c>SplitPlanValidation.FractionSumTolerance</c>).</summary>
    private const double FractionSumTolerance = 1e-9;

    /// <summary>
    /// Aggregate stage <paramref name="method"/>: its grouping columns and outputs, or null when it has a problem (added
    /// to <paramref name="problems"/>), a schema that does not parse (SchemaAnalyzer's to report) or a body that does
    /// not compile (the compiler's).
    /// </summary>
    public static AggregateDraft? ReadAggregate(
        IMethodSymbol method,
        AttributeData attribute,
        MethodDeclarationSyntax declaration,
        SemanticModel semanticModel,
        string pipelineName,
        List<DeclarationProblem> problems,
        CancellationToken cancellationToken)
    {
        var rowType = (INamedTypeSymbol)StageRules.GroupRowType(method.Parameters[0].Type)!;
        SchemaSpec? input = SchemaGenerator.Parser.Parse(rowType, cancellationToken).Spec;
        SchemaSpec? output = SchemaGenerator.Parser.Parse((INamedTypeSymbol)method.ReturnType, cancellationToken).Spec;
        if (input is null || output is null || Body(declaration, semanticModel, cancellationToken) is not { } body)
        {
            return null;
        }
        int before = problems.Count;
        Location attributeLocation = ArgumentLocation(attribute, "By", cancellationToken);
        var keys = new List<ColumnSpec>();
        string[] by = Strings(attribute, "By") ?? System.Array.Empty<string>();
        if (by.Length == 0)
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.AggregateKeyInvalid, attributeLocation, method.Name, pipelineName,
                "has no By columns; name the grouping columns, such as By = new[] { nameof(" + input.Name + "." + FirstMember(input) + ") }"));
        }
        foreach (string name in by)
        {
            if (input.FindMember(name) is not { } column)
            {
                problems.Add(new DeclarationProblem(DiagnosticDescriptors.AggregateKeyInvalid, attributeLocation, method.Name, pipelineName,
                    "groups by '" + name + "', which is not a member of '" + input.Name + "' (its members are " + Members(input) + ")"));
            }
            else if (keys.Contains(column))
            {
                problems.Add(new DeclarationProblem(DiagnosticDescriptors.AggregateKeyInvalid, attributeLocation, method.Name, pipelineName,
                    "lists By column '" + name + "' twice; name each grouping column once"));
            }
            else if (column.IsList)
            {
                problems.Add(new DeclarationProblem(DiagnosticDescriptors.AggregateKeyInvalid, attributeLocation, method.Name, pipelineName,
                    "groups by '" + name + "', a list column; group by columns of single values"));
            }
            else
            {
                keys.Add(column);
            }
        }

        IParameterSymbol group = method.Parameters[0];
        Dictionary<string, (IOperation Value, Location Location)>? members = Members(body, output, method.Name, pipelineName, aggregate: true, problems);
        var outputs = new List<AggregateOutputSpec>();
        if (members is not null)
        {
            foreach (ColumnSpec member in output.Columns)
            {
                if (members.TryGetValue(member.MemberName, out var value)
                    && AggregateOutput(value.Value, value.Location, member, input, output, group, keys, by, method.Name, pipelineName, problems) is { } spec)
                {
                    outputs.Add(spec);
                }
            }
        }
        if (problems.Count > before || members is null)
        {
            return null;
        }
        return new AggregateDraft(keys.Select(k => k.ColumnName).ToEquatableArray(), outputs.ToEquatableArray());
    }

    /// <summary>
    /// Join stage <paramref name="method"/>: its table, keys and outputs, or null when it has a problem (added to
    /// <paramref name="problems"/>), a schema that does not parse or a body that does not compile.
    /// </summary>
    public static JoinDraft? ReadJoin(
        IMethodSymbol method,
        AttributeData attribute,
        MethodDeclarationSyntax declaration,
        SemanticModel semanticModel,
        string pipelineName,
        List<DeclarationProblem> problems,
        CancellationToken cancellationToken)
    {
        SchemaSpec? left = SchemaGenerator.Parser.Parse((INamedTypeSymbol)StageRules.Unwrapped(method.Parameters[0].Type), cancellationToken).Spec;
        SchemaSpec? right = SchemaGenerator.Parser.Parse((INamedTypeSymbol)StageRules.Unwrapped(method.Parameters[1].Type), cancellationToken).Spec;
        string kind = StageRules.JoinKind(method);
        bool keepsLeft = kind is "Semi" or "Anti";
        SchemaSpec? output = keepsLeft ? left : SchemaGenerator.Parser.Parse((INamedTypeSymbol)method.ReturnType, cancellationToken).Spec;
        if (left is null || right is null || output is null || Body(declaration, semanticModel, cancellationToken) is not { } body)
        {
            return null;
        }
        int before = problems.Count;
        string table = StringValue(attribute, "Table") ?? string.Empty;
        if (table.Trim().Length == 0)
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.JoinKeyInvalid, ArgumentLocation(attribute, "Table", cancellationToken), method.Name, pipelineName,
                "names no table; set Table = \"name\" to the table its right side '" + right.Name + "' is read from (tables: in pipeline.yaml, or --table NAME=PATH)"));
        }
        Location onLocation = ArgumentLocation(attribute, "On", cancellationToken);
        string[] on = Strings(attribute, "On") ?? System.Array.Empty<string>();
        string[] rightOn = Strings(attribute, "RightOn") is { Length: > 0 } given ? given : on;
        var leftKeys = new List<string>();
        var rightKeys = new List<string>();
        if (on.Length == 0)
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.JoinKeyInvalid, onLocation, method.Name, pipelineName,
                "has no On key columns; name the left key columns, such as On = new[] { nameof(" + left.Name + "." + FirstMember(left) + ") }"));
        }
        else if (rightOn.Length != on.Length)
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.JoinKeyInvalid, ArgumentLocation(attribute, "RightOn", cancellationToken), method.Name, pipelineName,
                "has " + on.Length.ToString(CultureInfo.InvariantCulture) + " On columns but " + rightOn.Length.ToString(CultureInfo.InvariantCulture) + " RightOn columns; give one right key column per left one, in the same order"));
        }
        else
        {
            for (int k = 0; k < on.Length; k++)
            {
                ColumnSpec? l = left.FindMember(on[k]);
                ColumnSpec? r = right.FindMember(rightOn[k]);
                string? why = l is null ? "joins on '" + on[k] + "', which is not a member of its rows '" + left.Name + "' (its members are " + Members(left) + ")"
                    : r is null ? "joins on '" + rightOn[k] + "', which is not a member of table '" + table + "' rows '" + right.Name + "' (its members are " + Members(right) + ")"
                    : l.IsList || r.IsList ? "joins on list column '" + (l.IsList ? left.Name + "." + l.MemberName : right.Name + "." + r.MemberName) + "'; join on columns of single values"
                    : !KeysMatch(l.Kind, r.Kind) ? "joins '" + left.Name + "." + l.MemberName + "' (" + TypeText(l.Kind, false) + ") with '" + right.Name + "." + r.MemberName + "' (" + TypeText(r.Kind, false) + "), which cannot be compared; key columns have the same type, or whole-number types of which one widens to the other"
                    : null;
                if (why is not null)
                {
                    problems.Add(new DeclarationProblem(DiagnosticDescriptors.JoinKeyInvalid, onLocation, method.Name, pipelineName, why));
                    continue;
                }
                leftKeys.Add(l!.ColumnName);
                rightKeys.Add(r!.ColumnName);
            }
        }

        var outputs = new List<JoinOutputSpec>();
        if (keepsLeft)
        {
            IOperation? returned = Stripped(Returned(body));
            if (returned is not IParameterReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Parameter, method.Parameters[0]))
            {
                problems.Add(new DeclarationProblem(DiagnosticDescriptors.JoinOutputInvalid, (returned?.Syntax ?? declaration.Identifier.Parent!).GetLocation(), method.Name, pipelineName,
                    "is a " + kind.ToLowerInvariant() + " join, which keeps or drops its left rows unchanged, but returns '" + Text(returned?.Syntax ?? declaration) + "'; return '" + method.Parameters[0].Name + "' itself"));
            }
            else
            {
                outputs.AddRange(left.Columns.Select(c => new JoinOutputSpec(c.ColumnName, "Left", c.ColumnName)));
            }
        }
        else if (Members(body, output, method.Name, pipelineName, aggregate: false, problems) is { } members)
        {
            foreach (ColumnSpec member in output.Columns)
            {
                if (members.TryGetValue(member.MemberName, out var value)
                    && JoinOutput(value.Value, value.Location, member, output, left, right, method, kind, pipelineName, problems) is { } spec)
                {
                    outputs.Add(spec);
                }
            }
        }
        if (problems.Count > before)
        {
            return null;
        }
        return new JoinDraft(table, kind, right, leftKeys.ToEquatableArray(), rightKeys.ToEquatableArray(), outputs.ToEquatableArray());
    }

    /// <summary>
    /// The <c>[Split]</c> of stage <paramref name="method"/>, of kind <paramref name="kind"/>, checked against the
    /// stage's output schema as the runtime checks a split plan; null when the stage has none, when it has a problem
    /// (added to <paramref name="problems"/>) or when its output schema does not parse (or a fit, which has none: the
    /// graph reports a split on it).
    /// </summary>
    public static SplitDraft? ReadSplit(IMethodSymbol method, StageKindSpec kind, string pipelineName, List<DeclarationProblem> problems, CancellationToken cancellationToken)
    {
        AttributeData? attribute = SplitAttribute(method);
        if (attribute is null)
        {
            return null;
        }
        Location location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? Location.None;
        ITypeSymbol? outputType = kind switch
        {
            StageKindSpec.Map or StageKindSpec.Aggregate => method.ReturnType,
            StageKindSpec.Join => StageRules.JoinKeepsLeftRows(method) ? StageRules.Unwrapped(method.Parameters[0].Type) : method.ReturnType,
            StageKindSpec.Filter or StageKindSpec.Check => method.Parameters[0].Type,
            _ => null,
        };
        if (outputType is not INamedTypeSymbol named || SchemaGenerator.Parser.Parse(named, cancellationToken).Spec is not { } output)
        {
            return new SplitDraft(null, location);
        }
        int before = problems.Count;
        void Problem(string argument, string text) =>
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.SplitInvalid, ArgumentLocation(attribute, argument, cancellationToken), method.Name, pipelineName, text));

        string[] key = Strings(attribute, "Key") ?? System.Array.Empty<string>();
        string[] names = Strings(attribute, "Names") ?? new[] { "train", "validation", "test" };
        double[] fractions = Doubles(attribute, "Fractions") ?? new[] { 0.8, 0.1, 0.1 };
        long seed = 0;
        string? stratify = null;
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == "Seed" && argument.Value.Value is long value)
            {
                seed = value;
            }
            else if (argument.Key == "StratifyBy" && argument.Value.Value is string text)
            {
                stratify = text;
            }
        }

        var keyColumns = new List<string>();
        if (key.Length == 0)
        {
            Problem("Key", "it has no key columns; name the columns of '" + output.Name + "' whose hash decides a row's subset (an id keeps that id's rows together), such as Key = new[] { nameof(" + output.Name + "." + FirstMember(output) + ") }");
        }
        foreach (string name in key)
        {
            if (output.FindMember(name) is not { } column)
            {
                Problem("Key", "key column '" + name + "' is not a member of its output '" + output.Name + "' (its members are " + Members(output) + ")");
            }
            else if (keyColumns.Contains(column.ColumnName))
            {
                Problem("Key", "it lists key column '" + name + "' twice; name each column once");
            }
            else if (column.IsList)
            {
                Problem("Key", "key column '" + name + "' is a list; a nested value is not a key, so copy one of its values into a column with a Map stage");
            }
            else
            {
                keyColumns.Add(column.ColumnName);
            }
        }

        if (names.Length < 2)
        {
            Problem("Names", "it has " + names.Length.ToString(CultureInfo.InvariantCulture) + " subset name(s); a split needs at least two, such as train and test");
        }
        if (names.Length > MaxSubsets)
        {
            Problem("Names", "it has " + names.Length.ToString(CultureInfo.InvariantCulture) + " subsets; at most " + MaxSubsets.ToString(CultureInfo.InvariantCulture) + " are allowed");
        }
        // Case-insensitive, as the runtime: macOS and Windows file systems would put 'Train' and 'train' in one folder.
        var seen = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < names.Length; i++)
        {
            string name = names[i] ?? string.Empty;
            if (WhyNotFolderName(name) is { } why)
            {
                Problem("Names", "subset name '" + name + "' " + why + "; use 1 to " + MaxNameLength.ToString(CultureInfo.InvariantCulture) + " letters, digits, '-', '_' or '.', starting with a letter or digit");
            }
            else if (!seen.Add(name))
            {
                Problem("Names", "subset name '" + name + "' appears twice (folder names are compared ignoring case); give every subset its own name");
            }
        }

        if (fractions.Length != names.Length)
        {
            Problem("Fractions", "it has " + names.Length.ToString(CultureInfo.InvariantCulture) + " subset names but " + fractions.Length.ToString(CultureInfo.InvariantCulture) + " fractions; give one fraction per name, in the same order");
        }
        double sum = 0;
        bool fractionsValid = true;
        for (int i = 0; i < fractions.Length; i++)
        {
            double fraction = fractions[i];
            if (double.IsNaN(fraction) || double.IsInfinity(fraction) || fraction <= 0 || fraction > 1)
            {
                string subset = i < names.Length ? "'" + names[i] + "'" : "number " + (i + 1).ToString(CultureInfo.InvariantCulture);
                Problem("Fractions", "subset " + subset + " has the fraction " + fraction.ToString("R", CultureInfo.InvariantCulture) + "; each fraction must be above 0 and at most 1");
                fractionsValid = false;
            }
            sum += fraction;
        }
        if (fractionsValid && fractions.Length > 0 && System.Math.Abs(sum - 1) > FractionSumTolerance)
        {
            Problem("Fractions", "its fractions sum to " + sum.ToString("R", CultureInfo.InvariantCulture) + "; they must sum to 1");
        }

        string? stratifyColumn = null;
        if (stratify is not null)
        {
            if (output.FindMember(stratify) is not { } column)
            {
                Problem("StratifyBy", "it is stratified by '" + stratify + "', which is not a member of its output '" + output.Name + "' (its members are " + Members(output) + ")");
            }
            else if (column.Kind is not (ColumnKind.Boolean or ColumnKind.Int32 or ColumnKind.Int64 or ColumnKind.String))
            {
                Problem("StratifyBy", "it is stratified by '" + stratify + "', " + WithArticle(TypeText(column.Kind, false)) + " column; strata are the values of a bool, int, long or string column, such as a label or a bucket a Map stage computes");
            }
            else
            {
                stratifyColumn = column.ColumnName;
            }
        }
        if (output.Columns.Any(c => c.ColumnName == "split"))
        {
            Problem("Key", "its output '" + output.Name + "' has a column 'split', which clashes with the 'split=NAME/' folders it writes (readers of partitioned folders turn them into a column of that name); rename the member");
        }
        if (problems.Count > before)
        {
            return null;
        }
        var spec = new SplitSpec(method.Name, keyColumns.ToEquatableArray(), names.ToEquatableArray(), fractions.ToEquatableArray(), seed, stratifyColumn);
        return new SplitDraft(spec, location);
    }

    /// <summary>The <c>[Split]</c> of <paramref name="method"/>, or null.</summary>
    public static AttributeData? SplitAttribute(IMethodSymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == KnownTypeNames.SplitAttribute)
            {
                return attribute;
            }
        }
        return null;
    }

    /// <summary>What one member of an aggregate's result computes, or null with its problem added.</summary>
    private static AggregateOutputSpec? AggregateOutput(
        IOperation value,
        Location location,
        ColumnSpec member,
        SchemaSpec input,
        SchemaSpec output,
        IParameterSymbol group,
        List<ColumnSpec> keys,
        string[] by,
        string stage,
        string pipelineName,
        List<DeclarationProblem> problems)
    {
        IOperation call = Stripped(value)!;
        string text = Text(call.Syntax);
        if (call is not IInvocationOperation invocation
            || Stripped(invocation.Instance) is not IParameterReferenceOperation receiver
            || !SymbolEqualityComparer.Default.Equals(receiver.Parameter, group)
            || !s_functions.TryGetValue(invocation.TargetMethod.Name, out string? function))
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.AggregateOutputInvalid, location, stage, pipelineName,
                "member '" + member.MemberName + "' of '" + output.Name + "' is '" + text + "', which is not one call on '" + group.Name + "'", GroupMethods));
            return null;
        }
        IArgumentOperation?[] arguments = ByOrdinal(invocation);
        ColumnSpec? column = null;
        ColumnSpec? order = null;
        if (invocation.TargetMethod.Parameters.Length > 0)
        {
            column = Selected(arguments[0], input, out string why);
            if (column is not null && function is "First" or "Last")
            {
                order = Selected(arguments[1], input, out why);
            }
            if (column is null || (function is "First" or "Last" && order is null))
            {
                problems.Add(new DeclarationProblem(DiagnosticDescriptors.AggregateOutputInvalid, location, stage, pipelineName,
                    "member '" + member.MemberName + "' of '" + output.Name + "' is '" + text + "', whose selector " + why, GroupMethods));
                return null;
            }
        }

        // With a By column at fault (reported), which Key reads is no news.
        if (function == "Key" && keys.Count == by.Length && !keys.Contains(column!))
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.AggregateKeyInvalid, location, stage, pipelineName,
                "fills member '" + member.MemberName + "' with '" + text + "', but '" + column!.MemberName + "' is not one of its By columns (" + string.Join(", ", by) + "); add it to By, or use another function such as Max"));
            return null;
        }
        if (ResultProblem(function, column, order) is { } needs)
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.AggregateOutputTypeMismatch, location, stage, pipelineName, text, member.MemberName, output.Name, needs));
            return null;
        }
        (ColumnKind kind, bool nullable) = Result(function, column);
        if (member.IsList || member.Kind != kind || (nullable && !member.Nullable))
        {
            string type = TypeText(kind, false);
            string gives = (nullable ? "a nullable " + type : WithArticle(type)) + (nullable ? " (column '" + column!.MemberName + "' is nullable)" : string.Empty);
            string declared = member.IsList ? member.ValueType.Replace("global::System.", string.Empty) : TypeText(member.Kind, member.Nullable);
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.AggregateOutputTypeMismatch, location, stage, pipelineName, text, member.MemberName, output.Name,
                "gives " + gives + ", but the member is '" + declared + "'; declare it '" + TypeText(kind, nullable || member.Nullable) + "'"));
            return null;
        }
        return new AggregateOutputSpec(member.ColumnName, function, column?.ColumnName, order?.ColumnName);
    }

    /// <summary>What kind of column <paramref name="function"/> needs, when <paramref name="column"/> (or <paramref name="order"/>) is not one.</summary>
    private static string? ResultProblem(string function, ColumnSpec? column, ColumnSpec? order)
    {
        if (column is null)
        {
            return null;
        }
        switch (function)
        {
            case "Sum":
                return IsInteger(column.Kind) && column.Kind != ColumnKind.UInt64 || column.Kind is ColumnKind.Float or ColumnKind.Double
                    ? null
                    : "reads '" + column.MemberName + "', " + WithArticle(TypeText(column.Kind, false)) + " column, but Sum needs a number column that sums into a long or a double (sbyte, byte, short, ushort, int, uint, long, float or double); pick such a column or another function";
            case "Mean":
            case "Variance":
            case "StdDev":
            case "SampleVariance":
            case "SampleStdDev":
                return IsInteger(column.Kind) || column.Kind is ColumnKind.Float or ColumnKind.Double
                    ? null
                    : "reads '" + column.MemberName + "', " + WithArticle(TypeText(column.Kind, false)) + " column, but " + function + " needs a number column (sbyte, byte, short, ushort, int, uint, long, ulong, float or double); pick such a column or another function";
            case "Count":
            case "CountValues":
                return null;
            default:
                ColumnSpec? list = column.IsList ? column : order is { IsList: true } ? order : null;
                return list is null ? null : "reads list column '" + list.MemberName + "', but " + function + " needs a column of single values; pick such a column or copy one value into a column with a Map stage first";
        }
    }

    /// <summary>The type (kind, nullable) of what <paramref name="function"/> gives over <paramref name="column"/>.</summary>
    private static (ColumnKind Kind, bool Nullable) Result(string function, ColumnSpec? column) => function switch
    {
        "Count" or "CountValues" or "CountDistinct" or "ApproxCountDistinct" => (ColumnKind.Int64, false),
        "Sum" => (IsInteger(column!.Kind) ? ColumnKind.Int64 : ColumnKind.Double, false),
        "Mean" or "Variance" or "StdDev" or "SampleVariance" or "SampleStdDev" => (ColumnKind.Double, false),
        _ => (column!.Kind, column.Nullable),
    };

    /// <summary>Where one member of a join's result comes from, or null with its problem added.</summary>
    private static JoinOutputSpec? JoinOutput(
        IOperation value,
        Location location,
        ColumnSpec member,
        SchemaSpec output,
        SchemaSpec left,
        SchemaSpec right,
        IMethodSymbol method,
        string kind,
        string pipelineName,
        List<DeclarationProblem> problems)
    {
        IOperation read = Stripped(value)!;
        string text = Text(read.Syntax);
        IParameterSymbol? side = null;
        IPropertySymbol? property = null;
        bool conditional = false;
        if (read is IPropertyReferenceOperation { Instance: IParameterReferenceOperation instance } direct)
        {
            side = instance.Parameter;
            property = direct.Property;
        }
        else if (read is IConditionalAccessOperation { Operation: IParameterReferenceOperation target, WhenNotNull: var whenNotNull }
            && Stripped(whenNotNull) is IPropertyReferenceOperation { Instance: IConditionalAccessInstanceOperation } access)
        {
            side = target.Parameter;
            property = access.Property;
            conditional = true;
        }
        bool isLeft = side is not null && SymbolEqualityComparer.Default.Equals(side, method.Parameters[0]);
        bool isRight = side is not null && SymbolEqualityComparer.Default.Equals(side, method.Parameters[1]);
        SchemaSpec? schema = isLeft ? left : isRight ? right : null;
        ColumnSpec? column = schema is null || property is null ? null : schema.FindMember(property.Name);
        if (column is null || (isLeft && conditional))
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.JoinOutputInvalid, location, method.Name, pipelineName,
                "fills member '" + member.MemberName + "' of '" + output.Name + "' with '" + text + "', which is not a member of '" + method.Parameters[0].Name + "' or '"
                + method.Parameters[1].Name + "'; copy one column of either side, such as '" + method.Parameters[1].Name + (kind == "Left" ? "?." : ".") + FirstMember(right)
                + "', and compute anything else in a Map stage after the join"));
            return null;
        }
        bool mayBeNull = column.Nullable || (isRight && kind == "Left");
        if (member.Kind != column.Kind || member.IsList != column.IsList || (member.IsList && member.Element != column.Element))
        {
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.JoinOutputInvalid, location, method.Name, pipelineName,
                "fills member '" + member.MemberName + "' of '" + output.Name + "' (" + TypeText(member.Kind, member.Nullable) + ") with '" + text + "', "
                + WithArticle(TypeText(column.Kind, false)) + " column; the join copies values unconverted, so declare the member '" + TypeText(column.Kind, mayBeNull) + "'"));
            return null;
        }
        if (mayBeNull && !member.Nullable)
        {
            string why = column.Nullable ? "column '" + schema!.Name + "." + column.MemberName + "' is nullable" : "a left join has no right row where no row of the table matches";
            problems.Add(new DeclarationProblem(DiagnosticDescriptors.JoinOutputInvalid, location, method.Name, pipelineName,
                "fills non-nullable member '" + member.MemberName + "' of '" + output.Name + "' with '" + text + "', which may be null (" + why + "); declare it '" + TypeText(column.Kind, true) + "'"));
            return null;
        }
        return new JoinOutputSpec(member.ColumnName, isLeft ? "Left" : "Right", column.ColumnName);
    }

    /// <summary>
    /// The value given for each member of the result's <c>new TOut(...)</c> (constructor arguments, then object
    /// initializer assignments, which win), by member name; null with the problem added when the body returns anything
    /// else.
    /// </summary>
    private static Dictionary<string, (IOperation Value, Location Location)>? Members(
        IOperation body,
        SchemaSpec output,
        string stage,
        string pipelineName,
        bool aggregate,
        List<DeclarationProblem> problems)
    {
        // DSL2016 reads "Aggregate stage 'S' of pipeline 'p': it ...; give every member ...", DSL2019 "Join stage 'S' of pipeline 'p' ...".
        void Problem(SyntaxNode at, string what, string fix) => problems.Add(aggregate
            ? new DeclarationProblem(DiagnosticDescriptors.AggregateOutputInvalid, at.GetLocation(), stage, pipelineName, "it " + what, GroupMethods)
            : new DeclarationProblem(DiagnosticDescriptors.JoinOutputInvalid, at.GetLocation(), stage, pipelineName, what + "; " + fix));

        IOperation? returned = Stripped(Returned(body));
        if (returned is not IObjectCreationOperation { Constructor: { } constructor } creation
            || !constructor.Parameters.All(p => output.FindMember(p.Name) is not null))
        {
            string what = returned is null
                ? "has a body that is not one return of 'new " + output.Name + "(...)'"
                : "returns '" + Text(returned.Syntax) + "', which is not 'new " + output.Name + "(...)'";
            Problem(returned?.Syntax ?? body.Syntax, what, "return 'new " + output.Name + "(...)' whose every argument is a member of one side");
            return null;
        }
        var members = new Dictionary<string, (IOperation, Location)>(System.StringComparer.Ordinal);
        foreach (IArgumentOperation argument in creation.Arguments)
        {
            if (argument.Parameter is { } parameter)
            {
                members[parameter.Name] = (argument.Value, (argument.ArgumentKind == ArgumentKind.Explicit ? argument.Syntax : creation.Syntax).GetLocation());
            }
        }
        if (creation.Initializer is { } initializer)
        {
            foreach (IOperation assignment in initializer.Initializers)
            {
                if (assignment is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property: var property } } set && output.FindMember(property.Name) is not null)
                {
                    members[property.Name] = (set.Value, set.Value.Syntax.GetLocation());
                    continue;
                }
                Problem(assignment.Syntax, "has '" + Text(assignment.Syntax) + "' in its object initializer, which sets no member of '" + output.Name + "'", "set only members of the result");
                return null;
            }
        }
        return members;
    }

    /// <summary>The body of a stage that compiles, or null (the compiler reports why it does not).</summary>
    private static IOperation? Body(MethodDeclarationSyntax declaration, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (semanticModel.GetOperation(declaration, cancellationToken) is not IMethodBodyOperation body)
        {
            return null;
        }
        foreach (IOperation operation in body.Descendants())
        {
            if (operation is IInvalidOperation)
            {
                return null;
            }
        }
        return body;
    }

    /// <summary>The value a method body returns when it is one return (an expression body or a block of one return statement).</summary>
    private static IOperation? Returned(IOperation body)
    {
        IBlockOperation? block = body is IMethodBodyOperation method ? method.BlockBody ?? method.ExpressionBody : null;
        return block is { Operations.Length: 1 } && block.Operations[0] is IReturnOperation { ReturnedValue: { } value } ? value : null;
    }

    /// <summary><paramref name="operation"/> without implicit conversions around it.</summary>
    private static IOperation? Stripped(IOperation? operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }
        return operation;
    }

    /// <summary>The column a selector argument reads (a lambda returning one member of its row unchanged), or null with <paramref name="why"/>.</summary>
    private static ColumnSpec? Selected(IArgumentOperation? argument, SchemaSpec input, out string why)
    {
        IOperation? value = Stripped(argument?.Value);
        if (value is not IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda })
        {
            why = "is not a lambda";
            return null;
        }
        if (lambda.Symbol.Parameters.Length != 1)
        {
            why = "does not take one row";
            return null;
        }
        IParameterSymbol row = lambda.Symbol.Parameters[0];
        IOperation? returned = lambda.Body.Operations.Length == 1 && lambda.Body.Operations[0] is IReturnOperation { ReturnedValue: { } result } ? Stripped(result) : null;
        if (returned is IPropertyReferenceOperation { Instance: IParameterReferenceOperation instance, Property: var property }
            && SymbolEqualityComparer.Default.Equals(instance.Parameter, row))
        {
            if (input.FindMember(property.Name) is { } column)
            {
                why = string.Empty;
                return column;
            }
            why = "reads '" + property.Name + "', which is not a column of '" + input.Name + "'";
            return null;
        }
        why = "does not return a member of '" + row.Name + "' unchanged";
        return null;
    }

    private static IArgumentOperation?[] ByOrdinal(IInvocationOperation call)
    {
        var byOrdinal = new IArgumentOperation?[call.TargetMethod.Parameters.Length];
        foreach (IArgumentOperation argument in call.Arguments)
        {
            if (argument.Parameter is { } parameter && parameter.Ordinal < byOrdinal.Length)
            {
                byOrdinal[parameter.Ordinal] = argument;
            }
        }
        return byOrdinal;
    }

    /// <summary>Whether key columns of kinds <paramref name="a"/> and <paramref name="b"/> compare: one type, or whole numbers one of which widens to the other.</summary>
    private static bool KeysMatch(ColumnKind a, ColumnKind b)
    {
        if (a == b)
        {
            return true;
        }
        if (!IsInteger(a) || !IsInteger(b))
        {
            return false;
        }
        (int bitsA, bool signedA) = IntegerShape(a);
        (int bitsB, bool signedB) = IntegerShape(b);
        // Same signedness: the narrower widens. Unsigned into signed only when the signed one is wider.
        return signedA == signedB || (signedA ? bitsA > bitsB : bitsB > bitsA);
    }

    private static (int Bits, bool Signed) IntegerShape(ColumnKind kind) => kind switch
    {
        ColumnKind.Int8 => (8, true),
        ColumnKind.Int16 => (16, true),
        ColumnKind.Int32 => (32, true),
        ColumnKind.Int64 => (64, true),
        ColumnKind.UInt8 => (8, false),
        ColumnKind.UInt16 => (16, false),
        ColumnKind.UInt32 => (32, false),
        _ => (64, false),
    };

    private static bool IsInteger(ColumnKind kind) => kind is ColumnKind.Int8 or ColumnKind.Int16 or ColumnKind.Int32 or ColumnKind.Int64
        or ColumnKind.UInt8 or ColumnKind.UInt16 or ColumnKind.UInt32 or ColumnKind.UInt64;

    /// <summary>The C# type of a column kind as a user writes it ("long", "DateTime", "string?").</summary>
    internal static string TypeText(ColumnKind kind, bool nullable)
    {
        string type = kind switch
        {
            ColumnKind.Timestamp => "DateTime",
            ColumnKind.TimestampOffset => "DateTimeOffset",
            ColumnKind.TimestampNanos => "NanoTimestamp",
            ColumnKind.Date => "DateOnly",
            ColumnKind.Time => "TimeOnly",
            ColumnKind.Float16 => "Half",
            ColumnKind.Uuid => "Guid",
            ColumnKind.List => "list",
            _ => new ColumnSpec(string.Empty, string.Empty, kind, false).ValueType,
        };
        return nullable ? type + "?" : type;
    }

    /// <summary>"a double", "an int".</summary>
    private static string WithArticle(string type) => (type[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an " : "a ") + type;

    /// <summary>"Why not": the reason <paramref name="name"/> is no folder name, as the runtime's split validation says, or null.</summary>
    private static string? WhyNotFolderName(string name)
    {
        if (name.Length == 0)
        {
            return "is empty";
        }
        if (name.Length > MaxNameLength)
        {
            return "is " + name.Length.ToString(CultureInfo.InvariantCulture) + " characters long";
        }
        if (!IsAsciiLetterOrDigit(name[0]))
        {
            return "does not start with a letter or digit";
        }
        foreach (char c in name)
        {
            if (!IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return "holds '" + c + "'";
            }
        }
        // DuckDB reads a folder value NULL (any case) as a null.
        return string.Equals(name, "null", System.StringComparison.OrdinalIgnoreCase) ? "reads back as null from a 'split=null' folder" : null;
    }

    private static bool IsAsciiLetterOrDigit(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9');

    private static string[]? Strings(AttributeData attribute, string name)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Kind == TypedConstantKind.Array && !argument.Value.IsNull)
            {
                return argument.Value.Values.Select(v => v.Value as string ?? string.Empty).ToArray();
            }
        }
        return null;
    }

    private static double[]? Doubles(AttributeData attribute, string name)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Kind == TypedConstantKind.Array && !argument.Value.IsNull)
            {
                return argument.Value.Values.Select(v => v.Value is double d ? d : double.NaN).ToArray();
            }
        }
        return null;
    }

    private static string? StringValue(AttributeData attribute, string name)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Value is string value)
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>Where attribute argument <paramref name="name"/> is written, else the attribute itself.</summary>
    private static Location ArgumentLocation(AttributeData attribute, string name, CancellationToken cancellationToken)
    {
        SyntaxNode? syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
        if (syntax is AttributeSyntax { ArgumentList: { } arguments })
        {
            foreach (AttributeArgumentSyntax argument in arguments.Arguments)
            {
                if (argument.NameEquals?.Name.Identifier.ValueText == name)
                {
                    return argument.GetLocation();
                }
            }
        }
        return syntax?.GetLocation() ?? Location.None;
    }

    private static string FirstMember(SchemaSpec schema) => schema.Columns.IsEmpty ? "Member" : schema.Columns[0].MemberName;

    private static string Members(SchemaSpec schema) => string.Join(", ", schema.Columns.Select(c => c.MemberName));

    private static string Text(SyntaxNode syntax) => System.Text.RegularExpressions.Regex.Replace(syntax.ToString(), @"\s+", " ");
}

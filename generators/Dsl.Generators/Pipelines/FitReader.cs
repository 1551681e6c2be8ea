using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Graph;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dsl.Generators.Pipelines;

/// <summary>
/// Reads a fit stage's body (its <see cref="IOperation"/> tree) for the statistics the first pass must gather: every
/// call on its <c>FitData&lt;TRow&gt;</c> parameter becomes a <see cref="FitRequestSpec"/> keyed exactly as the call
/// looks its answer up at run time (statistic, selector text as the compiler passes it to the
/// <c>[CallerArgumentExpression]</c> parameter, constant arguments including defaulted ones). Reports DSL2012
/// (a selector that is not <c>r =&gt; r.Member</c>), DSL2013 (an argument that is not a constant), DSL2014 (the
/// parameter used other than as the receiver of these calls, so the build could not see what it asks) and DSL2015
/// (a statistic on a column of the wrong type).
/// </summary>
internal static class FitReader
{
    /// <summary>The statistic each <c>FitData</c> method computes (<c>Median</c> is <c>Quantile</c> at 0.5).</summary>
    private static readonly Dictionary<string, string> s_statistics = new(System.StringComparer.Ordinal)
    {
        ["Count"] = "Count",
        ["NullCount"] = "NullCount",
        ["ValueCount"] = "ValueCount",
        ["Sum"] = "Sum",
        ["Mean"] = "Mean",
        ["Variance"] = "Variance",
        ["Std"] = "StdDev",
        ["SampleVariance"] = "SampleVariance",
        ["SampleStd"] = "SampleStdDev",
        ["Min"] = "Min",
        ["Max"] = "Max",
        ["MaxAbs"] = "MaxAbs",
        ["Distinct"] = "Distinct",
        ["ApproxDistinct"] = "ApproxDistinct",
        ["Quantile"] = "Quantile",
        ["Median"] = "Quantile",
        ["QuantileBoundaries"] = "QuantileBoundaries",
        ["Vocabulary"] = "Vocabulary",
        ["MostFrequent"] = "MostFrequent",
    };

    /// <summary>
    /// The fit stage <paramref name="method"/> (whose declaration <see cref="StageRules.StageProblems"/> accepted),
    /// or null when its body has a problem (reported to <paramref name="diagnostics"/>) or does not compile.
    /// </summary>
    public static FitDraft? Read(
        IMethodSymbol method,
        AttributeData attribute,
        MethodDeclarationSyntax declaration,
        SemanticModel semanticModel,
        string pipelineName,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken)
    {
        var rowType = (INamedTypeSymbol)StageRules.FitRowType(method.Parameters[0].Type)!;
        SchemaSpec? input = Schemas.SchemaGenerator.Parser.Parse(rowType, cancellationToken).Spec;
        if (input is null || semanticModel.GetOperation(declaration, cancellationToken) is not IMethodBodyOperation body)
        {
            return null; // A broken schema is SchemaAnalyzer's to report.
        }

        IParameterSymbol data = method.Parameters[0];
        var calls = new List<(int Position, FitRequestSpec Request)>();
        int before = diagnostics.Count;
        bool compiles = true;
        foreach (IOperation operation in body.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            compiles &= operation is not IInvalidOperation;
            if (operation is not IParameterReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Parameter, data))
            {
                continue;
            }
            if (reference.Parent is IInvalidOperation invalid)
            {
                // The call does not compile (the compiler says why); when it is a statistic on a column of the wrong
                // type, say so in the terms of the statistic as well.
                ReportInvalidCall(invalid, reference, input, method.Name, pipelineName, diagnostics);
                continue;
            }
            if (Misuse(reference, body) is { } misuse)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FitDataEscapes, reference.Syntax.GetLocation(), method.Name, pipelineName, data.Name, misuse));
                continue;
            }
            if (Request((IInvocationOperation)reference.Parent!, input, method.Name, pipelineName, diagnostics) is { } request)
            {
                calls.Add((reference.Syntax.SpanStart, request));
            }
        }
        if (!compiles || diagnostics.Count > before)
        {
            return null; // What does not compile, the compiler reports.
        }
        calls.Sort((a, b) => a.Position.CompareTo(b.Position));
        var requests = new List<FitRequestSpec>();
        foreach ((_, FitRequestSpec request) in calls)
        {
            if (!requests.Contains(request))
            {
                requests.Add(request); // A statistic asked twice is gathered once: both calls look up the same answer.
            }
        }

        string? from = null;
        Location? fromLocation = null;
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == "From" && argument.Value.Value is string value)
            {
                from = value;
                fromLocation = FromLocation(attribute, cancellationToken);
            }
        }
        return new FitDraft(method.Name, input, PipelineGenerator.Parser.Parameters((INamedTypeSymbol)method.ReturnType), from, requests.ToEquatableArray())
        {
            Location = declaration.Identifier.GetLocation(),
            FromLocation = fromLocation,
            InputTypeLocation = declaration.ParameterList.Parameters[0].Type?.GetLocation(),
            ReturnTypeLocation = declaration.ReturnType.GetLocation(),
        };
    }

    /// <summary>
    /// How <paramref name="reference"/> uses the <c>FitData</c> parameter other than as the receiver of a statistics
    /// call in the fit's own body ("passes ... to 'Helper'", "stores", "captures ... in a lambda"), or null when it is
    /// one.
    /// </summary>
    private static string? Misuse(IParameterReferenceOperation reference, IOperation body)
    {
        for (IOperation? at = reference.Parent; at is not null && at != body; at = at.Parent)
        {
            if (at is IAnonymousFunctionOperation)
            {
                return "captures in a lambda";
            }
            if (at is ILocalFunctionOperation)
            {
                return "captures in a local function";
            }
        }
        switch (reference.Parent)
        {
            case IInvocationOperation invocation when ReferenceEquals(invocation.Instance, reference):
                return IsFitDataMethod(invocation.TargetMethod) && s_statistics.ContainsKey(invocation.TargetMethod.Name)
                    ? null
                    : "calls '" + invocation.TargetMethod.Name + "()' on";
            case IArgumentOperation { Parent: IInvocationOperation call }:
                return "passes to '" + call.TargetMethod.Name + "()'";
            case IArgumentOperation { Parent: IObjectCreationOperation creation }:
                return "passes to a new '" + creation.Type?.Name + "'";
            case IArgumentOperation:
                return "passes on";
            case IVariableInitializerOperation:
            case ISimpleAssignmentOperation:
                return "stores";
            default:
                return "uses as a value";
        }
    }

    private static bool IsFitDataMethod(IMethodSymbol method) =>
        method.ContainingType is { } type && StageRules.FitRowType(type) is not null;

    /// <summary>What <paramref name="call"/> asks for, or null with its problems reported.</summary>
    private static FitRequestSpec? Request(IInvocationOperation call, SchemaSpec input, string fit, string pipelineName, List<DiagnosticInfo> diagnostics)
    {
        IMethodSymbol method = call.TargetMethod;
        string name = method.Name;
        string statistic = s_statistics[name];
        var arguments = new List<double>();
        if (name == "Median")
        {
            arguments.Add(0.5);
        }
        if (method.Parameters.Length == 0)
        {
            return new FitRequestSpec(statistic, string.Empty, string.Empty, arguments.ToEquatableArray());
        }

        var byOrdinal = new IArgumentOperation?[method.Parameters.Length];
        foreach (IArgumentOperation argument in call.Arguments)
        {
            if (argument.Parameter is { } parameter && parameter.Ordinal < byOrdinal.Length)
            {
                byOrdinal[parameter.Ordinal] = argument;
            }
        }
        bool valid = true;
        ColumnSpec? column = Column(byOrdinal[0], input, name, fit, pipelineName, diagnostics, out string selectorText);
        valid &= column is not null;
        string expression = selectorText;
        for (int p = 1; p < method.Parameters.Length; p++)
        {
            IParameterSymbol parameter = method.Parameters[p];
            IArgumentOperation? argument = byOrdinal[p];
            object? value = argument?.Value.ConstantValue is { HasValue: true } constant ? constant.Value : null;
            if (IsCallerArgumentExpression(parameter))
            {
                // Left out, the compiler passes the selector's text; given, the call looks its answer up by that.
                if (argument is { ArgumentKind: ArgumentKind.Explicit })
                {
                    if (value is string text)
                    {
                        expression = text;
                    }
                    else
                    {
                        diagnostics.Add(NotConstant(argument, parameter, name, fit, pipelineName));
                        valid = false;
                    }
                }
                continue;
            }
            if (argument is null || !TryNumber(value, out double number))
            {
                if (argument is not null)
                {
                    diagnostics.Add(NotConstant(argument, parameter, name, fit, pipelineName));
                }
                valid = false;
                continue;
            }
            arguments.Add(number);
        }
        bool stringOverload = method.Parameters[0].Type is INamedTypeSymbol { TypeArguments.Length: 2 } selector
            && selector.TypeArguments[1].SpecialType == SpecialType.System_String;
        if (column is not null && ColumnTypeProblem(statistic, stringOverload, column) is { } needs)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FitColumnTypeMismatch, byOrdinal[0]!.Value.Syntax.GetLocation(),
                fit, pipelineName, name, column.MemberName, input.Name, ColumnTypeName(column), needs));
            valid = false;
        }
        return valid ? new FitRequestSpec(statistic, column!.ColumnName, expression, arguments.ToEquatableArray()) : null;
    }

    /// <summary>
    /// DSL2015 for a statistics call that does not compile because its selector reads a column of the wrong type
    /// (<c>d.Mean(t =&gt; t.Name)</c> on a string): the compiler reports the conversion, this names the statistic's need.
    /// </summary>
    private static void ReportInvalidCall(IInvalidOperation invalid, IParameterReferenceOperation reference, SchemaSpec input, string fit, string pipelineName, List<DiagnosticInfo> diagnostics)
    {
        if (invalid.Syntax is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access }
            || access.Expression != reference.Syntax
            || !s_statistics.TryGetValue(access.Name.Identifier.ValueText, out string? statistic))
        {
            return;
        }
        foreach (IOperation child in invalid.ChildOperations)
        {
            if (child is IAnonymousFunctionOperation lambda
                && SelectedColumn(lambda, input, out _) is { } column
                && ColumnTypeProblem(statistic, null, column) is { } needs)
            {
                string name = access.Name.Identifier.ValueText;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FitColumnTypeMismatch, lambda.Syntax.GetLocation(),
                    fit, pipelineName, name, column.MemberName, input.Name, ColumnTypeName(column), needs));
                return;
            }
        }
    }

    /// <summary>
    /// The column the selector argument reads: a lambda returning one member of its row parameter, through implicit
    /// conversions only; null with DSL2012 reported otherwise. <paramref name="text"/> is the argument's source text,
    /// the string the compiler passes to the <c>[CallerArgumentExpression]</c> parameter.
    /// </summary>
    private static ColumnSpec? Column(IArgumentOperation? argument, SchemaSpec input, string name, string fit, string pipelineName, List<DiagnosticInfo> diagnostics, out string text)
    {
        text = argument?.Value.Syntax.ToString() ?? string.Empty;
        if (argument is null)
        {
            return null;
        }
        string why;
        string parameterName = "r";
        IOperation value = argument.Value;
        while (value is IConversionOperation { IsImplicit: true } wrapper)
        {
            value = wrapper.Operand;
        }
        if (value is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda } && lambda.Symbol.Parameters.Length == 1)
        {
            parameterName = lambda.Symbol.Parameters[0].Name;
            if (SelectedColumn(lambda, input, out why) is { } column)
            {
                return column;
            }
        }
        else
        {
            why = "is not a lambda";
        }
        string example = parameterName + " => " + parameterName + "." + (input.Columns.IsEmpty ? "Member" : input.Columns[0].MemberName);
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FitSelectorInvalid, argument.Value.Syntax.GetLocation(),
            fit, pipelineName, name, text, why, input.Name, example));
        return null;
    }

    /// <summary>
    /// The column <paramref name="lambda"/> returns: one member of its single parameter, through implicit conversions
    /// only; null with <paramref name="why"/> saying what it does instead.
    /// </summary>
    private static ColumnSpec? SelectedColumn(IAnonymousFunctionOperation lambda, SchemaSpec input, out string why)
    {
        if (lambda.Symbol.Parameters.Length != 1)
        {
            why = "does not take one row";
            return null;
        }
        IParameterSymbol row = lambda.Symbol.Parameters[0];
        IOperation? returned = lambda.Body.Operations.Length == 1 && lambda.Body.Operations[0] is IReturnOperation { ReturnedValue: { } result } ? result : null;
        while (returned is IConversionOperation { IsImplicit: true } conversion)
        {
            returned = conversion.Operand;
        }
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

    private static DiagnosticInfo NotConstant(IArgumentOperation argument, IParameterSymbol parameter, string name, string fit, string pipelineName) =>
        DiagnosticInfo.Create(DiagnosticDescriptors.FitArgumentNotConstant, argument.Value.Syntax.GetLocation(),
            fit, pipelineName, name, parameter.Name, argument.Value.Syntax.ToString());

    private static bool IsCallerArgumentExpression(IParameterSymbol parameter)
    {
        foreach (AttributeData attribute in parameter.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.CallerArgumentExpressionAttribute")
            {
                return true;
            }
        }
        return false;
    }

    private static bool TryNumber(object? value, out double number)
    {
        switch (value)
        {
            case double d:
                number = d;
                return true;
            case float f:
                number = f;
                return true;
            case int or long or short or sbyte or byte or ushort or uint or ulong:
                number = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
                return true;
            default:
                number = 0;
                return false;
        }
    }

    /// <summary>
    /// What kind of column <paramref name="statistic"/> needs, when <paramref name="column"/> is not one.
    /// <paramref name="stringOverload"/>: whether the call is <c>MostFrequent</c> of a string (null when the call
    /// bound to no overload).
    /// </summary>
    private static string? ColumnTypeProblem(string statistic, bool? stringOverload, ColumnSpec column)
    {
        switch (statistic)
        {
            case "NullCount":
            case "ValueCount":
                return null;
            case "Distinct":
            case "ApproxDistinct":
                return column.IsList ? "a column of single values (not a list)" : null;
            case "Vocabulary":
                return column.Kind == ColumnKind.String ? null : "a string column";
            case "MostFrequent" when stringOverload is null:
                return column.Kind == ColumnKind.String || IsNumber(column.Kind) ? null : "a number or string column";
            case "MostFrequent" when stringOverload == true:
                return column.Kind == ColumnKind.String ? null : "a string column";
            default:
                return IsNumber(column.Kind) ? null : "a number column (sbyte, byte, short, ushort, int, uint, long, ulong, float or double)";
        }
    }

    private static bool IsNumber(ColumnKind kind) => kind is ColumnKind.Int8 or ColumnKind.Int16 or ColumnKind.Int32 or ColumnKind.Int64
        or ColumnKind.UInt8 or ColumnKind.UInt16 or ColumnKind.UInt32 or ColumnKind.UInt64 or ColumnKind.Float or ColumnKind.Double;

    private static string ColumnTypeName(ColumnSpec column) => column.Kind switch
    {
        ColumnKind.Timestamp => "DateTime",
        ColumnKind.Date => "DateOnly",
        _ => column.ValueType.Replace("global::System.", string.Empty).Replace("global::", string.Empty),
    };

    private static Location? FromLocation(AttributeData attribute, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList: { } arguments })
        {
            foreach (AttributeArgumentSyntax argument in arguments.Arguments)
            {
                if (argument.NameEquals?.Name.Identifier.ValueText == "From")
                {
                    return argument.Expression.GetLocation();
                }
            }
        }
        return null;
    }
}

using System;
using System.Collections.Generic;
using System.Threading;
using Dsl.Generators.Common;
using Dsl.Generators.Kernels;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dsl.Generators.Pipelines;

/// <summary>
/// Finds, in a filter's body, the top-level <c>&amp;&amp;</c> conjuncts that compare one input column with a constant
/// (<c>t.Amount &gt;= 0</c>, <c>t.Country == "US"</c>, <c>t.X is null</c>, <c>t.X is not null</c>, <c>t.Flag</c>).
/// Every kept row satisfies each of them, so a scan may skip row groups whose statistics rule one out. An <c>||</c>
/// or an <c>or</c> pattern whose every branch is such a comparison on the same column (<c>t.Status is 0 or 1 or 2</c>,
/// <c>t.Code == 3 || t.Code &gt; 90</c>) becomes one <c>AnyOf</c> condition. Anything else (a call, a computed operand,
/// branches on different columns) is left out, which is always safe.
/// </summary>
internal static class ScanPredicateExtractor
{
    public static EquatableArray<ScanPredicateSpec> Extract(
        MethodDeclarationSyntax declaration,
        SemanticModel semanticModel,
        IParameterSymbol row,
        SchemaSpec input,
        CancellationToken cancellationToken)
    {
        if (semanticModel.GetOperation(declaration, cancellationToken) is not IMethodBodyOperation body
            || (body.ExpressionBody ?? body.BlockBody) is not { Operations: { Length: 1 } operations }
            || operations[0] is not IReturnOperation { ReturnedValue: { } returned })
        {
            return EquatableArray<ScanPredicateSpec>.Empty;
        }
        var predicates = new List<ScanPredicateSpec>();
        Collect(returned, row, input, predicates, cancellationToken);
        return predicates.ToEquatableArray();
    }

    private static void Collect(IOperation operation, IParameterSymbol row, SchemaSpec input, List<ScanPredicateSpec> predicates, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        operation = Strip(operation);
        switch (operation)
        {
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and:
                Collect(and.LeftOperand, row, input, predicates, cancellationToken);
                Collect(and.RightOperand, row, input, predicates, cancellationToken);
                return;

            case IBinaryOperation { OperatorMethod: null } binary when Operator(binary.OperatorKind) is { } op:
                if (Column(binary.LeftOperand, row, input) is { } left && Constant(binary.RightOperand, left) is { } right)
                {
                    Add(predicates, left, op, right);
                }
                else if (Column(binary.RightOperand, row, input) is { } right2 && Constant(binary.LeftOperand, right2) is { } left2)
                {
                    Add(predicates, right2, Flip(op), left2);
                }
                return;

            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } or:
                AddAnyOf(predicates, Alternatives(or, row, input, cancellationToken));
                return;

            case IIsPatternOperation { Pattern: IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } } orPattern when Column(orPattern.Value, row, input) is { } patterned:
                AddAnyOf(predicates, PatternAlternatives(orPattern.Pattern, patterned));
                return;

            case IIsPatternOperation isPattern when Column(isPattern.Value, row, input) is { } column:
                switch (isPattern.Pattern)
                {
                    case IConstantPatternOperation constant when Constant(constant.Value, column) is { } value:
                        Add(predicates, column, "Equal", value);
                        return;
                    case INegatedPatternOperation { Pattern: IConstantPatternOperation constant } when Constant(constant.Value, column) is { } value:
                        Add(predicates, column, "NotEqual", value);
                        return;
                    case IRelationalPatternOperation relational when Operator(relational.OperatorKind) is { } op && Constant(relational.Value, column) is { } value:
                        Add(predicates, column, op, value);
                        return;
                }
                return;

            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, OperatorMethod: null } not
                when Column(not.Operand, row, input) is { Kind: ColumnKind.Boolean, Nullable: false } flag:
                predicates.Add(new ScanPredicateSpec(flag.ColumnName, "Equal", "false"));
                return;

            default:
                if (Column(operation, row, input) is { Kind: ColumnKind.Boolean, Nullable: false } boolean)
                {
                    predicates.Add(new ScanPredicateSpec(boolean.ColumnName, "Equal", "true"));
                }
                return;
        }
    }

    // The branches of an '||' tree, each a single condition; null when one is not (then nothing can be said).
    private static List<ScanPredicateSpec>? Alternatives(IOperation operation, IParameterSymbol row, SchemaSpec input, CancellationToken cancellationToken)
    {
        operation = Strip(operation);
        if (operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } or)
        {
            List<ScanPredicateSpec>? left = Alternatives(or.LeftOperand, row, input, cancellationToken);
            List<ScanPredicateSpec>? right = left is null ? null : Alternatives(or.RightOperand, row, input, cancellationToken);
            if (left is null || right is null)
            {
                return null;
            }
            left.AddRange(right);
            return left;
        }
        if (operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd })
        {
            return null;
        }
        var single = new List<ScanPredicateSpec>();
        Collect(operation, row, input, single, cancellationToken);
        return single.Count == 1 ? single : null;
    }

    // The branches of an 'or' pattern over one column, each a constant or relational pattern; null otherwise.
    private static List<ScanPredicateSpec>? PatternAlternatives(IPatternOperation pattern, ColumnSpec column)
    {
        switch (pattern)
        {
            case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } or:
                List<ScanPredicateSpec>? left = PatternAlternatives(or.LeftPattern, column);
                List<ScanPredicateSpec>? right = left is null ? null : PatternAlternatives(or.RightPattern, column);
                if (left is null || right is null)
                {
                    return null;
                }
                left.AddRange(right);
                return left;
            case IConstantPatternOperation constant when Constant(constant.Value, column) is { } value:
                return Single(column, "Equal", value);
            case IRelationalPatternOperation relational when Operator(relational.OperatorKind) is { } op && Constant(relational.Value, column) is { } value:
                return Single(column, op, value);
            default:
                return null;
        }
    }

    private static List<ScanPredicateSpec>? Single(ColumnSpec column, string op, string value)
    {
        var one = new List<ScanPredicateSpec>();
        Add(one, column, op, value);
        return one.Count == 1 ? one : null;
    }

    private static void AddAnyOf(List<ScanPredicateSpec> predicates, List<ScanPredicateSpec>? alternatives)
    {
        if (alternatives is { Count: > 0 } && alternatives.TrueForAll(a => a.Column == alternatives[0].Column && a.Operator != "AnyOf"))
        {
            predicates.Add(alternatives.Count == 1 ? alternatives[0] : ScanPredicateSpec.AnyOf(alternatives[0].Column, alternatives));
        }
    }

    private static void Add(List<ScanPredicateSpec> predicates, ColumnSpec column, string op, string value)
    {
        if (value == "null")
        {
            if (op is "Equal" or "NotEqual" && column.Nullable)
            {
                predicates.Add(new ScanPredicateSpec(column.ColumnName, op == "Equal" ? "IsNull" : "IsNotNull", "null"));
            }
            return;
        }
        predicates.Add(new ScanPredicateSpec(column.ColumnName, op, value));
    }

    /// <summary>The input column <paramref name="operation"/> reads directly (<c>row.Member</c>), or null.</summary>
    private static ColumnSpec? Column(IOperation operation, IParameterSymbol row, SchemaSpec input) =>
        Strip(operation) is IPropertyReferenceOperation { Instance: IParameterReferenceOperation reference, Property: var property }
            && SymbolEqualityComparer.Default.Equals(reference.Parameter, row)
            ? input.FindMember(property.Name)
            : null;

    /// <summary>C# source of the constant <paramref name="operation"/> converted to <paramref name="column"/>'s type, or null.</summary>
    private static string? Constant(IOperation operation, ColumnSpec column)
    {
        IOperation inner = operation;
        while (!inner.ConstantValue.HasValue && inner is IConversionOperation { IsImplicit: true } conversion)
        {
            inner = conversion.Operand;
        }
        if (!inner.ConstantValue.HasValue)
        {
            return null;
        }
        object? value = inner.ConstantValue.Value;
        if (value is null)
        {
            return "null";
        }
        try
        {
            object? converted = column.Kind switch
            {
                ColumnKind.Int32 when value is int or short or sbyte or byte or char => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture),
                ColumnKind.Int64 when value is long or int or short or sbyte or byte or uint or ushort or char => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
                ColumnKind.Double when value is double or float or long or int or short or sbyte or byte or uint or ushort or ulong => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
                ColumnKind.Float when value is float or long or int or short or sbyte or byte or uint or ushort or ulong => Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture),
                ColumnKind.Boolean when value is bool => value,
                ColumnKind.String when value is string => value,
                _ => null,
            };
            return converted is null ? null : KernelLowering.ConstantText(converted);
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static IOperation Strip(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true, OperatorMethod: null } conversion)
        {
            operation = conversion.Operand;
        }
        return operation;
    }

    private static string? Operator(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Equals => "Equal",
        BinaryOperatorKind.NotEquals => "NotEqual",
        BinaryOperatorKind.LessThan => "LessThan",
        BinaryOperatorKind.LessThanOrEqual => "LessThanOrEqual",
        BinaryOperatorKind.GreaterThan => "GreaterThan",
        BinaryOperatorKind.GreaterThanOrEqual => "GreaterThanOrEqual",
        _ => null,
    };

    private static string Flip(string op) => op switch
    {
        "LessThan" => "GreaterThan",
        "LessThanOrEqual" => "GreaterThanOrEqual",
        "GreaterThan" => "LessThan",
        "GreaterThanOrEqual" => "LessThanOrEqual",
        _ => op,
    };
}

using System;
using System.Collections.Generic;
using System.Globalization;
using Dsl.Generators.Common;
using Dsl.Generators.Kernels;
using Dsl.Generators.Model;

namespace Dsl.Generators.Pipelines;

/// <summary>
/// Finds, in a filter's lowered condition (<see cref="KernelLowering.ScanCondition"/>), the top-level <c>&amp;&amp;</c>
/// conjuncts that compare one input column with a constant (<c>t.Amount &gt;= 0</c>, <c>t.Country == "US"</c>,
/// <c>t.X is null</c>, <c>t.X is not null</c>, <c>t.Flag</c>). Every kept row satisfies each of them, so a scan may
/// skip row groups whose statistics rule one out. An <c>||</c> or an <c>or</c> pattern whose every branch is such a
/// comparison on the same column (<c>t.Status is 0 or 1 or 2</c>, <c>t.Code == 3 || t.Code &gt; 90</c>) becomes one
/// <c>AnyOf</c> condition. Anything else (a call, a computed operand, branches on different columns) is left out,
/// which is always safe.
/// </summary>
internal static class ScanPredicateExtractor
{
    public static EquatableArray<ScanPredicateSpec> Extract(KernelExpr? condition, SchemaSpec input)
    {
        if (condition is null)
        {
            return EquatableArray<ScanPredicateSpec>.Empty;
        }
        var predicates = new List<ScanPredicateSpec>();
        Collect(condition, input, predicates);
        return predicates.ToEquatableArray();
    }

    private static void Collect(KernelExpr e, SchemaSpec input, List<ScanPredicateSpec> predicates)
    {
        switch (e.Kind)
        {
            case KernelExprKind.Binary when e.Op == KernelOp.ConditionalAnd:
                Collect(e.Operands[0], input, predicates);
                Collect(e.Operands[1], input, predicates);
                return;

            case KernelExprKind.Binary when Operator(e.Op) is { } op:
                if (Column(e.Operands[0], input) is { } left && Constant(e.Operands[1], left) is { } right)
                {
                    Add(predicates, left, op, right);
                }
                else if (Column(e.Operands[1], input) is { } right2 && Constant(e.Operands[0], right2) is { } left2)
                {
                    Add(predicates, right2, Operator(KernelOps.Flip(e.Op))!, left2);
                }
                return;

            case KernelExprKind.Binary when e.Op == KernelOp.ConditionalOr:
                AddAnyOf(predicates, Alternatives(e, input));
                return;

            case KernelExprKind.IsPattern when Column(e.Operands[0], input) is { } column:
            {
                KernelExpr pattern = e.Operands[1];
                switch (pattern.Kind)
                {
                    case KernelExprKind.PatternOr:
                        AddAnyOf(predicates, PatternAlternatives(pattern, column));
                        return;
                    case KernelExprKind.PatternConstant when Constant(pattern.Operands[0], column) is { } value:
                        Add(predicates, column, "Equal", value);
                        return;
                    case KernelExprKind.PatternNot when pattern.Operands[0] is { Kind: KernelExprKind.PatternConstant } constant
                        && Constant(constant.Operands[0], column) is { } value:
                        Add(predicates, column, "NotEqual", value);
                        return;
                    case KernelExprKind.PatternRelational when Operator(pattern.Op) is { } op && Constant(pattern.Operands[0], column) is { } value:
                        Add(predicates, column, op, value);
                        return;
                }
                return;
            }

            case KernelExprKind.Unary when e.Op == KernelOp.Not && Column(e.Operands[0], input) is { Kind: ColumnKind.Boolean, Nullable: false } flag:
                predicates.Add(new ScanPredicateSpec(flag.ColumnName, "Equal", "false"));
                return;

            default:
                if (Column(e, input) is { Kind: ColumnKind.Boolean, Nullable: false } boolean)
                {
                    predicates.Add(new ScanPredicateSpec(boolean.ColumnName, "Equal", "true"));
                }
                return;
        }
    }

    // The branches of an '||' tree, each a single condition; null when one is not (then nothing can be said).
    private static List<ScanPredicateSpec>? Alternatives(KernelExpr e, SchemaSpec input)
    {
        if (e.Kind == KernelExprKind.Binary && e.Op == KernelOp.ConditionalOr)
        {
            List<ScanPredicateSpec>? left = Alternatives(e.Operands[0], input);
            List<ScanPredicateSpec>? right = left is null ? null : Alternatives(e.Operands[1], input);
            if (left is null || right is null)
            {
                return null;
            }
            left.AddRange(right);
            return left;
        }
        if (e.Kind == KernelExprKind.Binary && e.Op == KernelOp.ConditionalAnd)
        {
            return null;
        }
        var single = new List<ScanPredicateSpec>();
        Collect(e, input, single);
        return single.Count == 1 ? single : null;
    }

    // The branches of an 'or' pattern over one column, each a constant or relational pattern; null otherwise.
    private static List<ScanPredicateSpec>? PatternAlternatives(KernelExpr pattern, ColumnSpec column)
    {
        switch (pattern.Kind)
        {
            case KernelExprKind.PatternOr:
                List<ScanPredicateSpec>? left = PatternAlternatives(pattern.Operands[0], column);
                List<ScanPredicateSpec>? right = left is null ? null : PatternAlternatives(pattern.Operands[1], column);
                if (left is null || right is null)
                {
                    return null;
                }
                left.AddRange(right);
                return left;
            case KernelExprKind.PatternConstant when Constant(pattern.Operands[0], column) is { } value:
                return Single(column, "Equal", value);
            case KernelExprKind.PatternRelational when Operator(pattern.Op) is { } op && Constant(pattern.Operands[0], column) is { } value:
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

    /// <summary>The input column <paramref name="e"/> reads directly (<c>row.Member</c>), or null.</summary>
    private static ColumnSpec? Column(KernelExpr e, SchemaSpec input) =>
        e.Kind == KernelExprKind.Column ? input.FindMember(e.Text) : null;

    /// <summary>C# source of the constant <paramref name="e"/> converted to <paramref name="column"/>'s type, "null", or null when it is no constant.</summary>
    private static string? Constant(KernelExpr e, ColumnSpec column)
    {
        if (e.IsNullLiteral)
        {
            return "null";
        }
        if (e.Constant is not { } text)
        {
            return null;
        }
        CultureInfo invariant = CultureInfo.InvariantCulture;
        KernelTypeKind kind = e.Type.Kind;
        try
        {
            object? converted = column.Kind switch
            {
                ColumnKind.Int32 when kind is KernelTypeKind.Int32 or KernelTypeKind.Int16 or KernelTypeKind.SByte or KernelTypeKind.Byte or KernelTypeKind.Char =>
                    kind == KernelTypeKind.Char ? text[0] : int.Parse(text, NumberStyles.Integer, invariant),
                ColumnKind.Int64 when kind is KernelTypeKind.Int64 or KernelTypeKind.Int32 or KernelTypeKind.Int16 or KernelTypeKind.SByte or KernelTypeKind.Byte
                    or KernelTypeKind.UInt32 or KernelTypeKind.UInt16 or KernelTypeKind.Char =>
                    kind == KernelTypeKind.Char ? (long)text[0] : long.Parse(text, NumberStyles.Integer, invariant),
                ColumnKind.Double when kind is KernelTypeKind.Double or KernelTypeKind.Single or KernelTypeKind.Int64 or KernelTypeKind.Int32 or KernelTypeKind.Int16
                    or KernelTypeKind.SByte or KernelTypeKind.Byte or KernelTypeKind.UInt32 or KernelTypeKind.UInt16 or KernelTypeKind.UInt64 =>
                    kind == KernelTypeKind.Single ? (double)float.Parse(text, NumberStyles.Float, invariant)
                    : kind == KernelTypeKind.UInt64 ? (double)ulong.Parse(text, NumberStyles.Integer, invariant)
                    : double.Parse(text, NumberStyles.Float, invariant),
                ColumnKind.Float when kind is KernelTypeKind.Single or KernelTypeKind.Int64 or KernelTypeKind.Int32 or KernelTypeKind.Int16 or KernelTypeKind.SByte
                    or KernelTypeKind.Byte or KernelTypeKind.UInt32 or KernelTypeKind.UInt16 or KernelTypeKind.UInt64 =>
                    kind == KernelTypeKind.Single ? float.Parse(text, NumberStyles.Float, invariant)
                    : kind == KernelTypeKind.UInt64 ? (float)ulong.Parse(text, NumberStyles.Integer, invariant)
                    : (float)long.Parse(text, NumberStyles.Integer, invariant),
                ColumnKind.Boolean when kind == KernelTypeKind.Bool => text == "true",
                ColumnKind.String when kind == KernelTypeKind.String => text,
                _ => null,
            };
            return converted is null ? null : KernelLowering.ConstantText(converted);
        }
        catch (FormatException)
        {
            return null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static string? Operator(KernelOp op) => op switch
    {
        KernelOp.Equals => "Equal",
        KernelOp.NotEquals => "NotEqual",
        KernelOp.LessThan => "LessThan",
        KernelOp.LessThanOrEqual => "LessThanOrEqual",
        KernelOp.GreaterThan => "GreaterThan",
        KernelOp.GreaterThanOrEqual => "GreaterThanOrEqual",
        _ => null,
    };
}

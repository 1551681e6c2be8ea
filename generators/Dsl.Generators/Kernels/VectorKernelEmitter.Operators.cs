using System.Collections.Generic;
using System.Globalization;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

// Operators and conversions in vector lanes: arithmetic, comparisons, logic, conditionals and coalescing.
internal sealed partial class VectorKernelEmitter
{
    private VValue? Binary(KernelExpr e)
    {
        KernelOp op = e.Op;
        KernelExpr leftExpr = e.Operands[0];
        KernelExpr rightExpr = e.Operands[1];

        // x == null, x != null on a nullable value.
        if (op is KernelOp.Equals or KernelOp.NotEquals && (leftExpr.IsNullLiteral || rightExpr.IsNullLiteral))
        {
            VValue? other = Eval(leftExpr.IsNullLiteral ? rightExpr : leftExpr);
            if (other?.Valid is null)
            {
                return null;
            }
            return new VValue(VKind.Bool, op == KernelOp.Equals ? "~" + other.Valid : other.Valid, null);
        }

        VValue? left = Eval(leftExpr);
        VValue? right;
        if (left is not null && op is KernelOp.ConditionalAnd or KernelOp.ConditionalOr && left.Kind == VKind.Bool && left.Valid is null && MayHandBack(rightExpr))
        {
            // The scalar code evaluates the right side only where the left does not decide.
            left = Materialize(op == KernelOp.ConditionalAnd ? "left" : "leftOr", left);
            right = Under(op == KernelOp.ConditionalAnd ? left.Code : "~" + left.Code, () => Eval(rightExpr));
        }
        else
        {
            right = left is null ? null : Eval(rightExpr);
        }
        if (left is null || right is null || left.Kind is VKind.String || right.Kind is VKind.String)
        {
            return null;
        }
        if ((left.Kind == VKind.DateTime || right.Kind == VKind.DateTime) && !(left.Kind == right.Kind && KernelOps.IsComparison(op)))
        {
            // Two DateTimes compare by their ticks (Kind is ignored), so their stored microseconds compare the same way.
            return null;
        }
        TypeInfo? result = TypeInfo.Of(e.Type);
        if (result is null)
        {
            return null;
        }

        if (op is KernelOp.ConditionalAnd or KernelOp.ConditionalOr || (result.Value.Kind == VKind.Bool && op is KernelOp.And or KernelOp.Or or KernelOp.ExclusiveOr && left.Kind == VKind.Bool))
        {
            if (left.Kind != VKind.Bool || right.Kind != VKind.Bool || left.Valid is not null || right.Valid is not null)
            {
                return null;
            }
            // Both sides were evaluated for every lane (they cannot throw), so && and || are the plain mask operators.
            string token = op switch
            {
                KernelOp.ConditionalAnd or KernelOp.And => "&",
                KernelOp.ConditionalOr or KernelOp.Or => "|",
                _ => "^",
            };
            return new VValue(VKind.Bool, Parenthesize(left.Code) + " " + token + " " + Parenthesize(right.Code), null);
        }

        string? valid = And(left.Valid, right.Valid);
        if (KernelOps.IsComparison(op))
        {
            VKind? common = left.Kind == right.Kind ? left.Kind : Promote(left.Kind, right.Kind);
            if (common is null)
            {
                return null;
            }
            VValue? a = Convert(left with { Valid = null }, common.Value, false);
            VValue? b = Convert(right with { Valid = null }, common.Value, false);
            if (a is null || b is null)
            {
                return null;
            }
            string compare;
            if (common == VKind.Bool)
            {
                if (op is not (KernelOp.Equals or KernelOp.NotEquals))
                {
                    return null;
                }
                compare = "~(" + a.Code + " ^ " + b.Code + ")";
            }
            else
            {
                string method = op switch
                {
                    KernelOp.Equals or KernelOp.NotEquals => "Equals",
                    KernelOp.LessThan => "LessThan",
                    KernelOp.LessThanOrEqual => "LessThanOrEqual",
                    KernelOp.GreaterThan => "GreaterThan",
                    _ => "GreaterThanOrEqual",
                };
                compare = ToMask(common.Value, VectorClass(common.Value) + "." + method + "(" + a.Code + ", " + b.Code + ")");
            }
            if (valid is null)
            {
                return new VValue(VKind.Bool, op == KernelOp.NotEquals ? "~" + Parenthesize(compare) : compare, null);
            }
            if (op is KernelOp.Equals or KernelOp.NotEquals)
            {
                // Lifted equality: two nulls are equal, a null and a value are not.
                string lv = left.Valid ?? V256 + "<long>.AllBitsSet";
                string rv = right.Valid ?? V256 + "<long>.AllBitsSet";
                string equal = "(" + valid + " & " + Parenthesize(compare) + ") | ~(" + lv + " | " + rv + ")";
                return new VValue(VKind.Bool, op == KernelOp.NotEquals ? "~(" + equal + ")" : equal, null);
            }
            return new VValue(VKind.Bool, valid + " & " + Parenthesize(compare), null);
        }

        // Arithmetic and bitwise operators on numbers, in the result type.
        VKind kind = result.Value.Kind;
        if (kind is VKind.Bool or VKind.String or VKind.DateTime or VKind.DayOfWeek or VKind.Date)
        {
            return null;
        }
        bool integral = kind is VKind.Int or VKind.Long;
        if (integral && op is KernelOp.Divide or KernelOp.Remainder)
        {
            return IntegerDivision(op, rightExpr, left, right, kind, valid); // throws the same way checked or not
        }
        if (integral && e.Overflow == OverflowMode.Checked)
        {
            return DeclineNull("'" + Describe(e) + "'", "checked integer arithmetic throws OverflowException and has no vector form");
        }
        VValue? x = Convert(left with { Valid = null }, kind, false);
        VValue? y = Convert(right with { Valid = null }, kind, false);
        if (x is null || y is null)
        {
            return null;
        }
        string code;
        switch (op)
        {
            case KernelOp.Add:
            case KernelOp.Subtract:
            case KernelOp.Multiply:
                code = Parenthesize(x.Code) + " " + KernelOps.Token(op) + " " + Parenthesize(y.Code);
                break;
            case KernelOp.Divide when !integral:
                code = Parenthesize(x.Code) + " / " + Parenthesize(y.Code);
                break;
            case KernelOp.Remainder when !integral:
            {
                string a = Materialize("dividend", x).Code;
                string b = Materialize("divisor", y).Code;
                code = PerLane(kind, k => a + "[" + k + "] % " + b + "[" + k + "]");
                break;
            }
            case KernelOp.And or KernelOp.Or or KernelOp.ExclusiveOr when integral:
                code = Parenthesize(x.Code) + " " + KernelOps.Token(op) + " " + Parenthesize(y.Code);
                break;
            default:
                return DeclineNull("'" + Describe(e) + "'", "the operator '" + KernelOps.Token(op) + "' has no vector form on " + e.Type.Kind);
        }
        return new VValue(kind, code, valid);
    }

    private VValue? Unary(KernelExpr e)
    {
        VValue? operand = Eval(e.Operands[0]);
        TypeInfo? t = TypeInfo.Of(e.Type);
        if (operand is null || t is null)
        {
            return null;
        }
        switch (e.Op)
        {
            case KernelOp.Not when operand.Kind == VKind.Bool && operand.Valid is null:
                return new VValue(VKind.Bool, "~" + Parenthesize(operand.Code), null);
            case KernelOp.Plus:
                return Convert(operand, t.Value.Kind, operand.Valid is not null);
            case KernelOp.Negate when e.Operands[0].Kind == KernelExprKind.Literal && operand.Literal is { } literal && operand.Kind == t.Value.Kind
                && NegatedLiteral(operand.Kind, literal, e.Constant) is { } negated:
                // A negative constant (-1, -2.5): written as one, as the user wrote it.
                return new VValue(operand.Kind, ConstantVector(operand.Kind, negated), null, negated);
            case KernelOp.Negate when e.Overflow != OverflowMode.Checked:
            case KernelOp.BitwiseNot:
            {
                VValue? x = Convert(operand, t.Value.Kind, operand.Valid is not null);
                if (x is null)
                {
                    return null;
                }
                // The result is no longer the operand's literal, so a later conversion must not rewrite that constant.
                return x.Kind switch
                {
                    VKind.Double or VKind.Float when e.Op == KernelOp.Negate => x with { Code = VM + ".Negate(" + x.Code + ")", Literal = null },
                    VKind.Int or VKind.Long when e.Op == KernelOp.Negate => x with { Code = VectorType(x.Kind) + ".Zero - " + Parenthesize(x.Code), Literal = null },
                    VKind.Int or VKind.Long => x with { Code = "~" + Parenthesize(x.Code), Literal = null },
                    _ => null,
                };
            }
            default:
                return null;
        }
    }

    private VValue? Conversion(KernelExpr e)
    {
        TypeInfo? t = TypeInfo.Of(e.Type);
        VValue? operand = Eval(e.Operands[0]);
        if (t is null || operand is null || (e.Overflow == OverflowMode.Checked && operand.Kind != t.Value.Kind))
        {
            return null;
        }
        if (operand.Valid is not null && !t.Value.Nullable)
        {
            return null; // (double)nullable throws on null.
        }
        return Convert(operand, t.Value.Kind, t.Value.Nullable);
    }

    private VValue? Conditional(KernelExpr e)
    {
        TypeInfo? t = TypeInfo.Of(e.Type);
        VValue? condition = t is null || t.Value.Kind is VKind.String ? null : Eval(e.Operands[0]);
        if (condition is null || condition.Kind != VKind.Bool || condition.Valid is not null)
        {
            return null;
        }
        VValue? a;
        VValue? b;
        if (MayHandBack(e.Operands[1]) || MayHandBack(e.Operands[2]))
        {
            // The scalar code evaluates each branch only for its own rows.
            condition = Materialize("condition", condition);
            a = Under(condition.Code, () => EvalAs(e.Operands[1], t!.Value));
            b = a is null ? null : Under("~" + condition.Code, () => EvalAs(e.Operands[2], t!.Value));
        }
        else
        {
            a = EvalAs(e.Operands[1], t!.Value);
            b = a is null ? null : EvalAs(e.Operands[2], t.Value);
        }
        if (a is null || b is null)
        {
            return null;
        }
        string mask = Materialize("condition", condition).Code;
        string code = VectorClass(a.Kind) + ".ConditionalSelect(" + MaskFor(a.Kind, mask) + ", " + a.Code + ", " + b.Code + ")";
        string? valid = a.Valid is null && b.Valid is null ? null
            : V256 + ".ConditionalSelect(" + mask + ", " + (a.Valid ?? V256 + "<long>.AllBitsSet") + ", " + (b.Valid ?? V256 + "<long>.AllBitsSet") + ")";
        return new VValue(a.Kind, code, valid);
    }

    private VValue? Coalesce(KernelExpr e)
    {
        TypeInfo? t = TypeInfo.Of(e.Type);
        VValue? value = Eval(e.Operands[0]);
        if (t is null || value?.Valid is null || t.Value.Kind is VKind.String)
        {
            return null;
        }
        VValue? a = Convert(value, t.Value.Kind, true);
        if (a is null)
        {
            return null;
        }
        string? hasValue = null;
        VValue? fallback;
        if (MayHandBack(e.Operands[1]))
        {
            // The scalar code evaluates the fallback only for null rows.
            hasValue = Materialize("hasValue", new VValue(VKind.Bool, a.Valid!, null)).Code;
            fallback = Under("~" + hasValue, () => Eval(e.Operands[1]));
        }
        else
        {
            fallback = Eval(e.Operands[1]);
        }
        VValue? b = fallback is null ? null : Convert(fallback, t.Value.Kind, fallback.Valid is not null);
        if (b is null)
        {
            return null;
        }
        string valid = hasValue ?? Materialize("hasValue", new VValue(VKind.Bool, a.Valid!, null)).Code;
        string code = VectorClass(a.Kind) + ".ConditionalSelect(" + MaskFor(a.Kind, valid) + ", " + a.Code + ", " + b.Code + ")";
        return new VValue(a.Kind, code, t.Value.Nullable ? (b.Valid is null ? null : valid + " | " + b.Valid) : null);
    }

    /// <summary>Converts <paramref name="value"/> to <paramref name="kind"/> exactly as C#'s implicit or unchecked explicit conversion does.</summary>
    private VValue? Convert(VValue value, VKind kind, bool nullable)
    {
        if (value.Valid is not null && !nullable)
        {
            return null;
        }
        string? valid = nullable ? value.Valid : null;
        if (value.Kind == kind)
        {
            return new VValue(kind, value.Code, valid, value.Literal);
        }
        if (value.Literal is not null && kind is VKind.Double or VKind.Float or VKind.Int or VKind.Long && value.Kind is not VKind.Bool)
        {
            // C# converts the constant at compile time exactly as it would at run time.
            return new VValue(kind, ConstantVector(kind, value.Literal), valid, null);
        }
        string? code = (value.Kind, kind) switch
        {
            (VKind.Int, VKind.Long) => VM + ".ToInt64(" + value.Code + ")",
            (VKind.Int, VKind.Double) or (VKind.Float, VKind.Double) or (VKind.Long, VKind.Double) => VM + ".ToDouble(" + value.Code + ")",
            (VKind.Int, VKind.Float) or (VKind.Long, VKind.Float) or (VKind.Double, VKind.Float) => VM + ".ToSingle(" + value.Code + ")",
            (VKind.DayOfWeek, VKind.Int) => value.Code,
            (VKind.Long, VKind.Int) => Narrow(Materialize("wide", value).Code),
            (VKind.Double or VKind.Float, VKind.Int or VKind.Long) => PerLaneConversion(value, kind),
            _ => null,
        };
        return code is null ? null : new VValue(kind, code, valid);
    }

    /// <summary>
    /// The C# text of the negated literal <paramref name="literal"/>, or null where that is not simple: an integer is
    /// written as the value C# folded it to (<paramref name="value"/>, so -0 stays 0, which must not become -0.0 when
    /// converted), a real with the sign before the user's literal (-0.0 is negative zero, as in C#).
    /// </summary>
    private static string? NegatedLiteral(VKind kind, string literal, string? value) => kind switch
    {
        VKind.Int or VKind.Long => value,
        VKind.Double or VKind.Float => "-" + literal,
        _ => null,
    };

    private static string Narrow(string wide) => V128 + ".Narrow(" + V256 + ".GetLower(" + wide + "), " + V256 + ".GetUpper(" + wide + "))";

    private string PerLaneConversion(VValue value, VKind kind)
    {
        // Saturating float-to-integer conversion is what this runtime's scalar cast does; call it per lane.
        string local = Materialize("real", value).Code;
        return PerLane(kind, k => "(" + ElementType(kind) + ")" + local + "[" + k + "]");
    }

    private static VKind? Promote(VKind a, VKind b)
    {
        int Rank(VKind k) => k switch { VKind.Int => 1, VKind.Long => 2, VKind.Float => 3, VKind.Double => 4, _ => 0 };
        int ra = Rank(a);
        int rb = Rank(b);
        if (ra == 0 || rb == 0)
        {
            return null;
        }
        return ra >= rb ? a : b;
    }

    private static string? And(string? a, string? b) => a is null ? b : b is null ? a : "(" + a + " & " + b + ")";
}

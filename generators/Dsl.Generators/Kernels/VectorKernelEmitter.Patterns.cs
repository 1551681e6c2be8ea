using System.Collections.Generic;
using System.Globalization;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

// Switch expressions and patterns as lane masks.
internal sealed partial class VectorKernelEmitter
{
    /// <summary>
    /// <c>value switch { p1 when g1 => r1, ..., pn => rn }</c>: one mask per arm (its pattern, and its guard), then
    /// selects from the last arm back to the first, so each lane takes the first arm it matches. Guards and results
    /// are evaluated for every lane, which is harmless because the vector code only admits constructs that cannot
    /// throw. Without a final discard arm, a kept lane that matches no arm hands the block to the per-row code,
    /// which throws SwitchExpressionException like the stage method.
    /// </summary>
    private VValue? Switch(KernelExpr e)
    {
        TypeInfo? t = TypeInfo.Of(e.Type);
        VValue? value = t is null || t.Value.Kind == VKind.String ? null : Eval(e.Operands[0]);
        if (value is null)
        {
            return null;
        }
        VValue subject = Materialize("subject", value);
        string described = Describe(e.Operands[0]);
        var masks = new List<string?>(); // null: the arm matches every lane it is reached for
        var results = new List<VValue>();
        string? earlier = null; // lanes an earlier arm took
        for (int a = 1; a < e.Operands.Count; a++)
        {
            KernelExpr arm = e.Operands[a];
            bool guarded = arm.Operands.Count > 2;
            Line("// " + described + " switch, arm " + a.ToString(CultureInfo.InvariantCulture) + ": " + Describe(arm.Operands[0]) + (guarded ? " when " + Describe(arm.Operands[2]) : string.Empty) + " => " + Describe(arm.Operands[1]));
            bool discard = arm.Operands[0].Kind == KernelExprKind.PatternDiscard;
            string? pattern = discard ? null : Pattern(subject, arm.Operands[0]);
            if (pattern is null && !discard)
            {
                return null;
            }
            string? mask = pattern is null ? null : Materialize("arm", new VValue(VKind.Bool, pattern, null)).Code;
            string? untaken = earlier is null ? null : "~" + Parenthesize(earlier);
            if (guarded)
            {
                // The scalar code evaluates the guard only for lanes that match this pattern and no earlier arm.
                string? reach = And(untaken, mask);
                VValue? guard = reach is null ? Eval(arm.Operands[2]) : Under(reach, () => Eval(arm.Operands[2]));
                if (guard is null || guard.Kind != VKind.Bool || guard.Valid is not null)
                {
                    return null;
                }
                mask = Materialize("armWhen", new VValue(VKind.Bool, mask is null ? guard.Code : mask + " & " + Parenthesize(guard.Code), null)).Code;
            }
            string? taken = And(untaken, mask);
            VValue? result = taken is null ? EvalAs(arm.Operands[1], t!.Value) : Under(taken, () => EvalAs(arm.Operands[1], t!.Value));
            if (result is null)
            {
                return null;
            }
            masks.Add(mask);
            results.Add(result);
            if (mask is null)
            {
                break; // later arms are unreachable
            }
            earlier = earlier is null ? mask : earlier + " | " + mask;
        }

        int last = results.Count - 1;
        if (masks[last] is not null)
        {
            // After this check every lane that matches no arm is one whose value is never used (dropped by a
            // filter, or not reached by the scalar code), so the last arm's value can stand in for it.
            HandBackIf("~" + Parenthesize(earlier!), "no arm matches a kept row: the per-row code throws SwitchExpressionException like the stage method");
        }
        VValue selected = results[last];
        last--;
        if (last >= 0)
        {
            Line("// the first arm a row matches gives its value: select from the last arm back to the first");
        }
        for (int a = last; a >= 0; a--)
        {
            string mask = masks[a]!;
            VValue result = results[a];
            string code = VectorClass(result.Kind) + ".ConditionalSelect(" + MaskFor(result.Kind, mask) + ", " + result.Code + ", " + selected.Code + ")";
            string? valid = result.Valid is null && selected.Valid is null ? null
                : V256 + ".ConditionalSelect(" + mask + ", " + (result.Valid ?? V256 + "<long>.AllBitsSet") + ", " + (selected.Valid ?? V256 + "<long>.AllBitsSet") + ")";
            selected = Materialize("switched", new VValue(result.Kind, code, valid));
        }
        return selected;
    }

    private string? Pattern(VValue value, KernelExpr pattern)
    {
        switch (pattern.Kind)
        {
            case KernelExprKind.PatternDiscard:
                return V256 + "<long>.AllBitsSet";
            case KernelExprKind.PatternNot:
            {
                string? inner = Pattern(value, pattern.Operands[0]);
                return inner is null ? null : inner.StartsWith("~", System.StringComparison.Ordinal) && IsIdentifier(inner.Substring(1)) ? inner.Substring(1) : "~(" + inner + ")";
            }
            case KernelExprKind.PatternAnd:
            case KernelExprKind.PatternOr:
            {
                string? a = Pattern(value, pattern.Operands[0]);
                string? b = a is null ? null : Pattern(value, pattern.Operands[1]);
                return b is null ? null : "(" + a + ") " + (pattern.Kind == KernelExprKind.PatternAnd ? "&" : "|") + " (" + b + ")";
            }
            case KernelExprKind.PatternConstant:
            case KernelExprKind.PatternRelational:
            {
                KernelExpr constant = pattern.Operands[0];
                if (constant.IsNullLiteral)
                {
                    return value.Valid is null ? null : "~" + value.Valid;
                }
                if (pattern.Kind == KernelExprKind.PatternConstant && value.Kind is VKind.Double or VKind.Float
                    && constant.Type.IsFloating && constant.Constant == "NaN")
                {
                    // 'x is double.NaN' matches NaN (pattern matching uses double.IsNaN), unlike x == double.NaN.
                    string isNaN = ToMask(value.Kind, "~" + VectorClass(value.Kind) + ".Equals(" + value.Code + ", " + value.Code + ")");
                    return value.Valid is null ? isNaN : value.Valid + " & " + Parenthesize(isNaN);
                }
                VValue? c = Eval(constant);
                if (c is null || c.Valid is not null)
                {
                    return null;
                }
                KernelOp op = pattern.Kind == KernelExprKind.PatternConstant ? KernelOp.Equals : pattern.Op;
                VKind? common = value.Kind == c.Kind ? value.Kind : Promote(value.Kind, c.Kind);
                if (common is null)
                {
                    return null;
                }
                VValue? a = Convert(value with { Valid = null }, common.Value, false);
                VValue? b = Convert(c, common.Value, false);
                if (a is null || b is null)
                {
                    return null;
                }
                string compare;
                if (common == VKind.Bool)
                {
                    if (op != KernelOp.Equals)
                    {
                        return null;
                    }
                    compare = "~(" + a.Code + " ^ " + b.Code + ")";
                }
                else
                {
                    string? method = op switch
                    {
                        KernelOp.Equals => "Equals",
                        KernelOp.LessThan => "LessThan",
                        KernelOp.LessThanOrEqual => "LessThanOrEqual",
                        KernelOp.GreaterThan => "GreaterThan",
                        KernelOp.GreaterThanOrEqual => "GreaterThanOrEqual",
                        _ => null,
                    };
                    if (method is null)
                    {
                        return null;
                    }
                    compare = ToMask(common.Value, VectorClass(common.Value) + "." + method + "(" + a.Code + ", " + b.Code + ")");
                }
                // A constant or relational pattern never matches null.
                return value.Valid is null ? compare : value.Valid + " & " + Parenthesize(compare);
            }
            default:
                return null;
        }
    }

    /// <summary>Whether <paramref name="pattern"/> only tests constants (literals), combined with <c>not</c>, <c>and</c>, <c>or</c>.</summary>
    private static bool IsConstantPattern(KernelExpr pattern) => pattern.Kind switch
    {
        KernelExprKind.PatternDiscard => true,
        KernelExprKind.PatternConstant or KernelExprKind.PatternRelational => pattern.Operands[0].Kind == KernelExprKind.Literal,
        KernelExprKind.PatternNot => IsConstantPattern(pattern.Operands[0]),
        KernelExprKind.PatternAnd or KernelExprKind.PatternOr => IsConstantPattern(pattern.Operands[0]) && IsConstantPattern(pattern.Operands[1]),
        _ => false,
    };
}

using System.Collections.Generic;
using System.Globalization;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

// Calls to Math and the other known methods in vector lanes.
internal sealed partial class VectorKernelEmitter
{
    private VValue? Call(KernelExpr e)
    {
        if (e.IsInstance && e.Text == "GetValueOrDefault" && e.ArgumentNames.IsEmpty && e.Operands.Count <= 2)
        {
            // n.GetValueOrDefault() and n.GetValueOrDefault(fallback): the value where valid, else the fallback (or zero).
            VValue? receiver = Eval(e.Operands[0]);
            TypeInfo? type = TypeInfo.Parse(e.Type);
            if (receiver?.Valid is null || type is null || type.Value.Nullable || type.Value.Kind is VKind.String or VKind.DateTime or VKind.Date)
            {
                return null;
            }
            VValue? fallback = e.Operands.Count == 2 ? Eval(e.Operands[1]) : new VValue(type.Value.Kind, ZeroOf(type.Value.Kind), null);
            VValue? a = Convert(receiver with { Valid = null }, type.Value.Kind, false);
            VValue? b = fallback is null || fallback.Valid is not null ? null : Convert(fallback, type.Value.Kind, false);
            if (a is null || b is null)
            {
                return null;
            }
            return new VValue(a.Kind, VectorClass(a.Kind) + ".ConditionalSelect(" + MaskFor(a.Kind, receiver.Valid) + ", " + a.Code + ", " + b.Code + ")", null);
        }
        if (e.IsInstance || !e.ArgumentNames.IsEmpty)
        {
            return null;
        }
        string method = e.Text;
        if (method.StartsWith("double.Is", System.StringComparison.Ordinal) || method.StartsWith("float.Is", System.StringComparison.Ordinal))
        {
            return FloatingTest(e);
        }
        string? name = method.StartsWith("global::System.Math.", System.StringComparison.Ordinal) ? method.Substring("global::System.Math.".Length)
            : method.StartsWith("global::System.MathF.", System.StringComparison.Ordinal) ? method.Substring("global::System.MathF.".Length)
            : null;
        TypeInfo? t = TypeInfo.Parse(e.Type);
        if (name is null && method.StartsWith("global::", System.StringComparison.Ordinal)
            && !method.StartsWith("global::System.", System.StringComparison.Ordinal) && !method.StartsWith("global::Dsl.", System.StringComparison.Ordinal))
        {
            return Decline<VValue>("'" + Describe(e) + "'", "a call to your own method, which the kernel could not inline (only static, expression-bodied helpers "
                + "whose arguments cannot throw are), runs once per row");
        }
        if (name is null || t is null || t.Value.Nullable)
        {
            return null;
        }
        VKind kind = t.Value.Kind;
        bool floating = kind is VKind.Double or VKind.Float;
        if (name == "Sign" && e.Operands.Count == 1)
        {
            return Sign(e.Operands[0]);
        }
        if (name == "Round" && floating && e.Operands.Count is 2 or 3)
        {
            return RoundWith(e, kind);
        }
        var args = new List<VValue>();
        foreach (KernelExpr operand in e.Operands)
        {
            VValue? arg = Eval(operand);
            VValue? converted = arg is null || arg.Valid is not null ? null : Convert(arg, kind, false);
            if (converted is null)
            {
                return null;
            }
            args.Add(converted);
        }
        string cls = VectorClass(kind);
        switch (name)
        {
            case "Abs" when floating && args.Count == 1:
                return new VValue(kind, cls + ".Abs(" + args[0].Code + ")", null);
            case "Sqrt" or "Floor" or "Ceiling" or "Truncate" when floating && args.Count == 1:
                return new VValue(kind, cls + "." + name + "(" + args[0].Code + ")", null);
            case "Round" when floating && args.Count == 1:
                return new VValue(kind, cls + ".Round(" + args[0].Code + ")", null);
            case "Min" or "Max" when args.Count == 2:
                return new VValue(kind, (floating ? VM : cls) + "." + name + "(" + args[0].Code + ", " + args[1].Code + ")", null);
            case "Clamp" when args.Count == 3 && IsHoistable(e.Operands[1]) && IsHoistable(e.Operands[2]):
            {
                // Math.Clamp throws when min > max: check the bounds once and let the per-row code throw.
                _before.Add("if (" + Scalar(e.Operands[1]) + " > " + Scalar(e.Operands[2]) + ")");
                _before.Add("{");
                _before.Add("    vectorEnd = 0; // Math.Clamp's bounds are reversed: the per-row code throws like the stage method");
                _before.Add("}");
                if (floating)
                {
                    return new VValue(kind, VM + ".Clamp(" + args[0].Code + ", " + args[1].Code + ", " + args[2].Code + ")", null);
                }
                return new VValue(kind, cls + ".Min(" + cls + ".Max(" + args[0].Code + ", " + args[1].Code + "), " + args[2].Code + ")", null);
            }
            case "Clamp" when args.Count == 3:
            {
                // Bounds read per row: Math.Clamp throws where min > max, so a block where a reached, kept row has
                // reversed bounds goes to the per-row code.
                string min = Materialize("clampMin", args[1]).Code;
                string max = Materialize("clampMax", args[2]).Code;
                HandBackIf(ToMask(kind, cls + ".GreaterThan(" + min + ", " + max + ")"), "Math.Clamp's bounds are reversed in a kept row: the per-row code throws like the stage method");
                if (floating)
                {
                    return new VValue(kind, VM + ".Clamp(" + args[0].Code + ", " + min + ", " + max + ")", null);
                }
                return new VValue(kind, cls + ".Min(" + cls + ".Max(" + args[0].Code + ", " + min + "), " + max + ")", null);
            }
            case "Log" or "Exp" when floating && args.Count == 1 && _relaxedMath:
                // The stage opted into RelaxedMath: the vector approximation, which may differ in the last bits.
                return new VValue(kind, cls + "." + name + "(" + args[0].Code + ")", null);
            case "Log" or "Log10" or "Log2" or "Exp" or "Pow" or "Sin" or "Cos" or "Tan" or "Asin" or "Acos" or "Atan" or "Atan2"
                or "Sinh" or "Cosh" or "Tanh" or "Cbrt" or "Asinh" or "Acosh" or "Atanh" or "Hypot" when floating:
            {
                // No vector form is bit-identical to these: call the same scalar method once per lane.
                var locals = new List<string>();
                foreach (VValue arg in args)
                {
                    locals.Add(Materialize(Camel(name) + "Arg", arg).Code);
                }
                return new VValue(kind, PerLane(kind, k => method + "(" + string.Join(", ", locals.ConvertAll(l => l + "[" + k + "]")) + ")"), null);
            }
            default:
                return null;
        }
    }

    /// <summary><c>double.IsNaN(x)</c>, <c>IsFinite</c>, <c>IsInfinity</c>, <c>IsPositiveInfinity</c>, <c>IsNegativeInfinity</c> (and the <c>float</c> ones) as comparisons.</summary>
    private VValue? FloatingTest(KernelExpr e)
    {
        VKind kind = e.Text.StartsWith("double.", System.StringComparison.Ordinal) ? VKind.Double : VKind.Float;
        VValue? arg = e.Operands.Count == 1 ? Eval(e.Operands[0]) : null;
        VValue? converted = arg is null || arg.Valid is not null ? null : Convert(arg, kind, false);
        if (converted is null)
        {
            return null;
        }
        string cls = VectorClass(kind);
        string x = Materialize("tested", converted).Code;
        string infinity = cls + ".Create(" + (kind == VKind.Double ? "double" : "float") + ".PositiveInfinity)";
        string? compare = e.Text.Substring(e.Text.IndexOf('.') + 1) switch
        {
            "IsNaN" => "~" + cls + ".Equals(" + x + ", " + x + ")",
            // |x| < +inf is false for NaN and both infinities, as IsFinite is.
            "IsFinite" => cls + ".LessThan(" + cls + ".Abs(" + x + "), " + infinity + ")",
            "IsInfinity" => cls + ".Equals(" + cls + ".Abs(" + x + "), " + infinity + ")",
            "IsPositiveInfinity" => cls + ".Equals(" + x + ", " + infinity + ")",
            "IsNegativeInfinity" => cls + ".Equals(" + x + ", -" + infinity + ")",
            _ => null,
        };
        return compare is null ? null : new VValue(VKind.Bool, ToMask(kind, compare), null);
    }

    /// <summary><c>Math.Sign(x)</c>: (x &lt; 0) - (x &gt; 0) on the comparison masks (-1 where true); NaN, for which it throws, hands the block back.</summary>
    private VValue? Sign(KernelExpr operand)
    {
        VValue? arg = Eval(operand);
        if (arg is null || arg.Valid is not null || arg.Kind is not (VKind.Double or VKind.Float or VKind.Int or VKind.Long))
        {
            return null;
        }
        VValue x = Materialize("signOf", arg);
        string cls = VectorClass(x.Kind);
        if (x.Kind is VKind.Double or VKind.Float)
        {
            HandBackIf(ToMask(x.Kind, "~" + cls + ".Equals(" + x.Code + ", " + x.Code + ")"), "Math.Sign of NaN in a kept row: the per-row code throws ArithmeticException like the stage method");
        }
        string less = cls + ".LessThan(" + x.Code + ", " + ZeroOf(x.Kind) + ")";
        string greater = cls + ".GreaterThan(" + x.Code + ", " + ZeroOf(x.Kind) + ")";
        string code = x.Kind switch
        {
            VKind.Int => less + " - " + greater,
            VKind.Float => V128 + ".AsInt32(" + less + ") - " + V128 + ".AsInt32(" + greater + ")",
            _ => VM + ".Narrow(" + ToMask(x.Kind, less) + ") - " + VM + ".Narrow(" + ToMask(x.Kind, greater) + ")",
        };
        return new VValue(VKind.Int, code, null);
    }

    /// <summary>
    /// <c>Math.Round(x, mode)</c>: ToEven, ToZero, ToNegativeInfinity and ToPositiveInfinity are Round, Truncate,
    /// Floor and Ceiling; AwayFromZero has no vector instruction, so it is the scalar call per lane, as is
    /// <c>Math.Round(x, digits[, mode])</c> with constant digits in range (other digits throw: per-row code).
    /// </summary>
    private VValue? RoundWith(KernelExpr e, VKind kind)
    {
        const string Modes = "global::System.MidpointRounding.";
        KernelExpr last = e.Operands[e.Operands.Count - 1];
        string? mode = last.Kind is KernelExprKind.StaticMember or KernelExprKind.Literal && last.Text.StartsWith(Modes, System.StringComparison.Ordinal)
            ? last.Text.Substring(Modes.Length)
            : null;
        if (e.Operands.Count == 3 && mode is null)
        {
            return null;
        }
        KernelExpr? digits = e.Operands.Count == 3 || mode is null ? e.Operands[1] : null;
        if (digits is not null && !(digits.Kind == KernelExprKind.Literal
            && int.TryParse(digits.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count <= (kind == VKind.Double ? 15 : 6)))
        {
            return null;
        }
        if (mode is not null && mode is not ("ToEven" or "AwayFromZero" or "ToZero" or "ToNegativeInfinity" or "ToPositiveInfinity"))
        {
            return null;
        }
        VValue? arg = Eval(e.Operands[0]);
        VValue? x = arg is null || arg.Valid is not null ? null : Convert(arg, kind, false);
        if (x is null)
        {
            return null;
        }
        string cls = VectorClass(kind);
        if (digits is null)
        {
            string? instruction = mode switch
            {
                "ToEven" => "Round",
                "ToZero" => "Truncate",
                "ToNegativeInfinity" => "Floor",
                "ToPositiveInfinity" => "Ceiling",
                _ => null,
            };
            if (instruction is not null)
            {
                return new VValue(kind, cls + "." + instruction + "(" + x.Code + ")", null);
            }
        }
        string local = Materialize("roundArg", x).Code;
        string rest = (digits is null ? string.Empty : ", " + digits.Text) + (mode is null ? string.Empty : ", " + Modes + mode);
        return new VValue(kind, PerLane(kind, k => e.Text + "(" + local + "[" + k + "]" + rest + ")"), null);
    }
}

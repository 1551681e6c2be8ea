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
        if (e.Member == KernelMember.None)
        {
            // Not in the member table: only the per-row code calls it, and the kernel comment says so.
            return e.IsUserMethod
                ? DeclineNull("'" + Describe(e) + "'", "a call to your own method, which the kernel could not inline (only static, expression-bodied helpers "
                    + "whose arguments cannot throw are), runs once per row")
                : DeclineNull("'" + Describe(e) + "'", "'" + Tail(e.Text) + "' is not a known kernel member, so only the per-row code calls it");
        }
        KernelMemberInfo info = KernelMembers.Info(e.Member);
        if ((info.Implemented & KernelBackends.Vector) == 0)
        {
            return DeclineNull("'" + Describe(e) + "'", "'" + info.Name + "' has no vector form");
        }
        if (!e.ArgumentNames.IsEmpty)
        {
            return DeclineNull("'" + Describe(e) + "'", "arguments passed by name have no vector form");
        }
        switch (e.Member)
        {
            case KernelMember.NullableGetValueOrDefault when e.Operands.Count <= 2:
                return GetValueOrDefault(e);
            case KernelMember.DoubleIsNaN or KernelMember.DoubleIsFinite or KernelMember.DoubleIsInfinity or KernelMember.DoubleIsPositiveInfinity or KernelMember.DoubleIsNegativeInfinity:
                return FloatingTest(e, VKind.Double);
            case KernelMember.SingleIsNaN or KernelMember.SingleIsFinite or KernelMember.SingleIsInfinity or KernelMember.SingleIsPositiveInfinity or KernelMember.SingleIsNegativeInfinity:
                return FloatingTest(e, VKind.Float);
        }
        if (KernelMembers.IsFeature(e.Member))
        {
            return FeatureCall(e); // VectorKernelEmitter.Features.cs
        }
        if (info.Shape != KernelMemberShape.StaticCall || info.Owners[0] != "System.Math")
        {
            // The string and hashing members run per dictionary entry (StringSubExpression), which did not apply here.
            return DeclineNull("'" + Describe(e) + "'", "'" + info.Name + "' has a vector form only on one string column and constants");
        }

        TypeInfo? t = TypeInfo.Of(e.Type);
        if (t is null || t.Value.Nullable)
        {
            return null;
        }
        VKind kind = t.Value.Kind;
        bool floating = kind is VKind.Double or VKind.Float;
        if (e.Member == KernelMember.Sign && e.Operands.Count == 1)
        {
            return Sign(e.Operands[0]);
        }
        if (e.Member == KernelMember.Round && floating && e.Operands.Count is 2 or 3)
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
        switch (e.Member)
        {
            case KernelMember.Abs when floating && args.Count == 1:
                return new VValue(kind, cls + ".Abs(" + args[0].Code + ")", null);
            case KernelMember.Sqrt or KernelMember.Floor or KernelMember.Ceiling or KernelMember.Truncate when floating && args.Count == 1:
                return new VValue(kind, cls + "." + info.Name + "(" + args[0].Code + ")", null);
            case KernelMember.Round when floating && args.Count == 1:
                return new VValue(kind, cls + ".Round(" + args[0].Code + ")", null);
            case KernelMember.Min or KernelMember.Max when args.Count == 2:
                return new VValue(kind, (floating ? VM : cls) + "." + info.Name + "(" + args[0].Code + ", " + args[1].Code + ")", null);
            case KernelMember.Clamp when args.Count == 3 && IsHoistable(e.Operands[1]) && IsHoistable(e.Operands[2]):
            {
                // Math.Clamp throws when min > max: check the bounds once and let the per-row code throw.
                _before.WriteLine("if (" + Scalar(e.Operands[1]) + " > " + Scalar(e.Operands[2]) + ")");
                _before.OpenBrace();
                _before.WriteLine("vectorEnd = 0; // Math.Clamp's bounds are reversed: the per-row code throws like the stage method");
                _before.CloseBrace();
                if (floating)
                {
                    return new VValue(kind, VM + ".Clamp(" + args[0].Code + ", " + args[1].Code + ", " + args[2].Code + ")", null);
                }
                return new VValue(kind, cls + ".Min(" + cls + ".Max(" + args[0].Code + ", " + args[1].Code + "), " + args[2].Code + ")", null);
            }
            case KernelMember.Clamp when args.Count == 3:
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
            case var _ when floating && args.Count == 1 && _relaxedMath && (info.Relaxed & KernelBackends.Vector) != 0:
                // The stage opted into RelaxedMath: the vector approximation, which may differ in the last bits.
                return new VValue(kind, cls + "." + info.Name + "(" + args[0].Code + ")", null);
            case KernelMember.Log or KernelMember.Log10 or KernelMember.Log2 or KernelMember.Exp or KernelMember.Pow or KernelMember.Sin or KernelMember.Cos
                or KernelMember.Tan or KernelMember.Asin or KernelMember.Acos or KernelMember.Atan or KernelMember.Atan2 or KernelMember.Sinh or KernelMember.Cosh
                or KernelMember.Tanh or KernelMember.Cbrt or KernelMember.Asinh or KernelMember.Acosh or KernelMember.Atanh when floating:
            {
                // No vector form is bit-identical to these: call the same scalar method once per lane.
                var locals = new List<string>();
                foreach (VValue arg in args)
                {
                    locals.Add(Materialize(Camel(info.Name) + "Arg", arg).Code);
                }
                return new VValue(kind, PerLane(kind, k => e.Text + "(" + string.Join(", ", locals.ConvertAll(l => l + "[" + k + "]")) + ")"), null);
            }
            case KernelMember.Abs:
                // Math.Abs of the smallest integer throws OverflowException.
                return DeclineNull("'" + Describe(e) + "'", "Math.Abs of an integer throws for MinValue and has no vector form");
            default:
                return DeclineNull("'" + Describe(e) + "'", "Math." + info.Name + " has no vector form for these argument types");
        }
    }

    /// <summary>n.GetValueOrDefault() and n.GetValueOrDefault(fallback): the value where valid, else the fallback (or zero).</summary>
    private VValue? GetValueOrDefault(KernelExpr e)
    {
        VValue? receiver = Eval(e.Operands[0]);
        TypeInfo? type = TypeInfo.Of(e.Type);
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

    /// <summary><c>double.IsNaN(x)</c>, <c>IsFinite</c>, <c>IsInfinity</c>, <c>IsPositiveInfinity</c>, <c>IsNegativeInfinity</c> (and the <c>float</c> ones) as comparisons.</summary>
    private VValue? FloatingTest(KernelExpr e, VKind kind)
    {
        VValue? arg = e.Operands.Count == 1 ? Eval(e.Operands[0]) : null;
        VValue? converted = arg is null || arg.Valid is not null ? null : Convert(arg, kind, false);
        if (converted is null)
        {
            return null;
        }
        string cls = VectorClass(kind);
        string x = Materialize("tested", converted).Code;
        string infinity = cls + ".Create(" + (kind == VKind.Double ? "double" : "float") + ".PositiveInfinity)";
        string compare = e.Member switch
        {
            KernelMember.DoubleIsNaN or KernelMember.SingleIsNaN => "~" + cls + ".Equals(" + x + ", " + x + ")",
            // |x| < +inf is false for NaN and both infinities, as IsFinite is.
            KernelMember.DoubleIsFinite or KernelMember.SingleIsFinite => cls + ".LessThan(" + cls + ".Abs(" + x + "), " + infinity + ")",
            KernelMember.DoubleIsInfinity or KernelMember.SingleIsInfinity => cls + ".Equals(" + cls + ".Abs(" + x + "), " + infinity + ")",
            KernelMember.DoubleIsPositiveInfinity or KernelMember.SingleIsPositiveInfinity => cls + ".Equals(" + x + ", " + infinity + ")",
            _ => cls + ".Equals(" + x + ", -" + infinity + ")",
        };
        return new VValue(VKind.Bool, ToMask(kind, compare), null);
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
        // The mode must be a constant to pick the instruction: its value names the member (ToEven is 0, ... ToPositiveInfinity 4).
        string? mode = last.Type.Kind == KernelTypeKind.MidpointRounding && !last.Type.Nullable
            ? last.Constant switch
            {
                "0" => "ToEven",
                "1" => "AwayFromZero",
                "2" => "ToZero",
                "3" => "ToNegativeInfinity",
                "4" => "ToPositiveInfinity",
                _ => null,
            }
            : null;
        if (e.Operands.Count == 3 && mode is null)
        {
            return null;
        }
        KernelExpr? digits = e.Operands.Count == 3 || mode is null ? e.Operands[1] : null;
        if (digits is not null && !(digits.Kind == KernelExprKind.Literal && digits.Type.Kind == KernelTypeKind.Int32
            && int.TryParse(digits.Constant, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count <= (kind == VKind.Double ? 15 : 6)))
        {
            return DeclineNull("'" + Describe(e) + "'", "Math.Round's digits must be a literal from 0 to " + (kind == VKind.Double ? "15" : "6") + " (other digits throw)");
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

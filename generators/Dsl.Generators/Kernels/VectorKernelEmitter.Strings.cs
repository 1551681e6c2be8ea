using System.Collections.Generic;
using System.Globalization;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

// String expressions: evaluated once per dictionary entry and gathered by index.
internal sealed partial class VectorKernelEmitter
{
    /// <summary>
    /// A sub-expression of one non-nullable string column and constants whose value is a number or a bool: it is
    /// evaluated once per dictionary entry before the loop, and each block gathers it by the rows' indices.
    /// </summary>
    private VValue? StringSubExpression(KernelExpr e)
    {
        TypeInfo? t = TypeInfo.Of(e.Type);
        if (t is null || t.Value.Nullable || t.Value.Kind is VKind.String or VKind.DateTime or VKind.DayOfWeek or VKind.Date)
        {
            return null;
        }
        string? member = null;
        if (!IsTotalOverString(e, ref member) || member is null)
        {
            return null;
        }
        VValue? source = Load(member);
        if (source is null || source.Kind != VKind.String)
        {
            return null;
        }
        string column = source.Code;
        string strings = "in" + column + "Strings";
        string element = t.Value.Kind == VKind.Bool ? "long" : ElementType(t.Value.Kind);
        string table = Unique(Camel(_stage) + "By" + column + "Entry");
        string entry = Unique("entry");
        string scalar = _renderScalar(e, member, entry, false);
        if (_names.Add(strings + "Checked"))
        {
            _before.WriteLine("if (" + strings + ".Length > rowCount)");
            _before.WriteLine("{");
            _before.WriteLine("    vectorEnd = 0; // a dictionary larger than the batch: evaluating per row is cheaper");
            _before.WriteLine("}");
        }
        _before.WriteLine("// " + _stage + ": " + Describe(e) + ", once per dictionary entry of " + column + " (gathered by index in the blocks; rented)");
        _before.WriteLine(element + "[] " + table + " = global::System.Buffers.ArrayPool<" + element + ">.Shared.Rent(vectorEnd > 0 ? " + strings + ".Length : 0);");
        _rented.Add((element, table));
        _before.WriteLine("for (int e = 0; vectorEnd > 0 && e < " + strings + ".Length; e++)");
        _before.WriteLine("{");
        _before.WriteLine("    string " + entry + " = " + strings + "[e];");
        _before.WriteLine("    " + table + "[e] = " + (t.Value.Kind == VKind.Bool ? "(" + scalar + ") ? -1L : 0L" : scalar) + ";");
        _before.WriteLine("}");
        string indices = IndexVector(column);
        string code = t.Value.Kind == VKind.Int || t.Value.Kind == VKind.Float
            ? V128 + ".Create(" + Lanes(k => table + "[" + indices + "[" + k + "]]") + ")"
            : V256 + ".Create(" + Lanes(k => table + "[" + indices + "[" + k + "]]") + ")";
        return new VValue(t.Value.Kind, code, null);
    }

    private string IndexVector(string column)
    {
        string name = "v" + column + "Index";
        if (_names.Add(name))
        {
            Line("var " + name + " = " + V128 + ".LoadUnsafe(ref " + RefTo("in" + column + "Indices", "int", writable: false) + ", (nuint)i);");
        }
        return name;
    }

    /// <summary>
    /// Whether <paramref name="e"/> only combines one string column (recorded in <paramref name="member"/>) with
    /// literals through operations that cannot throw for a non-null string, so evaluating it for dictionary entries
    /// no row selects is harmless.
    /// </summary>
    private bool IsTotalOverString(KernelExpr e, ref string? member)
    {
        switch (e.Kind)
        {
            case KernelExprKind.Literal:
            case KernelExprKind.Parameter:
                // A parameter member is a value that is the same for every entry, read before the loop.
                return true;
            case KernelExprKind.Column:
            {
                VValue? value = _values.TryGetValue(e.Text, out VValue? known) ? known
                    : _valuesAreInput && _input.FindMember(e.Text) is { IsString: true, Nullable: false } ? new VValue(VKind.String, e.Text, null) : null;
                if (value is null || value.Kind != VKind.String || (member is not null && member != e.Text))
                {
                    return false;
                }
                member = e.Text;
                return true;
            }
            case KernelExprKind.Binary when e.Overflow != OverflowMode.Checked
                && e.Op is not (KernelOp.Divide or KernelOp.Remainder or KernelOp.LeftShift or KernelOp.RightShift or KernelOp.UnsignedRightShift):
            case KernelExprKind.Conditional:
                return AllTotal(e, ref member);
            case KernelExprKind.Unary when e.Op == KernelOp.Not:
                return AllTotal(e, ref member);
            case KernelExprKind.IsPattern:
                return IsTotalOverString(e.Operands[0], ref member) && IsConstantPattern(e.Operands[1]);
            case KernelExprKind.Switch:
            {
                // Only with a final unguarded discard: evaluated for every dictionary entry, a switch that can
                // fail to match would throw for entries no row selects.
                KernelExpr last = e.Operands[e.Operands.Count - 1];
                if (e.Operands.Count < 2 || last.Operands[0].Kind != KernelExprKind.PatternDiscard || last.Operands.Count > 2
                    || !IsTotalOverString(e.Operands[0], ref member))
                {
                    return false;
                }
                for (int a = 1; a < e.Operands.Count; a++)
                {
                    KernelExpr arm = e.Operands[a];
                    if (!IsConstantPattern(arm.Operands[0]) || !IsTotalOverString(arm.Operands[1], ref member)
                        || (arm.Operands.Count > 2 && !IsTotalOverString(arm.Operands[2], ref member)))
                    {
                        return false;
                    }
                }
                return true;
            }
            case KernelExprKind.Property when e.Member == KernelMember.StringLength:
                return AllTotal(e, ref member);
            case KernelExprKind.Call when e.ArgumentNames.IsEmpty:
                switch (e.Member)
                {
                    case KernelMember.StringToLowerInvariant or KernelMember.StringToUpperInvariant or KernelMember.StringTrim
                        or KernelMember.StringTrimStart or KernelMember.StringTrimEnd when e.Operands.Count == 1:
                        return IsTotalOverString(e.Operands[0], ref member);
                    case KernelMember.StringStartsWith or KernelMember.StringEndsWith or KernelMember.StringContains or KernelMember.StringEquals or KernelMember.StringIndexOf
                        when (e.Operands.Count == 2 || (e.Operands.Count == 3 && IsStringComparison(e.Operands[2]))) && IsStringConstant(e.Operands[1]):
                        return IsTotalOverString(e.Operands[0], ref member);
                    case KernelMember.HashingBucket when e.Operands.Count == 2 && IsPositiveIntLiteral(e.Operands[1]):
                    case KernelMember.HashingHash64 when e.Operands.Count == 1 && e.Operands[0].Type.Kind == KernelTypeKind.String:
                    case KernelMember.StringIsNullOrEmpty or KernelMember.StringIsNullOrWhiteSpace when e.Operands.Count == 1:
                        return IsTotalOverString(e.Operands[0], ref member);
                    default:
                        return false;
                }
            default:
                return false;
        }
    }

    private bool AllTotal(KernelExpr e, ref string? member)
    {
        foreach (KernelExpr operand in e.Operands)
        {
            if (!IsTotalOverString(operand, ref member))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsStringComparison(KernelExpr e) =>
        e.Kind is KernelExprKind.StaticMember or KernelExprKind.Literal && e.Type.Kind == KernelTypeKind.StringComparison && !e.Type.Nullable;

    // A string literal, or a string member of the stage's parameter object (never null: the runtime refuses null values).
    private static bool IsStringConstant(KernelExpr e) =>
        (e.Kind == KernelExprKind.Literal && e.Type.Kind == KernelTypeKind.String && e.Constant is not null)
        || (e.Kind == KernelExprKind.Parameter && e.Type.Kind == KernelTypeKind.String && !e.Type.Nullable);

    private static bool IsPositiveIntLiteral(KernelExpr e) =>
        e.Kind == KernelExprKind.Literal && e.Type.Kind == KernelTypeKind.Int32
        && int.TryParse(e.Constant, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0;
}

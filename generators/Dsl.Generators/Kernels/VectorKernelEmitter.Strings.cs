using System.Collections.Generic;
using System.Globalization;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

// String expressions: evaluated once per dictionary entry and gathered by index.
internal sealed partial class VectorKernelEmitter
{
    /// <summary>
    /// A sub-expression of one string column and constants whose value is a number or a bool (or, for a nullable
    /// column, also a nullable number): it is evaluated once per dictionary entry before the loop, and each block
    /// gathers it by the rows' indices. For a nullable column it is also evaluated once with the string null, into
    /// the slot after the entries, which null rows index (their own index is unspecified).
    /// </summary>
    private VValue? StringSubExpression(KernelExpr e)
    {
        TypeInfo? t = TypeInfo.Of(e.Type);
        if (t is null || t.Value.Kind is VKind.String or VKind.DateTime or VKind.DayOfWeek or VKind.Date || (t.Value.Nullable && t.Value.Kind == VKind.Bool))
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
        if (!EmitFeatureChecks(e))
        {
            return null;
        }
        bool nullable = source.Valid is not null;
        string column = source.Code;
        string strings = "in" + column + "Strings";
        string element = t.Value.Kind == VKind.Bool ? "long" : ElementType(t.Value.Kind);
        string table = Unique(Camel(_stage) + "By" + column + "Entry");
        string? validTable = t.Value.Nullable ? Unique(table + "Valid") : null;
        string entry = Unique("entry");
        string scalar = _renderScalar(e, member, entry, false);
        string slots = strings + ".Length" + (nullable ? " + 1" : string.Empty);
        if (_names.Add(strings + "Checked"))
        {
            _before.WriteLine("if (" + strings + ".Length > rowCount)");
            _before.WriteLine("{");
            _before.WriteLine("    vectorEnd = 0; // a dictionary larger than the batch: evaluating per row is cheaper");
            _before.WriteLine("}");
        }
        _before.WriteLine("// " + _stage + ": " + Describe(e) + ", once per dictionary entry of " + column
            + (nullable ? " and once for null (the last slot)" : string.Empty) + " (gathered by index in the blocks; rented)");
        _before.WriteLine(element + "[] " + table + " = global::System.Buffers.ArrayPool<" + element + ">.Shared.Rent(vectorEnd > 0 ? " + slots + " : 0);");
        _rented.Add((element, table));
        if (validTable is not null)
        {
            _before.WriteLine("long[] " + validTable + " = global::System.Buffers.ArrayPool<long>.Shared.Rent(vectorEnd > 0 ? " + slots + " : 0);");
            _rented.Add(("long", validTable));
        }
        _before.WriteLine("for (int e = 0; vectorEnd > 0 && e < " + slots + "; e++)");
        _before.WriteLine("{");
        _before.WriteLine(nullable
            ? "    string? " + entry + " = e < " + strings + ".Length ? " + strings + "[e] : null;"
            : "    string " + entry + " = " + strings + "[e];");
        if (validTable is not null)
        {
            string result = Unique(entry + "Value");
            _before.WriteLine("    " + e.Type.CSharp + " " + result + " = " + scalar + ";");
            _before.WriteLine("    " + table + "[e] = " + result + ".GetValueOrDefault();");
            _before.WriteLine("    " + validTable + "[e] = " + result + ".HasValue ? -1L : 0L;");
        }
        else
        {
            _before.WriteLine("    " + table + "[e] = " + (t.Value.Kind == VKind.Bool ? "(" + scalar + ") ? -1L : 0L" : scalar) + ";");
        }
        _before.WriteLine("}");
        string indices = IndexVector(source);
        string code = t.Value.Kind == VKind.Int || t.Value.Kind == VKind.Float
            ? V128 + ".Create(" + Lanes(k => table + "[" + indices + "[" + k + "]]") + ")"
            : V256 + ".Create(" + Lanes(k => table + "[" + indices + "[" + k + "]]") + ")";
        string? valid = validTable is null ? null : V256 + ".Create(" + Lanes(k => validTable + "[" + indices + "[" + k + "]]") + ")";
        return new VValue(t.Value.Kind, code, valid);
    }

    /// <summary>The dictionary indices of the block's rows; null rows of a nullable column index the null slot.</summary>
    private string IndexVector(VValue source)
    {
        string column = source.Code;
        string name = "v" + column + "Index";
        if (_names.Add(name))
        {
            string load = V128 + ".LoadUnsafe(ref " + RefTo("in" + column + "Indices", "int", writable: false) + ", (nuint)i)";
            Line(source.Valid is null
                ? "var " + name + " = " + load + ";"
                : "var " + name + " = " + V128 + ".ConditionalSelect(" + VM + ".Narrow(" + source.Valid + "), " + load + ", " + V128 + ".Create(in" + column + "Strings.Length)); // null rows: the null slot");
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
            case KernelExprKind.StaticMember when IsNumericType(e.Type) || (e.Type.Kind == KernelTypeKind.Bool && !e.Type.Nullable) || e.Type.Kind == KernelTypeKind.String:
                // int.MinValue, a constant or static field: read once per entry instead of once per row. A string one
                // may be null: it is only used where null is a value (==, string.Equals), never as a receiver.
                return true;
            case KernelExprKind.Column:
            {
                VValue? value = StringValue(e.Text);
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
            case KernelExprKind.Coalesce:
                return AllTotal(e, ref member);
            case KernelExprKind.Unary when e.Op is KernelOp.Not or KernelOp.Plus or KernelOp.BitwiseNot || (e.Op == KernelOp.Negate && e.Overflow != OverflowMode.Checked):
                return AllTotal(e, ref member);
            case KernelExprKind.Conversion when e.Overflow != OverflowMode.Checked && IsNumericType(e.Type) && IsNumericType(e.Operands[0].Type)
                && (e.Type.Nullable || !e.Operands[0].Type.Nullable):
                // Unchecked numeric conversions cannot throw (a nullable to a non-nullable one would, for null).
                return AllTotal(e, ref member);
            case KernelExprKind.ConditionalAccess:
                // s?.Length, s?.IndexOf("x"): the access runs only for a non-null string, so it is total when the
                // access is total for the non-null receiver.
                return IsTotalOverString(e.Operands[0], ref member) && IsTotalOverString(e.Operands[1], ref member);
            case KernelExprKind.ConditionalAccessReceiver:
                return true;
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
            case KernelExprKind.Property when e.Member == KernelMember.StringLength && !MaybeNullString(e.Operands[0]):
                return AllTotal(e, ref member);
            case KernelExprKind.Call when e.ArgumentNames.IsEmpty:
                switch (e.Member)
                {
                    case KernelMember.StringToLowerInvariant or KernelMember.StringToUpperInvariant or KernelMember.StringTrim
                        or KernelMember.StringTrimStart or KernelMember.StringTrimEnd when e.Operands.Count == 1 && !MaybeNullString(e.Operands[0]):
                        return IsTotalOverString(e.Operands[0], ref member);
                    case KernelMember.StringStartsWith or KernelMember.StringEndsWith or KernelMember.StringContains or KernelMember.StringEquals or KernelMember.StringIndexOf
                        when (e.Operands.Count == 2 || (e.Operands.Count == 3 && IsStringComparison(e.Operands[2]))) && IsStringConstant(e.Operands[1])
                        && !MaybeNullString(e.Operands[0]):
                        return IsTotalOverString(e.Operands[0], ref member);
                    case KernelMember.HashingBucket when e.Operands.Count == 2 && IsPositiveIntLiteral(e.Operands[1]) && !MaybeNullString(e.Operands[0]):
                    case KernelMember.HashingHash64 when e.Operands.Count == 1 && e.Operands[0].Type.Kind == KernelTypeKind.String && !MaybeNullString(e.Operands[0]):
                    case KernelMember.StringIsNullOrEmpty or KernelMember.StringIsNullOrWhiteSpace when e.Operands.Count == 1:
                    case KernelMember.RuleChecksMatches when e.Operands.Count == 2 && IsStringConstant(e.Operands[1]):
                        // RuleChecks.Matches(value, pattern) is null-safe (a null passes).
                        return IsTotalOverString(e.Operands[0], ref member);
                    case KernelMember.StringEqualsStatic when e.Operands.Count == 2 || (e.Operands.Count == 3 && IsStringComparison(e.Operands[2])):
                        // string.Equals(a, b[, comparison]) is null-safe: both sides only need to be total.
                        return e.Operands[0].Type.Kind == KernelTypeKind.String && e.Operands[1].Type.Kind == KernelTypeKind.String
                            && IsTotalOverString(e.Operands[0], ref member) && IsTotalOverString(e.Operands[1], ref member);
                    default:
                        // The feature operations on a string (Encode, FeatureHashing, Impute): VectorKernelEmitter.Features.cs.
                        return IsTotalFeatureCall(e, ref member);
                }
            default:
                return false;
        }
    }

    /// <summary>The string value a member names: a string input column (nullable ones carry a validity) or a stage value.</summary>
    private VValue? StringValue(string member)
    {
        if (_values.TryGetValue(member, out VValue? known))
        {
            return known;
        }
        return _valuesAreInput && _input.FindMember(member) is { IsString: true } column
            ? new VValue(VKind.String, member, column.Nullable ? "nullable" : null)
            : null;
    }

    /// <summary>
    /// Whether the string <paramref name="e"/> may be null, so that a member access or call on it would throw: a
    /// nullable column, a null literal, or a conditional, coalescing or conditional access that may give null.
    /// </summary>
    private bool MaybeNullString(KernelExpr e) => e.Kind switch
    {
        KernelExprKind.Column => StringValue(e.Text)?.Valid is not null,
        KernelExprKind.Literal => e.IsNullLiteral || e.Constant is null,
        KernelExprKind.Parameter or KernelExprKind.ConditionalAccessReceiver => false,
        KernelExprKind.Call => false, // the known string methods return non-null strings (their receiver is checked)
        KernelExprKind.Coalesce => MaybeNullString(e.Operands[1]),
        KernelExprKind.Conditional => MaybeNullString(e.Operands[1]) || MaybeNullString(e.Operands[2]),
        _ => true,
    };

    private static bool IsNumericType(KernelType type) =>
        type.Kind is KernelTypeKind.Int32 or KernelTypeKind.Int64 or KernelTypeKind.Double or KernelTypeKind.Single;

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

using System.Collections.Generic;
using System.Globalization;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

// Leaf values of a vector block: constants, values hoisted out of the loop, column loads and locals.
internal sealed partial class VectorKernelEmitter
{
    private VValue? Constant(KernelExpr e)
    {
        TypeInfo? t = e.IsNullLiteral ? null : TypeInfo.Of(e.Type);
        if (t is null || t.Value.Nullable)
        {
            return null;
        }
        switch (t.Value.Kind)
        {
            case VKind.Bool:
                return e.Constant switch
                {
                    "true" => new VValue(VKind.Bool, V256 + "<long>.AllBitsSet", null),
                    "false" => new VValue(VKind.Bool, V256 + "<long>.Zero", null),
                    _ => null,
                };
            case VKind.Double:
            case VKind.Float:
            case VKind.Int:
            case VKind.Long:
                // The C# text, not the value: the vector constant is written as the user wrote it.
                return new VValue(t.Value.Kind, ConstantVector(t.Value.Kind, e.Text), null, e.Text);
            default:
                return null;
        }
    }

    private VValue? Hoisted(KernelExpr e)
    {
        TypeInfo? t = TypeInfo.Of(e.Type);
        if (t is null || t.Value.Nullable || t.Value.Kind is VKind.String or VKind.DateTime)
        {
            return null;
        }
        string name = Unique("hoisted" + Tail(e.Text));
        _before.WriteLine("var " + name + " = " + Broadcast(t.Value.Kind, e.Text) + "; // " + e.Text + ", read once per batch");
        return new VValue(t.Value.Kind, name, null);
    }

    /// <summary>
    /// A member of a stage's parameter object: the kernel read it into a scalar local before the loop; it is broadcast
    /// once, the first time a block uses it.
    /// </summary>
    private VValue? HoistedParameter(KernelExpr e)
    {
        if (_parameterVectors.TryGetValue(e.Text, out VValue? known))
        {
            return known;
        }
        TypeInfo? t = TypeInfo.Of(e.Type);
        if (t is null || t.Value.Nullable || t.Value.Kind is VKind.String or VKind.DateTime or VKind.Date)
        {
            return null;
        }
        string local = StageParametersSpec.MemberLocal(e.Text);
        string name = Unique("hoisted" + e.Text.Replace(".", string.Empty));
        string broadcast = t.Value.Kind == VKind.Bool ? Broadcast(VKind.Bool, local) : VectorClass(t.Value.Kind) + ".Create(" + local + ")";
        _before.WriteLine("var " + name + " = " + broadcast + "; // " + e.Text + ", read once per batch");
        var value = new VValue(t.Value.Kind, name, null);
        _parameterVectors[e.Text] = value;
        return value;
    }

    private static string Broadcast(VKind kind, string scalar) => kind switch
    {
        VKind.Bool => "(" + scalar + ") ? " + V256 + "<long>.AllBitsSet : " + V256 + "<long>.Zero",
        VKind.DayOfWeek => V128 + ".Create((int)" + scalar + ")",
        VKind.Date => V128 + ".Create(global::Dsl.Dates.ToDays(" + scalar + "))",
        _ => VectorClass(kind) + ".Create((" + ElementType(kind) + ")" + scalar + ")",
    };

    private VValue? Load(string member)
    {
        if (_values.TryGetValue(member, out VValue? known))
        {
            return known;
        }
        if (!_valuesAreInput)
        {
            return null;
        }
        ColumnSpec? column = _input.FindMember(member);
        if (column is null)
        {
            return null;
        }
        string local = "in" + column.MemberName;
        string name = Unique("v" + column.MemberName);
        VValue value;
        switch (column.Kind)
        {
            case ColumnKind.String:
                // A string is its column member (its dictionary and indices); a nullable one also has its validity.
                value = new VValue(VKind.String, column.MemberName, null);
                break;
            case ColumnKind.Boolean:
                Line("var " + name + " = " + VM + ".LoadBools(" + local + "Values, i);");
                value = new VValue(VKind.Bool, name, null);
                break;
            default:
                if (KindOfColumn(column) is not { } kind)
                {
                    // Members the vector code has no lanes for (decimal, Guid, small integers, ...) run per row.
                    return DeclineNull("the column '" + column.MemberName + "'", "a column of type '" + column.ClrType + "' has no vector lanes");
                }
                Line("var " + name + " = " + VectorClass(kind) + ".LoadUnsafe(ref " + RefTo(local + "Values", column.StorageType, writable: false) + ", (nuint)i);");
                if (kind == VKind.DateTime)
                {
                    // Stored values outside DateTime's range make the scalar conversion throw: let the per-row code do that.
                    Line("if (!" + VM + ".InDateTimeRange(" + name + "))");
                    Open();
                    HandBack(null);
                    Close();
                }
                else if (kind == VKind.Date)
                {
                    // Stored days outside DateOnly's range make the scalar conversion throw: let the per-row code do that.
                    Line("if (!" + DM + ".InDateOnlyRange(" + name + "))");
                    Open();
                    HandBack(null);
                    Close();
                }
                value = new VValue(kind, name, null);
                break;
        }
        if (column.Nullable)
        {
            Line("var " + name + "Valid = " + VM + ".LoadValidity(" + local + "Validity, i);");
            value = value with { Valid = name + "Valid" };
        }
        _values[member] = value;
        return value;
    }

    /// <summary>Whether <paramref name="e"/> reads no column (so it can be evaluated once per batch).</summary>
    private static bool IsHoistable(KernelExpr e)
    {
        if (e.Kind is KernelExprKind.Column or KernelExprKind.Call or KernelExprKind.ConditionalAccessReceiver)
        {
            return false;
        }
        foreach (KernelExpr operand in e.Operands)
        {
            if (!IsHoistable(operand))
            {
                return false;
            }
        }
        return true;
    }

    private string Scalar(KernelExpr e) => "(" + _renderScalar(e, null, null, false) + ")";

    private static string ConstantVector(VKind kind, string text)
    {
        // Plain decimal digits, optionally negative (-1): written in the element type's literal form.
        string unsigned = text.StartsWith("-", System.StringComparison.Ordinal) ? text.Substring(1) : text;
        bool digits = unsigned.Length > 0;
        foreach (char c in unsigned)
        {
            digits &= c >= '0' && c <= '9';
        }
        string element = ElementType(kind);
        string scalar = digits ? kind switch
        {
            VKind.Double => text + ".0",
            VKind.Float => text + "F",
            VKind.Long => text + "L",
            _ => text,
        } : "(" + element + ")" + Parenthesize(text);
        return VectorClass(kind) + ".Create(" + scalar + ")";
    }

    /// <summary>Stores a value in locals (value and validity) unless it already is one.</summary>
    private VValue Materialize(string hint, VValue value)
    {
        string code = value.Code;
        if (!IsIdentifier(code))
        {
            string name = Unique(hint);
            Line("var " + name + " = " + code + ";");
            code = name;
        }
        string? valid = value.Valid;
        if (valid is not null && !IsIdentifier(valid))
        {
            string name = Unique(hint + "Valid");
            Line("var " + name + " = " + valid + ";");
            valid = name;
        }
        return new VValue(value.Kind, code, valid);
    }

    private string RefTo(string span, string elementType, bool writable)
    {
        string name = span.Substring(0, span.Length - (span.EndsWith("Values", System.StringComparison.Ordinal) ? "Values".Length : 0)) + "Ref";
        if (_refs.Add(name))
        {
            // Blocks end at or before rowCount and count never passes i, so every vector load and store is in bounds.
            _before.WriteLine("ref " + elementType + " " + name + " = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(" + span + ");");
        }
        return name;
    }
}

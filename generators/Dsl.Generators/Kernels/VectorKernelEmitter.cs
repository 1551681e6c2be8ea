using System.Collections.Generic;
using System.Globalization;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

/// <summary>
/// Writes the vector block of a segment kernel from the same <see cref="StageKernelSpec"/>s the scalar emitter
/// reads: each block evaluates the stage expressions over four rows at once (64-bit values as
/// <c>Vector256</c>, 32-bit values as <c>Vector128</c>, conditions as <c>Vector256&lt;long&gt;</c> masks),
/// compresses the rows that pass the filters and writes them at the output position.
/// </summary>
/// <remarks>
/// The block only uses constructs whose vector form is bit-identical to the scalar C# and cannot throw, because
/// it evaluates every lane, including rows a filter drops. Anything else (checked or integer division, calls
/// outside the list, nullable strings, ...) keeps the whole segment on the per-row loop. A few constructs throw
/// only for some values (a switch no arm matches, <c>.Value</c> of a null): the block checks the lanes the scalar
/// code would reach and that are still kept, and hands the block to the per-row code, which throws, when one would.
/// Where a vector form does not exist but the scalar one cannot throw (Math.Log, DateTime parts, double
/// remainder), the block calls the scalar code once per lane; string sub-expressions are evaluated once per
/// dictionary entry before the loop and gathered by index.
/// </remarks>
internal sealed class VectorKernelEmitter
{
    private const string V128 = "global::System.Runtime.Intrinsics.Vector128";
    private const string V256 = "global::System.Runtime.Intrinsics.Vector256";
    private const string VM = "global::Dsl.Kernels.VectorMath";
    private const string DM = "global::Dsl.Kernels.DateMath";
    private const string AllLanes = "0b1111";

    private readonly PipelineSpec _pipeline;
    private readonly SchemaSpec _input;
    private readonly System.Func<KernelExpr, string?, string?, bool, string> _renderScalar;
    private readonly List<string> _before = new();
    private readonly List<string> _block = new();
    private readonly HashSet<string> _refs = new(System.StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(System.StringComparer.Ordinal);
    private readonly List<(string Element, string Name)> _rented = new();
    private Dictionary<string, VValue> _values = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, VValue> _parameterVectors = new(System.StringComparer.Ordinal);

    // The local holding DateMath.CivilOf of a block's day-number vector, so year, month and day of one column share
    // one civil-from-days computation.
    private readonly Dictionary<string, string> _civilDates = new(System.StringComparer.Ordinal);
    private bool _valuesAreInput = true;
    private int _depth;
    private string _stage = string.Empty;
    private bool _relaxedMath;
    private bool _hasFilter;

    // The lanes whose scalar evaluation reaches the expression being emitted (the other side of a short-circuit,
    // the branch of a conditional, an arm of a switch), as a mask expression over locals; null for all lanes.
    // A construct that would throw for some lanes hands the block back only when a reached, kept lane would.
    private string? _reach;

    private VectorKernelEmitter(PipelineSpec pipeline, SchemaSpec input, System.Func<KernelExpr, string?, string?, bool, string> renderScalar)
    {
        _pipeline = pipeline;
        _input = input;
        _renderScalar = renderScalar;
    }

    /// <summary>Lines to write before the row loop (references, hoisted constants, per-entry string values).</summary>
    public IReadOnlyList<string> Before => _before;

    /// <summary>Arrays <see cref="Before"/> rents from the shared pool (element type, local); the kernel returns them.</summary>
    public IReadOnlyList<(string Element, string Name)> Rented => _rented;

    /// <summary>The body of the loop over whole blocks; it may <c>break</c> to hand the block to the per-row code.</summary>
    public IReadOnlyList<string> Block => _block;

    /// <summary>
    /// The vector block for <paramref name="stages"/>, or null when one of their expressions has no exact vector
    /// form. <paramref name="renderScalar"/> renders an expression as scalar C# with one column bound to a local
    /// (used for string sub-expressions evaluated per dictionary entry), or with no binding, for comments.
    /// </summary>
    public static VectorKernelEmitter? TryEmit(
        PipelineSpec pipeline,
        SchemaSpec input,
        IReadOnlyList<StageSpec> stages,
        SchemaSpec? output,
        IReadOnlyDictionary<string, string> gathered,
        bool needsSelection,
        System.Func<KernelExpr, string?, string?, bool, string> renderScalar)
    {
        var emitter = new VectorKernelEmitter(pipeline, input, renderScalar);
        return emitter.EmitBlock(stages, output, gathered, needsSelection) ? emitter : null;
    }

    private bool EmitBlock(IReadOnlyList<StageSpec> stages, SchemaSpec? output, IReadOnlyDictionary<string, string> gathered, bool needsSelection)
    {
        bool hasFilter = false;
        foreach (StageSpec stage in stages)
        {
            if (!stage.Kernel.Vectorized)
            {
                return false;
            }
            hasFilter |= stage.Kind == StageKindSpec.Filter;
        }
        _hasFilter = hasFilter;
        if (hasFilter)
        {
            Line("uint keep = " + AllLanes + "; // rows of this block that pass every filter so far, one bit per row");
        }
        foreach (StageSpec stage in stages)
        {
            _stage = stage.Name;
            _relaxedMath = stage.Kernel.RelaxedMath;
            if (!EmitStage(stage))
            {
                return false;
            }
        }

        // Outputs: the stage values converted to the output columns.
        var writes = new List<(ColumnSpec Column, VValue Value)>();
        if (output is not null)
        {
            foreach (ColumnSpec column in output.Columns)
            {
                if (gathered.ContainsKey(column.MemberName))
                {
                    continue;
                }
                VKind? kind = KindOfColumn(column);
                if (kind is null || !_values.TryGetValue(column.MemberName, out VValue? value))
                {
                    return false;
                }
                VValue? converted = Convert(value, kind.Value, column.Nullable);
                if (converted is null)
                {
                    return false;
                }
                writes.Add((column, Materialize(column.MemberName + "_out", converted)));
            }
        }

        Line("// Write the rows that reach the output at position count.");
        if (hasFilter)
        {
            Line("if (keep == " + AllLanes + ")");
            Open();
        }
        foreach ((ColumnSpec column, VValue value) in writes)
        {
            string local = "out" + column.MemberName;
            if (value.Kind == VKind.Bool)
            {
                Line(VM + ".StoreBools(" + value.Code + ", " + local + "Values, count);");
            }
            else
            {
                Line(VectorClass(value.Kind) + ".StoreUnsafe(" + value.Code + ", ref " + RefTo(local + "Values", column.StorageType, writable: true) + ", (nuint)count);");
            }
            if (value.Valid is not null)
            {
                Line(VM + ".SetNulls(" + local + ".Validity!, count, " + value.Valid + ");");
            }
        }
        if (needsSelection)
        {
            Line(VM + ".StoreRowNumbers(selection, count, i);");
        }
        Line("count += 4;");
        if (!hasFilter)
        {
            return true;
        }
        Close();
        Line("else");
        Open();
        Line("while (keep != 0)");
        Open();
        Line("int lane = global::System.Numerics.BitOperations.TrailingZeroCount(keep);");
        Line("keep &= keep - 1;");
        foreach ((ColumnSpec column, VValue value) in writes)
        {
            string local = "out" + column.MemberName;
            Line(local + "Values[count] = " + (value.Kind == VKind.Bool ? value.Code + "[lane] != 0" : value.Code + "[lane]") + ";");
            if (value.Valid is not null)
            {
                Line("if (" + value.Valid + "[lane] == 0)");
                Open();
                Line(local + ".Validity!.Set(count, false);");
                Close();
            }
        }
        if (needsSelection)
        {
            Line("selection[count] = i + lane;");
        }
        Line("count++;");
        Close();
        Close();
        return true;
    }

    private bool EmitStage(StageSpec stage)
    {
        StageKernelSpec kernel = stage.Kernel;
        if (stage.Kind == StageKindSpec.Filter)
        {
            Line("// " + stage.Name + " (filter): " + Describe(kernel.Predicate!));
            VValue? predicate = Eval(kernel.Predicate!);
            if (predicate is null || predicate.Kind != VKind.Bool || predicate.Valid is not null)
            {
                return false;
            }
            Line("keep &= " + VM + ".Bits(" + predicate.Code + ");");
            Line("if (keep == 0)");
            Open();
            Line("continue;");
            Close();
            return true;
        }

        SchemaSpec output = _pipeline.Schema(stage.OutputSchema);
        var next = new Dictionary<string, VValue>(System.StringComparer.Ordinal);
        foreach (KernelOutput o in kernel.Outputs)
        {
            ColumnSpec? column = output.FindMember(o.Member);
            if (column is null)
            {
                return false;
            }
            Line("// " + stage.Name + "." + o.Member + " = " + Describe(o.Value));
            VValue? value = Eval(o.Value);
            if (value is null)
            {
                return false;
            }
            if (value.Kind == VKind.String)
            {
                // A string passes through unchanged (a later stage or the output gathers it by row).
                if (!column.IsString || column.Nullable)
                {
                    return false;
                }
                next[o.Member] = value;
                continue;
            }
            VKind? kind = KindOfColumn(column);
            VValue? converted = kind is null ? null : Convert(value, kind.Value, column.Nullable);
            if (converted is null)
            {
                return false;
            }
            next[o.Member] = Materialize(stage.Name + "_" + o.Member, converted);
        }
        _values = next;
        _valuesAreInput = false;
        return true;
    }

    // ---- expressions -------------------------------------------------------------------------------------

    private VValue? Eval(KernelExpr e)
    {
        if (StringSubExpression(e) is { } perEntry)
        {
            return perEntry;
        }
        switch (e.Kind)
        {
            case KernelExprKind.Literal:
                return Constant(e.Type, e.Text);
            case KernelExprKind.StaticMember:
                return Hoisted(e);
            case KernelExprKind.Parameter:
                return HoistedParameter(e);
            case KernelExprKind.Default:
            {
                TypeInfo? t = TypeInfo.Parse(e.Type);
                if (t is null || t.Value.Kind is VKind.String or VKind.DateTime or VKind.Date)
                {
                    return null; // default(DateOnly) is 0001-01-01, not a zero vector of days
                }
                return t.Value.Nullable
                    ? new VValue(t.Value.Kind, ZeroOf(t.Value.Kind), V256 + "<long>.Zero")
                    : new VValue(t.Value.Kind, ZeroOf(t.Value.Kind), null);
            }
            case KernelExprKind.Column:
                return Load(e.Text);
            case KernelExprKind.Binary:
                return Binary(e);
            case KernelExprKind.Unary:
                return Unary(e);
            case KernelExprKind.Conversion:
                return Conversion(e);
            case KernelExprKind.Conditional:
                return Conditional(e);
            case KernelExprKind.Coalesce:
                return Coalesce(e);
            case KernelExprKind.IsPattern:
            {
                VValue? value = Eval(e.Operands[0]);
                string? mask = value is null ? null : Pattern(Materialize("pattern", value), e.Operands[1]);
                return mask is null ? null : new VValue(VKind.Bool, mask, null);
            }
            case KernelExprKind.Property:
                return Property(e);
            case KernelExprKind.Call:
                return Call(e);
            case KernelExprKind.Switch:
                return Switch(e);
            case KernelExprKind.New:
                return DateConstant(e);
            default:
                return null;
        }
    }

    /// <summary>
    /// Evaluates <paramref name="e"/> and converts it to <paramref name="type"/> as the implicit conversion the
    /// lowering left out would; a <c>null</c> literal becomes an all-null value of a nullable type.
    /// </summary>
    private VValue? EvalAs(KernelExpr e, TypeInfo type)
    {
        if (IsNullLiteral(e))
        {
            return type.Nullable ? new VValue(type.Kind, ZeroOf(type.Kind), V256 + "<long>.Zero") : null;
        }
        VValue? value = Eval(e);
        return value is null ? null : Convert(value, type.Kind, type.Nullable);
    }

    /// <summary>Evaluates <paramref name="eval"/> for the lanes of <paramref name="mask"/> (an identifier or its complement) within the current reach.</summary>
    private T Under<T>(string mask, System.Func<T> eval)
    {
        string? saved = _reach;
        _reach = _reach is null ? mask : _reach + " & " + mask;
        try
        {
            return eval();
        }
        finally
        {
            _reach = saved;
        }
    }

    /// <summary>
    /// Hands the block to the per-row code when a lane of <paramref name="failing"/> that the scalar code would reach
    /// is still kept by the filters: the per-row code then throws exactly where the stage method does.
    /// </summary>
    private void HandBackIf(string failing, string why)
    {
        string lanes = VM + ".Bits(" + (_reach is null ? failing : _reach + " & " + Parenthesize(failing)) + ")";
        Line("if (" + (_hasFilter ? "(keep & " + lanes + ")" : lanes) + " != 0)");
        Open();
        Line("break; // " + why);
        Close();
    }

    /// <summary>Whether evaluating <paramref name="e"/> may hand the block back for some lanes (so the reach of its lanes matters).</summary>
    private static bool MayHandBack(KernelExpr e)
    {
        if (e.Kind == KernelExprKind.Switch || (e.Kind == KernelExprKind.Property && e.Text == "Value")
            || (e.Kind == KernelExprKind.Call && !e.IsInstance && (e.Text.EndsWith(".Sign", System.StringComparison.Ordinal) || e.Text.EndsWith(".Clamp", System.StringComparison.Ordinal))))
        {
            return true;
        }
        foreach (KernelExpr operand in e.Operands)
        {
            if (MayHandBack(operand))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// <c>value switch { p1 when g1 => r1, ..., pn => rn }</c>: one mask per arm (its pattern, and its guard), then
    /// selects from the last arm back to the first, so each lane takes the first arm it matches. Guards and results
    /// are evaluated for every lane, which is harmless because the vector code only admits constructs that cannot
    /// throw. Without a final discard arm, a kept lane that matches no arm hands the block to the per-row code,
    /// which throws SwitchExpressionException like the stage method.
    /// </summary>
    private VValue? Switch(KernelExpr e)
    {
        TypeInfo? t = TypeInfo.Parse(e.Type);
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

    private VValue? Constant(string type, string text)
    {
        if (text == "null")
        {
            return null;
        }
        TypeInfo? t = TypeInfo.Parse(type);
        if (t is null || t.Value.Nullable)
        {
            return null;
        }
        switch (t.Value.Kind)
        {
            case VKind.Bool:
                return text switch
                {
                    "true" => new VValue(VKind.Bool, V256 + "<long>.AllBitsSet", null),
                    "false" => new VValue(VKind.Bool, V256 + "<long>.Zero", null),
                    _ => null,
                };
            case VKind.Double:
            case VKind.Float:
            case VKind.Int:
            case VKind.Long:
                return new VValue(t.Value.Kind, ConstantVector(t.Value.Kind, text), null, text);
            default:
                return null;
        }
    }

    private VValue? Hoisted(KernelExpr e)
    {
        TypeInfo? t = TypeInfo.Parse(e.Type);
        if (t is null || t.Value.Nullable || t.Value.Kind is VKind.String or VKind.DateTime)
        {
            return null;
        }
        string name = Unique("hoisted" + Tail(e.Text));
        _before.Add("var " + name + " = " + Broadcast(t.Value.Kind, e.Text) + "; // " + e.Text + ", read once per batch");
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
        TypeInfo? t = TypeInfo.Parse(e.Type);
        if (t is null || t.Value.Nullable || t.Value.Kind is VKind.String or VKind.DateTime or VKind.Date)
        {
            return null;
        }
        string local = StageParametersSpec.MemberLocal(e.Text);
        string name = Unique("hoisted" + e.Text.Replace(".", string.Empty));
        string broadcast = t.Value.Kind == VKind.Bool ? Broadcast(VKind.Bool, local) : VectorClass(t.Value.Kind) + ".Create(" + local + ")";
        _before.Add("var " + name + " = " + broadcast + "; // " + e.Text + ", read once per batch");
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
                if (column.Nullable)
                {
                    return null;
                }
                value = new VValue(VKind.String, column.MemberName, null);
                _values[member] = value;
                return value;
            case ColumnKind.Boolean:
                Line("var " + name + " = " + VM + ".LoadBools(" + local + "Values, i);");
                value = new VValue(VKind.Bool, name, null);
                break;
            default:
                if (KindOfColumn(column) is not { } kind)
                {
                    // Members the vector code has no lanes for (decimal, Guid, small integers, ...) run per row.
                    return null;
                }
                Line("var " + name + " = " + VectorClass(kind) + ".LoadUnsafe(ref " + RefTo(local + "Values", column.StorageType, writable: false) + ", (nuint)i);");
                if (kind == VKind.DateTime)
                {
                    // Stored values outside DateTime's range make the scalar conversion throw: let the per-row code do that.
                    Line("if (!" + VM + ".InDateTimeRange(" + name + "))");
                    Open();
                    Line("break;");
                    Close();
                }
                else if (kind == VKind.Date)
                {
                    // Stored days outside DateOnly's range make the scalar conversion throw: let the per-row code do that.
                    Line("if (!" + DM + ".InDateOnlyRange(" + name + "))");
                    Open();
                    Line("break;");
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

    private VValue? Binary(KernelExpr e)
    {
        string op = e.Text;
        KernelExpr leftExpr = e.Operands[0];
        KernelExpr rightExpr = e.Operands[1];

        // x == null, x != null on a nullable value.
        if ((op == "==" || op == "!=") && (IsNullLiteral(leftExpr) || IsNullLiteral(rightExpr)))
        {
            VValue? other = Eval(IsNullLiteral(leftExpr) ? rightExpr : leftExpr);
            if (other?.Valid is null)
            {
                return null;
            }
            return new VValue(VKind.Bool, op == "==" ? "~" + other.Valid : other.Valid, null);
        }

        VValue? left = Eval(leftExpr);
        VValue? right;
        if (left is not null && op is "&&" or "||" && left.Kind == VKind.Bool && left.Valid is null && MayHandBack(rightExpr))
        {
            // The scalar code evaluates the right side only where the left does not decide.
            left = Materialize(op == "&&" ? "left" : "leftOr", left);
            right = Under(op == "&&" ? left.Code : "~" + left.Code, () => Eval(rightExpr));
        }
        else
        {
            right = left is null ? null : Eval(rightExpr);
        }
        if (left is null || right is null || left.Kind is VKind.String or VKind.DateTime || right.Kind is VKind.String or VKind.DateTime)
        {
            return null;
        }
        TypeInfo? result = TypeInfo.Parse(e.Type);
        if (result is null)
        {
            return null;
        }

        if (op is "&&" or "||" || (result.Value.Kind == VKind.Bool && op is "&" or "|" or "^" && left.Kind == VKind.Bool))
        {
            if (left.Kind != VKind.Bool || right.Kind != VKind.Bool || left.Valid is not null || right.Valid is not null)
            {
                return null;
            }
            string token = op is "&&" ? "&" : op is "||" ? "|" : op;
            return new VValue(VKind.Bool, Parenthesize(left.Code) + " " + token + " " + Parenthesize(right.Code), null);
        }

        string? valid = And(left.Valid, right.Valid);
        if (op is "==" or "!=" or "<" or "<=" or ">" or ">=")
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
                if (op is not ("==" or "!="))
                {
                    return null;
                }
                compare = "~(" + a.Code + " ^ " + b.Code + ")";
            }
            else
            {
                string method = op switch
                {
                    "==" or "!=" => "Equals",
                    "<" => "LessThan",
                    "<=" => "LessThanOrEqual",
                    ">" => "GreaterThan",
                    _ => "GreaterThanOrEqual",
                };
                compare = ToMask(common.Value, VectorClass(common.Value) + "." + method + "(" + a.Code + ", " + b.Code + ")");
            }
            if (valid is null)
            {
                return new VValue(VKind.Bool, op == "!=" ? "~" + Parenthesize(compare) : compare, null);
            }
            if (op is "==" or "!=")
            {
                // Lifted equality: two nulls are equal, a null and a value are not.
                string lv = left.Valid ?? V256 + "<long>.AllBitsSet";
                string rv = right.Valid ?? V256 + "<long>.AllBitsSet";
                string equal = "(" + valid + " & " + Parenthesize(compare) + ") | ~(" + lv + " | " + rv + ")";
                return new VValue(VKind.Bool, op == "!=" ? "~(" + equal + ")" : equal, null);
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
        if (integral && (e.Overflow == OverflowMode.Checked || op is "/" or "%"))
        {
            return null; // checked arithmetic and integer division can throw: per-row code only.
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
            case "+":
            case "-":
            case "*":
                code = Parenthesize(x.Code) + " " + op + " " + Parenthesize(y.Code);
                break;
            case "/" when !integral:
                code = Parenthesize(x.Code) + " / " + Parenthesize(y.Code);
                break;
            case "%" when !integral:
            {
                string a = Materialize("dividend", x).Code;
                string b = Materialize("divisor", y).Code;
                code = PerLane(kind, k => a + "[" + k + "] % " + b + "[" + k + "]");
                break;
            }
            case "&" or "|" or "^" when integral:
                code = Parenthesize(x.Code) + " " + op + " " + Parenthesize(y.Code);
                break;
            default:
                return null;
        }
        return new VValue(kind, code, valid);
    }

    private VValue? Unary(KernelExpr e)
    {
        VValue? operand = Eval(e.Operands[0]);
        TypeInfo? t = TypeInfo.Parse(e.Type);
        if (operand is null || t is null)
        {
            return null;
        }
        switch (e.Text)
        {
            case "!" when operand.Kind == VKind.Bool && operand.Valid is null:
                return new VValue(VKind.Bool, "~" + Parenthesize(operand.Code), null);
            case "+":
                return Convert(operand, t.Value.Kind, operand.Valid is not null);
            case "-" when e.Overflow != OverflowMode.Checked:
            case "~":
            {
                VValue? x = Convert(operand, t.Value.Kind, operand.Valid is not null);
                if (x is null)
                {
                    return null;
                }
                // The result is no longer the operand's literal, so a later conversion must not rewrite that constant.
                return x.Kind switch
                {
                    VKind.Double or VKind.Float when e.Text == "-" => x with { Code = VM + ".Negate(" + x.Code + ")", Literal = null },
                    VKind.Int or VKind.Long when e.Text == "-" => x with { Code = VectorType(x.Kind) + ".Zero - " + Parenthesize(x.Code), Literal = null },
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
        TypeInfo? t = TypeInfo.Parse(e.Type);
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
        TypeInfo? t = TypeInfo.Parse(e.Type);
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
        TypeInfo? t = TypeInfo.Parse(e.Type);
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
                if (IsNullLiteral(constant))
                {
                    return value.Valid is null ? null : "~" + value.Valid;
                }
                if (pattern.Kind == KernelExprKind.PatternConstant && value.Kind is VKind.Double or VKind.Float
                    && constant.Kind is KernelExprKind.Literal or KernelExprKind.StaticMember && constant.Text.EndsWith(".NaN", System.StringComparison.Ordinal))
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
                string op = pattern.Kind == KernelExprKind.PatternConstant ? "==" : pattern.Text;
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
                    if (op != "==")
                    {
                        return null;
                    }
                    compare = "~(" + a.Code + " ^ " + b.Code + ")";
                }
                else
                {
                    string? method = op switch
                    {
                        "==" => "Equals",
                        "<" => "LessThan",
                        "<=" => "LessThanOrEqual",
                        ">" => "GreaterThan",
                        ">=" => "GreaterThanOrEqual",
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

    private VValue? Property(KernelExpr e)
    {
        KernelExpr receiverExpr = e.Operands[0];
        if (receiverExpr.Kind == KernelExprKind.Binary && receiverExpr.Text == "-" && receiverExpr.Type == "global::System.TimeSpan")
        {
            return TimeSpanTotal(e);
        }
        VValue? receiver = Eval(receiverExpr);
        if (receiver is null)
        {
            return null;
        }
        if (receiver.Valid is not null)
        {
            switch (e.Text)
            {
                case "HasValue":
                    return new VValue(VKind.Bool, receiver.Valid, null);
                case "Value":
                    // Nullable<T>.Value throws for null: hand back a block where a reached, kept row is null.
                    HandBackIf("~" + Parenthesize(receiver.Valid), "'.Value' of a null in a kept row: the per-row code throws InvalidOperationException like the stage method");
                    return receiver with { Valid = null };
                default:
                    return null;
            }
        }
        if (receiver.Kind == VKind.Date)
        {
            return DatePart(e, receiver);
        }
        if (receiver.Kind != VKind.DateTime)
        {
            return null;
        }
        string? part = e.Text switch
        {
            "Hour" => "HourOf",
            "Minute" => "MinuteOf",
            "Second" => "SecondOf",
            "Year" => "YearOf",
            "Month" => "MonthOf",
            "Day" => "DayOf",
            "DayOfYear" => "DayOfYearOf",
            "DayOfWeek" => "DayOfWeekOf",
            _ => null,
        };
        if (part is null)
        {
            return null;
        }
        string micros = Materialize("micros", receiver).Code;
        string cast = e.Text == "DayOfWeek" ? "(int)" : string.Empty;
        string code = PerLane(VKind.Int, k => cast + "global::Dsl.Timestamps." + part + "(" + micros + "[" + k + "])");
        return new VValue(e.Text == "DayOfWeek" ? VKind.DayOfWeek : VKind.Int, code, null);
    }

    /// <summary>
    /// A part of a <c>DateOnly</c> (days since 1970-01-01 in 32-bit lanes) by vector integer arithmetic: Year, Month, Day
    /// and DayOfYear through <c>DateMath</c>'s civil-from-days, DayOfWeek as the floor remainder of days + 4 by 7, and
    /// DayNumber as days plus the day number of 1970-01-01. Loading the column checked that every lane is in range.
    /// </summary>
    private VValue? DatePart(KernelExpr e, VValue receiver)
    {
        string days = Materialize("days", receiver).Code;
        switch (e.Text)
        {
            case "Year":
            case "Month":
            case "Day":
                if (!_civilDates.TryGetValue(days, out string? civil))
                {
                    civil = Unique("civil");
                    Line("var " + civil + " = " + DM + ".CivilOf(" + days + "); // year, month and day of each lane, computed once");
                    _civilDates[days] = civil;
                }
                return new VValue(VKind.Int, civil + "." + e.Text, null);
            case "DayOfYear":
                return new VValue(VKind.Int, DM + ".DayOfYearOf(" + days + ")", null);
            case "DayOfWeek":
                return new VValue(VKind.DayOfWeek, DM + ".DayOfWeekOf(" + days + ")", null);
            case "DayNumber":
                return new VValue(VKind.Int, days + " + " + V128 + ".Create(global::Dsl.Timestamps.UnixEpochDayNumber)", null);
            default:
                return null;
        }
    }

    /// <summary>
    /// <c>new DateOnly(year, month, day)</c> with integer literals naming a valid date: its stored day number, computed
    /// here and broadcast once per batch. Other arguments (or an invalid date, which throws) stay on the per-row code.
    /// </summary>
    private VValue? DateConstant(KernelExpr e)
    {
        if (e.Type != "global::System.DateOnly" || e.Operands.Count != 3 || !e.ArgumentNames.IsEmpty)
        {
            return null;
        }
        var parts = new int[3];
        for (int a = 0; a < 3; a++)
        {
            KernelExpr operand = e.Operands[a];
            if (operand.Kind != KernelExprKind.Literal || operand.Type != "int"
                || !int.TryParse(operand.Text, NumberStyles.None, CultureInfo.InvariantCulture, out parts[a]))
            {
                return null;
            }
        }
        if (parts[0] < 1 || parts[0] > 9999 || parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > System.DateTime.DaysInMonth(parts[0], parts[1]))
        {
            return null;
        }
        int days = (new System.DateTime(parts[0], parts[1], parts[2]) - new System.DateTime(1970, 1, 1)).Days;
        string name = Unique("date" + parts[0].ToString("D4", CultureInfo.InvariantCulture) + parts[1].ToString("D2", CultureInfo.InvariantCulture) + parts[2].ToString("D2", CultureInfo.InvariantCulture));
        _before.Add("var " + name + " = " + V128 + ".Create(" + days.ToString(CultureInfo.InvariantCulture) + "); // " + Describe(e) + " as days since 1970-01-01");
        return new VValue(VKind.Date, name, null);
    }

    /// <summary>
    /// <c>(a - b).TotalSeconds</c> (and TotalMilliseconds, TotalMinutes, TotalHours, TotalDays) on two timestamps:
    /// TimeSpan divides its ticks, as a double, by the ticks per unit; the ticks are ten times the difference of the
    /// stored microseconds, which cannot overflow for values DateTime can hold.
    /// </summary>
    private VValue? TimeSpanTotal(KernelExpr e)
    {
        string? ticksPerUnit = e.Text switch
        {
            "TotalMilliseconds" => "10000.0",
            "TotalSeconds" => "10000000.0",
            "TotalMinutes" => "600000000.0",
            "TotalHours" => "36000000000.0",
            "TotalDays" => "864000000000.0",
            _ => null,
        };
        KernelExpr difference = e.Operands[0];
        if (ticksPerUnit is null || e.Type != "double"
            || difference.Operands[0].Type != "global::System.DateTime" || difference.Operands[1].Type != "global::System.DateTime")
        {
            return null;
        }
        VValue? end = Eval(difference.Operands[0]);
        VValue? start = end is null ? null : Eval(difference.Operands[1]);
        if (end is null || start is null || end.Kind != VKind.DateTime || start.Kind != VKind.DateTime || end.Valid is not null || start.Valid is not null)
        {
            return null;
        }
        string ticks = Materialize("ticks", new VValue(VKind.Long, "(" + end.Code + " - " + start.Code + ") * " + V256 + ".Create(10L)", null)).Code;
        return new VValue(VKind.Double, VM + ".ToDouble(" + ticks + ") / " + V256 + ".Create(" + ticksPerUnit + ")", null);
    }

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

    /// <summary>
    /// A sub-expression of one non-nullable string column and constants whose value is a number or a bool: it is
    /// evaluated once per dictionary entry before the loop, and each block gathers it by the rows' indices.
    /// </summary>
    private VValue? StringSubExpression(KernelExpr e)
    {
        TypeInfo? t = TypeInfo.Parse(e.Type);
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
            _before.Add("if (" + strings + ".Length > rowCount)");
            _before.Add("{");
            _before.Add("    vectorEnd = 0; // a dictionary larger than the batch: evaluating per row is cheaper");
            _before.Add("}");
        }
        _before.Add("// " + _stage + ": " + Describe(e) + ", once per dictionary entry of " + column + " (gathered by index in the blocks; rented)");
        _before.Add(element + "[] " + table + " = global::System.Buffers.ArrayPool<" + element + ">.Shared.Rent(vectorEnd > 0 ? " + strings + ".Length : 0);");
        _rented.Add((element, table));
        _before.Add("for (int e = 0; vectorEnd > 0 && e < " + strings + ".Length; e++)");
        _before.Add("{");
        _before.Add("    string " + entry + " = " + strings + "[e];");
        _before.Add("    " + table + "[e] = " + (t.Value.Kind == VKind.Bool ? "(" + scalar + ") ? -1L : 0L" : scalar) + ";");
        _before.Add("}");
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
            case KernelExprKind.Binary when e.Overflow != OverflowMode.Checked && e.Text is not ("/" or "%" or "<<" or ">>" or ">>>"):
            case KernelExprKind.Conditional:
                return AllTotal(e, ref member);
            case KernelExprKind.Unary when e.Text == "!":
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
            case KernelExprKind.Property when e.Text == "Length" && e.Operands[0].Type.StartsWith("string", System.StringComparison.Ordinal):
                return AllTotal(e, ref member);
            case KernelExprKind.Call when e.IsInstance && e.ArgumentNames.IsEmpty && e.Operands[0].Type == "string":
                switch (e.Text)
                {
                    case "ToLowerInvariant" or "ToUpperInvariant" or "Trim" or "TrimStart" or "TrimEnd" when e.Operands.Count == 1:
                        return IsTotalOverString(e.Operands[0], ref member);
                    case "StartsWith" or "EndsWith" or "Contains" or "Equals" or "IndexOf"
                        when (e.Operands.Count == 2 || (e.Operands.Count == 3 && IsStringComparison(e.Operands[2]))) && IsStringConstant(e.Operands[1]):
                        return IsTotalOverString(e.Operands[0], ref member);
                    default:
                        return false;
                }
            case KernelExprKind.Call when !e.IsInstance && e.ArgumentNames.IsEmpty:
                switch (e.Text)
                {
                    case "global::Dsl.Hashing.Bucket" when e.Operands.Count == 2 && IsPositiveIntLiteral(e.Operands[1]):
                    case "global::Dsl.Hashing.Hash64" when e.Operands.Count == 1 && e.Operands[0].Type == "string":
                    case "string.IsNullOrEmpty" or "string.IsNullOrWhiteSpace" when e.Operands.Count == 1:
                        return IsTotalOverString(e.Operands[0], ref member);
                    default:
                        return false;
                }
            default:
                return false;
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
        e.Kind is KernelExprKind.StaticMember or KernelExprKind.Literal && e.Text.StartsWith("global::System.StringComparison.", System.StringComparison.Ordinal);

    // A string literal, or a string member of the stage's parameter object (never null: the runtime refuses null values).
    private static bool IsStringConstant(KernelExpr e) =>
        (e.Kind == KernelExprKind.Literal && e.Text.StartsWith("\"", System.StringComparison.Ordinal))
        || (e.Kind == KernelExprKind.Parameter && e.Type == "string");

    private static bool IsPositiveIntLiteral(KernelExpr e) =>
        e.Kind == KernelExprKind.Literal && int.TryParse(e.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0;

    private static bool IsNullLiteral(KernelExpr e) => e.Kind == KernelExprKind.Literal && e.Text == "null";

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

    // ---- conversions and types ---------------------------------------------------------------------------

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

    private static string Narrow(string wide) => V128 + ".Narrow(" + V256 + ".GetLower(" + wide + "), " + V256 + ".GetUpper(" + wide + "))";

    private static string ConstantVector(VKind kind, string text)
    {
        bool digits = text.Length > 0;
        foreach (char c in text)
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

    private static VKind? KindOfColumn(ColumnSpec column) => column.Kind switch
    {
        ColumnKind.Int32 => VKind.Int,
        ColumnKind.Int64 => VKind.Long,
        ColumnKind.Float => VKind.Float,
        ColumnKind.Double => VKind.Double,
        ColumnKind.Boolean => VKind.Bool,
        ColumnKind.Timestamp => VKind.DateTime,
        ColumnKind.Date => VKind.Date,
        _ => null,
    };

    private static bool IsWide(VKind kind) => kind is VKind.Double or VKind.Long or VKind.DateTime or VKind.Bool;

    private static string VectorClass(VKind kind) => IsWide(kind) ? V256 : V128;

    private static string ElementType(VKind kind) => kind switch
    {
        VKind.Double => "double",
        VKind.Float => "float",
        VKind.Long or VKind.DateTime or VKind.Bool => "long",
        _ => "int",
    };

    private static string VectorType(VKind kind) => VectorClass(kind) + "<" + ElementType(kind) + ">";

    private static string ZeroOf(VKind kind) => VectorType(kind) + ".Zero";

    /// <summary>The block mask of a comparison result of <paramref name="kind"/> lanes.</summary>
    private static string ToMask(VKind kind, string compare) => kind switch
    {
        VKind.Double => V256 + ".AsInt64(" + compare + ")",
        VKind.Long or VKind.DateTime => compare,
        VKind.Float => VM + ".Widen(" + V128 + ".AsInt32(" + compare + "))",
        _ => VM + ".Widen(" + compare + ")",
    };

    /// <summary>A block mask shaped for selecting between values of <paramref name="kind"/>.</summary>
    private static string MaskFor(VKind kind, string mask) => kind switch
    {
        VKind.Double => V256 + ".AsDouble(" + mask + ")",
        VKind.Long or VKind.DateTime or VKind.Bool => mask,
        VKind.Float => V128 + ".AsSingle(" + VM + ".Narrow(" + mask + "))",
        _ => VM + ".Narrow(" + mask + ")",
    };

    private static string PerLane(VKind kind, System.Func<int, string> lane) =>
        VectorClass(kind) + ".Create(" + Lanes(lane) + ")";

    private static string Lanes(System.Func<int, string> lane) => lane(0) + ", " + lane(1) + ", " + lane(2) + ", " + lane(3);

    private static string? And(string? a, string? b) => a is null ? b : b is null ? a : "(" + a + " & " + b + ")";

    // ---- writing -----------------------------------------------------------------------------------------

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
            _before.Add("ref " + elementType + " " + name + " = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(" + span + ");");
        }
        return name;
    }

    private string Unique(string hint)
    {
        string name = hint;
        for (int n = 2; !_names.Add(name); n++)
        {
            name = hint + n.ToString(CultureInfo.InvariantCulture);
        }
        return name;
    }

    private void Line(string text) => _block.Add(new string(' ', _depth * 4) + text);

    private void Open()
    {
        Line("{");
        _depth++;
    }

    private void Close()
    {
        _depth--;
        Line("}");
    }

    private static bool IsIdentifier(string code)
    {
        foreach (char c in code)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }
        return code.Length > 0;
    }

    private static string Parenthesize(string code)
    {
        if (IsIdentifier(code))
        {
            return code;
        }
        int depth = 0;
        foreach (char c in code)
        {
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth--;
            }
            else if (depth == 0 && (c == ' ' || c == '-'))
            {
                return "(" + code + ")";
            }
        }
        return code;
    }

    private static string Tail(string qualified)
    {
        int dot = qualified.LastIndexOf('.');
        return dot < 0 ? qualified : qualified.Substring(dot + 1);
    }

    private static string Camel(string name) => SourceWriter.Camel(name);

    /// <summary>A short rendering of an IR node for the comments that map blocks back to the user's code.</summary>
    private string Describe(KernelExpr e)
    {
        string text = _renderScalar(e, null, null, true).Replace("global::System.", string.Empty).Replace("global::", string.Empty);
        return text.Length > 120 ? text.Substring(0, 117) + "..." : text;
    }

    private enum VKind
    {
        Double,
        Float,
        Long,
        Int,
        Bool,
        DateTime,
        /// <summary>A <c>DateOnly</c>: its stored days since 1970-01-01 in 32-bit lanes.</summary>
        Date,
        DayOfWeek,
        String,
    }

    /// <summary>
    /// A vector value: <see cref="Code"/> is its C# expression (for strings, the input column member whose dictionary
    /// it indexes); <see cref="Valid"/>, for nullable values, the expression of its validity mask.
    /// </summary>
    /// <param name="Literal">For a literal, its C# text, so a conversion can write the constant in the target type.</param>
    private sealed record VValue(VKind Kind, string Code, string? Valid, string? Literal = null);

    private readonly struct TypeInfo
    {
        private TypeInfo(VKind kind, bool nullable)
        {
            Kind = kind;
            Nullable = nullable;
        }

        public VKind Kind { get; }

        public bool Nullable { get; }

        public static TypeInfo? Parse(string type)
        {
            bool nullable = type.EndsWith("?", System.StringComparison.Ordinal);
            string core = nullable ? type.Substring(0, type.Length - 1) : type;
            VKind? kind = core switch
            {
                "double" => VKind.Double,
                "float" => VKind.Float,
                "long" => VKind.Long,
                "int" => VKind.Int,
                "bool" => VKind.Bool,
                "global::System.DateTime" => VKind.DateTime,
                "global::System.DateOnly" => VKind.Date,
                "global::System.DayOfWeek" => VKind.DayOfWeek,
                "string" => VKind.String,
                _ => null,
            };
            return kind is null ? null : new TypeInfo(kind.Value, nullable && kind != VKind.String);
        }
    }
}

using System.Collections.Generic;
using System.Globalization;
using Dsl.Generators.Common;
using Dsl.Generators.Model;
using Dsl.Generators.Scoring;

namespace Dsl.Generators.Kernels;

/// <summary>
/// Writes the vector block of a segment kernel from the same <see cref="StageKernelSpec"/>s the scalar emitter
/// reads: each block evaluates the stage expressions over four rows at once (64-bit values as
/// <c>Vector256</c>, 32-bit values as <c>Vector128</c>, conditions as <c>Vector256&lt;long&gt;</c> masks),
/// compresses the rows that pass the filters and writes them at the output position.
/// </summary>
/// <remarks>
/// The block only uses constructs whose vector form is bit-identical to the scalar C# and cannot throw, because
/// it evaluates every lane, including rows a filter drops. Anything else (checked arithmetic, calls outside the
/// list, ...) keeps the whole segment on the per-row loop, and the kernel says why (<see cref="VectorDecline"/>).
/// A few constructs throw only for some values (a switch no arm matches, <c>.Value</c> of a null, integer division
/// by zero): the block checks the lanes the scalar code would reach and that are still kept, and hands the block to
/// the per-row code, which throws, when one would.
/// Where a vector form does not exist but the scalar one cannot throw (Math.Log, DateTime parts, double
/// remainder), the block calls the scalar code once per lane; string sub-expressions are evaluated once per
/// dictionary entry before the loop and gathered by index.
/// </remarks>
internal sealed partial class VectorKernelEmitter
{
    private const string V128 = "global::System.Runtime.Intrinsics.Vector128";

    private const string V256 = "global::System.Runtime.Intrinsics.Vector256";

    private const string VM = "global::Dsl.Kernels.VectorMath";

    private const string DM = "global::Dsl.Kernels.DateMath";

    private const string AllLanes = "0b1111";

    private readonly PipelineSpec _pipeline;

    private readonly SchemaSpec _input;

    private readonly System.Func<KernelExpr, string?, string?, bool, string> _renderScalar;

    private readonly SourceWriter _before = new();

    private readonly SourceWriter _block = new();

    private readonly HashSet<string> _refs = new(System.StringComparer.Ordinal);

    private readonly HashSet<string> _names = new(System.StringComparer.Ordinal);

    private readonly List<(string Element, string Name)> _rented = new();

    private Dictionary<string, VValue> _values = new(System.StringComparer.Ordinal);

    private readonly Dictionary<string, VValue> _parameterVectors = new(System.StringComparer.Ordinal);

    // The local holding DateMath.CivilOf of a block's day-number vector, so year, month and day of one column share
    // one civil-from-days computation.
    private readonly Dictionary<string, string> _civilDates = new(System.StringComparer.Ordinal);

    private bool _valuesAreInput = true;

    private string _stage = string.Empty;

    private bool _relaxedMath;

    private bool _hasFilter;

    // The segment's first stage: a score stage there was scored for the whole batch before the loop.
    private string _firstStage = string.Empty;

    // A score stage's outputs for the block: parameter name -> vector.
    private readonly Dictionary<string, VValue> _scores = new(System.StringComparer.Ordinal);

    // The rules the kernel checks (RulePlacement), and whether the block has reported broken lanes so far: a block
    // handed back to the per-row code then takes its reports back first, so that no row is reported twice.
    private IReadOnlyList<RulePlacementSpec> _rules = System.Array.Empty<RulePlacementSpec>();

    private bool _reported;

    // The lanes whose scalar evaluation reaches the expression being emitted (the other side of a short-circuit,
    // the branch of a conditional, an arm of a switch), as a mask expression over locals; null for all lanes.
    // A construct that would throw for some lanes hands the block back only when a reached, kept lane would.
    private string? _reach;

    // Why the block could not be written: the first construct without an exact vector form, for explain and DSL4002.
    private VectorDecline? _decline;

    private VectorKernelEmitter(PipelineSpec pipeline, SchemaSpec input, System.Func<KernelExpr, string?, string?, bool, string> renderScalar)
    {
        _pipeline = pipeline;
        _input = input;
        _renderScalar = renderScalar;
    }

    /// <summary>Lines to write before the row loop (references, hoisted constants, per-entry string values).</summary>
    public SourceWriter Before => _before;

    /// <summary>Arrays <see cref="Before"/> rents from the shared pool (element type, local); the kernel returns them.</summary>
    public IReadOnlyList<(string Element, string Name)> Rented => _rented;

    /// <summary>The body of the loop over whole blocks; it may <c>break</c> to hand the block to the per-row code.</summary>
    public SourceWriter Block => _block;

    /// <summary>
    /// The vector block for <paramref name="stages"/>, or null when one of their expressions has no exact vector
    /// form. <paramref name="renderScalar"/> renders an expression as scalar C# with one column bound to a local
    /// (used for string sub-expressions evaluated per dictionary entry), or with no binding, for comments.
    /// </summary>
    public static VectorKernelEmitter? TryEmit(
        PipelineSpec pipeline,
        SchemaSpec input,
        IReadOnlyList<StageSpec> stages,
        IReadOnlyList<RulePlacementSpec> rules,
        SchemaSpec? output,
        IReadOnlyDictionary<string, string> gathered,
        bool needsSelection,
        System.Func<KernelExpr, string?, string?, bool, string> renderScalar,
        out VectorDecline? decline)
    {
        var emitter = new VectorKernelEmitter(pipeline, input, renderScalar) { _rules = rules, _firstStage = stages.Count > 0 ? stages[0].Name : string.Empty };
        if (emitter.EmitBlock(stages, output, gathered, needsSelection))
        {
            decline = null;
            return emitter;
        }
        decline = emitter._decline ?? new VectorDecline(emitter._stage, string.Empty, "no exact vector form");
        return null;
    }

    /// <summary>Records why the block cannot be written (the first reason wins: it is the innermost construct) and returns false.</summary>
    private bool Decline(string construct, string reason)
    {
        _decline ??= new VectorDecline(_stage, construct, reason);
        return false;
    }

    /// <summary>Records why the block cannot be written, like <see cref="Decline"/>, and returns null for the value.</summary>
    private VValue? DeclineNull(string construct, string reason)
    {
        Decline(construct, reason);
        return null;
    }

    private bool EmitBlock(IReadOnlyList<StageSpec> stages, SchemaSpec? output, IReadOnlyDictionary<string, string> gathered, bool needsSelection)
    {
        bool hasFilter = false;
        foreach (StageSpec stage in stages)
        {
            if (!stage.Kernel.Vectorized)
            {
                _stage = stage.Name;
                return Decline(stage.Kernel.FallbackReason ?? "the stage body", "the stage's own method is called once per row (DSL4001)");
            }
            hasFilter |= stage.Kind is StageKindSpec.Filter or StageKindSpec.Check;
        }
        hasFilter |= _rules.Count > 0;
        _hasFilter = hasFilter;
        if (hasFilter)
        {
            Line("uint keep = " + AllLanes + "; // rows of this block that pass every filter and rule so far, one bit per row");
        }
        if (_rules.Count > 0)
        {
            Line("int reported = violations.Count; // what a hand-back to the per-row code takes back");
        }
        if (!EmitMemberRules(null))
        {
            return false;
        }
        foreach (StageSpec stage in stages)
        {
            _stage = stage.Name;
            _relaxedMath = stage.Kernel.RelaxedMath;
            if (!EmitStage(stage) || (stage.Kind == StageKindSpec.Map && !EmitMemberRules(stage.Name)))
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
                    return Decline("the output column '" + column.MemberName + "'", "a column of type '" + column.ClrType + "' has no vector form");
                }
                VValue? converted = Convert(value, kind.Value, column.Nullable);
                if (converted is null)
                {
                    return Decline("the output column '" + column.MemberName + "'", "no exact vector conversion to '" + column.ClrType + "'");
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
        if (stage.Kind == StageKindSpec.Check)
        {
            RulePlacementSpec rule = FindRule(stage.Name, "Check");
            Line("// " + stage.Name + " (check, rule " + rule.Index + ", " + rule.Rule.Action + "): " + Describe(kernel.Predicate!));
            return EmitRuleMask(rule, kernel.Predicate!);
        }
        if (stage.Kind == StageKindSpec.Filter)
        {
            Line("// " + stage.Name + " (filter): " + Describe(kernel.Predicate!));
            VValue? predicate = Eval(kernel.Predicate!);
            if (predicate is null || predicate.Kind != VKind.Bool || predicate.Valid is not null)
            {
                return false;
            }
            Line("keep &= " + VM + ".Bits(" + predicate.Code + ");");
            SkipIfNoneKept();
            return true;
        }

        if (stage.Score is not null && !EmitScore(stage))
        {
            return false;
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
                if (!column.IsString || (value.Valid is not null && !column.Nullable))
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

    /// <summary>
    /// The outputs of score stage <paramref name="stage"/> for the block's four rows, loaded from what the batch scoring
    /// before the row loop left (a score stage starts its segment); as vectors of each output's type.
    /// </summary>
    private bool EmitScore(StageSpec stage)
    {
        ScoreSpec score = stage.Score!;
        if (stage.Name != _firstStage)
        {
            return Decline("score stage '" + stage.Name + "'", "it is fused after another stage, so its model scores row by row");
        }
        string local = SourceWriter.Camel(stage.Name);
        int outputs = score.Outputs.Count;
        _scores.Clear();
        if (score.Model is null)
        {
            Line("if (" + local + "Errors is not null && global::Dsl.Models.RunTimeScoring.AnyRefused(" + local + "Errors, i, 4))");
            Open();
            HandBack("the run-time model refused a row of the block: the per-row code raises its row error");
            Close();
        }
        for (int k = 0; k < outputs; k++)
        {
            ScoreOutputSpec output = score.Outputs[k];
            VKind kind = output.ClrType == "double" ? VKind.Double : VKind.Float;
            string cast = KernelEmitter.Cast(score.OutputValueType, output.ClrType);
            var lanes = new List<string>();
            for (int lane = 0; lane < 4; lane++)
            {
                lanes.Add(cast + local + "Outputs[(i + " + lane + ")" + (outputs == 1 ? string.Empty : " * " + outputs + " + " + k) + "]");
            }
            string name = Unique(stage.Name + "_model_" + output.Name);
            Line("var " + name + " = " + VectorClass(kind) + ".Create(" + string.Join(", ", lanes) + "); // " + stage.Name + "'s " + output.Name + ", scored before the loop");
            _scores[output.Name] = new VValue(kind, name, null);
        }
        return true;
    }

    /// <summary>The member rules the kernel checks before the first stage (<paramref name="after"/> null) or after map <paramref name="after"/>.</summary>
    private bool EmitMemberRules(string? after)
    {
        foreach (RulePlacementSpec rule in _rules)
        {
            if (rule.Predicate is null || rule.After != after)
            {
                continue;
            }
            Line("// Rule " + rule.Index + " " + rule.Rule.Id + " (" + rule.Rule.Action + "): " + rule.Description);
            string stage = _stage;
            _stage = "Rule" + rule.Index.ToString(CultureInfo.InvariantCulture); // names its per-entry tables
            bool emitted = EmitRuleMask(rule, rule.Predicate);
            _stage = stage;
            if (!emitted)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// A rule's condition as a lane mask: the kept lanes that fail it are its broken lanes, reported at once; unless
    /// it only warns, they leave the block's kept rows.
    /// </summary>
    private bool EmitRuleMask(RulePlacementSpec rule, KernelExpr condition)
    {
        VValue? predicate = Eval(condition);
        if (predicate is null || predicate.Kind != VKind.Bool || predicate.Valid is not null)
        {
            return false;
        }
        string pass = Unique("pass" + rule.Index.ToString(CultureInfo.InvariantCulture));
        string broken = Unique("broken" + rule.Index.ToString(CultureInfo.InvariantCulture));
        Line("uint " + pass + " = " + VM + ".Bits(" + predicate.Code + ");");
        Line("uint " + broken + " = keep & ~" + pass + ";");
        Line("if (" + broken + " != 0)");
        Open();
        Line("violations.AddLanes(" + rule.Index.ToString(CultureInfo.InvariantCulture) + ", i, " + broken + ");");
        Close();
        _reported = true;
        if (rule.Rule.Action == "Warn")
        {
            return true; // counted, row kept
        }
        Line("keep &= " + pass + ";");
        SkipIfNoneKept();
        return true;
    }

    /// <summary>Moves on to the next block when no row of this one is kept.</summary>
    private void SkipIfNoneKept()
    {
        Line("if (keep == 0)");
        Open();
        Line("continue;");
        Close();
    }

    /// <summary>Hands the block to the per-row code (<c>break</c>), taking back what the block reported so far.</summary>
    private void HandBack(string? why)
    {
        if (_reported)
        {
            Line("violations.Truncate(reported);");
        }
        Line(why is null ? "break;" : "break; // " + why);
    }

    private RulePlacementSpec FindRule(string stage, string kind)
    {
        foreach (RulePlacementSpec rule in _rules)
        {
            if (rule.Stage == stage && rule.Rule.Kind == kind)
            {
                return rule;
            }
        }
        throw new System.InvalidOperationException("No " + kind + " rule for stage '" + stage + "'.");
    }

    private VValue? Eval(KernelExpr e)
    {
        VValue? value = EvalNode(e);
        if (value is null)
        {
            Decline("'" + Describe(e) + "'", "no exact vector form");
        }
        return value;
    }

    private VValue? EvalNode(KernelExpr e)
    {
        if (StringSubExpression(e) is { } perEntry)
        {
            return perEntry;
        }
        switch (e.Kind)
        {
            case KernelExprKind.Literal:
                return Constant(e);
            case KernelExprKind.StaticMember:
                return Hoisted(e);
            case KernelExprKind.Parameter:
                return HoistedParameter(e);
            case KernelExprKind.Default:
            {
                TypeInfo? t = TypeInfo.Of(e.Type);
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
            case KernelExprKind.ModelOutput:
                return _scores.TryGetValue(e.Text, out VValue? score) ? score : null;
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
        if (e.IsNullLiteral)
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
        HandBack(why);
        Close();
    }

    /// <summary>Whether evaluating <paramref name="e"/> may hand the block back for some lanes (so the reach of its lanes matters).</summary>
    private static bool MayHandBack(KernelExpr e)
    {
        if (e.Kind == KernelExprKind.Switch || e.Member is KernelMember.NullableValue or KernelMember.Sign or KernelMember.Clamp || IsIntegerDivision(e))
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

    private string Unique(string hint)
    {
        string name = hint;
        for (int n = 2; !_names.Add(name); n++)
        {
            name = hint + n.ToString(CultureInfo.InvariantCulture);
        }
        return name;
    }

    private void Line(string text) => _block.WriteLine(text);

    private void Open() => _block.OpenBrace();

    private void Close() => _block.CloseBrace();

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

    // The last name of a qualified name: a readable hint for a local's name, never a decision.
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
}

/// <summary>Why a segment has no vector block: the stage, the construct (as the user wrote it) and the reason.</summary>
internal sealed record VectorDecline(string Stage, string Construct, string Reason);

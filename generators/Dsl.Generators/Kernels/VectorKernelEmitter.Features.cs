using System.Collections.Generic;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

// The feature operations of runtime/Dsl.Runtime/Features (Scale, Impute, Bucketize, Encode, FeatureHashing,
// PowerTransform) in vector blocks: the scalers as SIMD arithmetic where their statistics are the same for the whole
// batch, imputation as a masked select, the others as the method once per lane, and the string ones once per
// dictionary entry (through IsTotalOverString). Operations that throw for bad parameters (unsorted boundaries, a
// category list with duplicates, no hashed columns) are checked once per batch with FeatureChecks; a batch with bad
// parameters runs on the per-row code, which throws at the first row that reaches the call, as the stage method does.
internal sealed partial class VectorKernelEmitter
{
    private const string FeatureChecks = "global::Dsl.Kernels.FeatureChecks";

    private const string ScaleClass = "global::Dsl.Scale";

    // The parameter checks written so far, so that each is written once per kernel.
    private readonly HashSet<string> _featureChecks = new(System.StringComparer.Ordinal);

    /// <summary>
    /// Whether the feature call <paramref name="e"/> on a string (its first operand) is total over one string column and
    /// constants, so that it can run once per dictionary entry: every operation on a string is null-safe (a null is an
    /// unknown category, no hashed feature, missing), except <c>FeatureHashing.Murmur3</c>, which needs a string. The
    /// category lists must be the same for the whole batch (parameters or static fields).
    /// </summary>
    private bool IsTotalFeatureCall(KernelExpr e, ref string? member)
    {
        if (!KernelMembers.IsFeature(e.Member) || e.Operands.Count == 0 || e.Operands[0].Type.Kind != KernelTypeKind.String)
        {
            return false;
        }
        int count = e.Operands.Count;
        bool shape = e.Member switch
        {
            KernelMember.EncodeOrdinal or KernelMember.EncodeOneHotColumn => count is 2 or 3,
            KernelMember.EncodeOneHotColumnOrInfrequent => count == 2,
            KernelMember.EncodeOneHot => count is 3 or 4,
            KernelMember.EncodeOneHotOrInfrequent => count == 3,
            KernelMember.FeatureHashingIndex => count == 2,
            KernelMember.FeatureHashingSign or KernelMember.ImputeIsMissing => count == 1,
            KernelMember.FeatureHashingValue or KernelMember.FeatureHashingIndicator => count == 3,
            KernelMember.FeatureHashingMurmur3 => count is 1 or 2 && !MaybeNullString(e.Operands[0]),
            // Impute.Fill(s, fill) is a non-null string only for a non-null fill: a literal or a parameter.
            KernelMember.ImputeFill => count == 2 && IsStringConstant(e.Operands[1]),
            _ => false,
        };
        if (!shape || !IsTotalOverString(e.Operands[0], ref member))
        {
            return false;
        }
        for (int i = 1; i < count; i++)
        {
            KernelExpr operand = e.Operands[i];
            if (operand.Type.Kind == KernelTypeKind.StringArray ? !IsHoistable(operand)
                : operand.Type.Kind != KernelTypeKind.String && !IsTotalOverString(operand, ref member))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A feature call outside the string forms: numbers in lanes.</summary>
    private VValue? FeatureCall(KernelExpr e)
    {
        KernelMemberInfo info = KernelMembers.Info(e.Member);
        foreach (KernelExpr operand in e.Operands)
        {
            if (operand.Type.Kind == KernelTypeKind.String)
            {
                return DeclineNull("'" + Describe(e) + "'", "'" + info.Name + "' of a string has a vector form only on one string column and constants (once per dictionary entry), giving a number");
            }
        }
        if (!EmitFeatureChecks(e))
        {
            return null;
        }
        int count = e.Operands.Count;
        switch (e.Member)
        {
            case KernelMember.ImputeFill when count == 2:
                return Filled(e);
            case KernelMember.ImputeIsMissing when count == 1:
                return Missing(e);
            case KernelMember.ScaleStandard when count == 3 && AllHoistable(e, 1):
                return Scaled(e, e.Operands[1], ScaleClass + ".StandardScale(" + Scalar(e.Operands[2]) + ")", multiply: false);
            case KernelMember.ScaleMaxAbs when count == 2 && AllHoistable(e, 1):
                return Scaled(e, null, ScaleClass + ".MaxAbsScale(" + Scalar(e.Operands[1]) + ")", multiply: false);
            case KernelMember.ScaleRobust when count == 4 && AllHoistable(e, 1):
                return Scaled(e, e.Operands[1], ScaleClass + ".RobustScale(" + Scalar(e.Operands[2]) + ", " + Scalar(e.Operands[3]) + ")", multiply: false);
            case KernelMember.ScaleMinMax when count is 3 or 5 && AllHoistable(e, 1):
            {
                var bounds = new List<string>();
                for (int i = 1; i < count; i++)
                {
                    bounds.Add(Scalar(e.Operands[i]));
                }
                string arguments = string.Join(", ", bounds);
                return Scaled(e, null, ScaleClass + ".MinMaxScale(" + arguments + ")", multiply: true, offset: ScaleClass + ".MinMaxOffset(" + arguments + ")");
            }
            default:
                return FeatureCallPerLane(e, info);
        }
    }

    /// <summary>
    /// Writes, once each, the per-batch checks of the feature calls in <paramref name="e"/>: where one fails, the batch
    /// goes to the per-row code. False (declined) when a checked argument is read per row.
    /// </summary>
    private bool EmitFeatureChecks(KernelExpr e)
    {
        foreach (KernelExpr operand in e.Operands)
        {
            if (!EmitFeatureChecks(operand))
            {
                return false;
            }
        }
        if (e.Kind != KernelExprKind.Call || !KernelMembers.IsFeature(e.Member))
        {
            return true;
        }
        var checks = new List<(string Check, string What, int[] Operands)>();
        for (int i = 0; i < e.Operands.Count; i++)
        {
            if (e.Operands[i].Type.Kind == KernelTypeKind.DoubleArray)
            {
                checks.Add(("Boundaries", "bucket boundaries are not ascending numbers", new[] { i }));
            }
            else if (e.Operands[i].Type.Kind == KernelTypeKind.StringArray)
            {
                checks.Add(("Categories", "category list has a null or a duplicate", new[] { i }));
            }
        }
        int count = e.Operands.Count;
        switch (e.Member)
        {
            case KernelMember.ScaleMinMax when count == 5:
                checks.Add(("FeatureRange", "target range is not increasing", new[] { 3, 4 }));
                break;
            case KernelMember.ScaleMinMaxScale or KernelMember.ScaleMinMaxOffset when count == 4:
                checks.Add(("FeatureRange", "target range is not increasing", new[] { 2, 3 }));
                break;
            case KernelMember.BucketizeUniform when count == 4:
                checks.Add(("Uniform", "bounds or bucket count are invalid", new[] { 1, 2, 3 }));
                break;
            case KernelMember.FeatureHashingIndex or KernelMember.FeatureHashingValue or KernelMember.FeatureHashingIndicator when count >= 2:
                checks.Add(("HashFeatures", "number of hashed columns is below 1", new[] { 1 }));
                break;
        }
        string name = KernelMembers.Info(e.Member).Name;
        foreach ((string check, string what, int[] operands) in checks)
        {
            var arguments = new List<string>();
            foreach (int i in operands)
            {
                if (!IsHoistable(e.Operands[i]))
                {
                    return Decline("'" + Describe(e) + "'", "the vector form of '" + name + "' checks its parameters once per batch, so they must not be read per row (use a stage parameter, a static field or a literal)");
                }
                arguments.Add(Scalar(e.Operands[i]));
            }
            string condition = FeatureChecks + "." + check + "(" + string.Join(", ", arguments) + ")";
            if (_featureChecks.Add(condition))
            {
                _before.WriteLine("if (!" + condition + ")");
                _before.OpenBrace();
                _before.WriteLine("vectorEnd = 0; // " + name + "'s " + what + ": the per-row code throws like the stage method");
                _before.CloseBrace();
            }
        }
        return true;
    }

    /// <summary>
    /// A scaler as SIMD arithmetic on its operand converted to double: <c>(x - center) / scale</c> or
    /// <c>x * scale + offset</c>, with the scale (and offset) computed once per batch by the same <c>Scale</c> method
    /// the scalar form calls, so the lanes are bit for bit the scalar results.
    /// </summary>
    private VValue? Scaled(KernelExpr e, KernelExpr? center, string scale, bool multiply, string? offset = null)
    {
        VValue? x = Eval(e.Operands[0]);
        VValue? value = x is null || x.Valid is not null ? null : Convert(x, VKind.Double, false);
        if (value is null)
        {
            return null;
        }
        string hint = KernelMembers.Info(e.Member).Name;
        // The check above may have set vectorEnd = 0 for parameters the method refuses: then nothing is computed.
        string scaleVector = Unique("hoisted" + hint + "Scale");
        _before.WriteLine("var " + scaleVector + " = " + V256 + ".Create(vectorEnd > 0 ? " + scale + " : 0.0); // " + Describe(e) + ": scale_, once per batch");
        string code;
        if (multiply)
        {
            string offsetVector = Unique("hoisted" + hint + "Offset");
            _before.WriteLine("var " + offsetVector + " = " + V256 + ".Create(vectorEnd > 0 ? " + offset + " : 0.0); // min_, once per batch");
            code = Parenthesize(value.Code) + " * " + scaleVector + " + " + offsetVector;
        }
        else if (center is not null)
        {
            string centerVector = Unique("hoisted" + hint + "Center");
            _before.WriteLine("var " + centerVector + " = " + V256 + ".Create((double)" + Scalar(center) + "); // the center, once per batch");
            code = "(" + value.Code + " - " + centerVector + ") / " + scaleVector;
        }
        else
        {
            code = Parenthesize(value.Code) + " / " + scaleVector;
        }
        return new VValue(VKind.Double, code, null);
    }

    /// <summary><c>Impute.Fill(x, fill)</c> of a number: the value where it is valid and not NaN, else the fill.</summary>
    private VValue? Filled(KernelExpr e)
    {
        string? present = Present(e.Operands[0], out string value);
        VValue? fill = present is null ? null : Eval(e.Operands[1]);
        VValue? converted = fill is null || fill.Valid is not null ? null : Convert(fill, VKind.Double, false);
        if (converted is null)
        {
            return null;
        }
        return new VValue(VKind.Double, V256 + ".ConditionalSelect(" + V256 + ".AsDouble(" + present + "), " + value + ", " + converted.Code + ")", null);
    }

    /// <summary><c>Impute.IsMissing(x)</c> of a number: null or NaN.</summary>
    private VValue? Missing(KernelExpr e)
    {
        string? present = Present(e.Operands[0], out _);
        return present is null ? null : new VValue(VKind.Bool, "~" + present, null);
    }

    /// <summary>
    /// The lanes where the number <paramref name="operand"/> is present (valid and not NaN) as a long mask local, and
    /// its value as a double vector local in <paramref name="value"/>; null when it has no numeric lanes.
    /// </summary>
    private string? Present(KernelExpr operand, out string value)
    {
        value = string.Empty;
        VValue? x = Eval(operand);
        if (x is null || x.Kind is not (VKind.Double or VKind.Float or VKind.Int or VKind.Long))
        {
            return null;
        }
        VValue? converted = Convert(x, VKind.Double, nullable: true);
        if (converted is null)
        {
            return null;
        }
        VValue local = Materialize("imputed", converted);
        value = local.Code;
        string notNaN = ToMask(VKind.Double, V256 + ".Equals(" + local.Code + ", " + local.Code + ")");
        return Materialize("present", new VValue(VKind.Bool, local.Valid is null ? notNaN : notNaN + " & " + local.Valid, null)).Code;
    }

    /// <summary>
    /// The feature method once per lane, as written: numeric operands from their lanes, arrays and per-batch values as
    /// the scalar expression. The method cannot throw here: its parameters were checked for the batch.
    /// </summary>
    private VValue? FeatureCallPerLane(KernelExpr e, KernelMemberInfo info)
    {
        TypeInfo? result = TypeInfo.Of(e.Type);
        if (result is null || result.Value.Nullable || result.Value.Kind is not (VKind.Double or VKind.Int))
        {
            return DeclineNull("'" + Describe(e) + "'", "'" + info.Name + "' has no vector form for these argument types");
        }
        var lanes = new List<System.Func<int, string>>();
        foreach (KernelExpr operand in e.Operands)
        {
            if (operand.Type.Kind is KernelTypeKind.DoubleArray or KernelTypeKind.StringArray)
            {
                string array = Scalar(operand);
                lanes.Add(_ => array);
                continue;
            }
            TypeInfo? type = TypeInfo.Of(operand.Type);
            if (type is null || type.Value.Nullable || type.Value.Kind is not (VKind.Double or VKind.Float or VKind.Int or VKind.Long))
            {
                return DeclineNull("'" + Describe(e) + "'", "'" + info.Name + "' has a vector form only on numbers (pass a nullable one as 'x ?? double.NaN')");
            }
            if (IsHoistable(operand))
            {
                string scalar = Scalar(operand);
                lanes.Add(_ => scalar);
                continue;
            }
            VValue? value = Eval(operand);
            if (value is null)
            {
                return null;
            }
            string local = Materialize(Camel(info.Name) + "Arg", value).Code;
            lanes.Add(k => local + "[" + k + "]");
        }
        return new VValue(result.Value.Kind, PerLane(result.Value.Kind, k => e.Text + "(" + string.Join(", ", lanes.ConvertAll(lane => lane(k))) + ")"), null);
    }

    /// <summary>Whether the operands of <paramref name="e"/> from <paramref name="first"/> on read no column.</summary>
    private static bool AllHoistable(KernelExpr e, int first)
    {
        for (int i = first; i < e.Operands.Count; i++)
        {
            if (!IsHoistable(e.Operands[i]))
            {
                return false;
            }
        }
        return true;
    }
}

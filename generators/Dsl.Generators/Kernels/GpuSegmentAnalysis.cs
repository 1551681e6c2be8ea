using System.Collections.Generic;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

/// <summary>
/// Whether a segment gets a GPU kernel, and the facts <c>explain</c> shows about it: the first construct that keeps it
/// on SIMD, why CUDA might not give the CPU kernel's bits, and the cost estimate (bytes a row moves over the bus
/// against the arithmetic it does).
/// </summary>
/// <param name="NotOnDevice">Why the segment has no GPU kernel, or null.</param>
/// <param name="InexactOnCuda">Why CUDA might round differently from the CPU kernel, or null.</param>
/// <param name="BytesPerRow">Bytes a row moves: input values and validity bits up, output values and validity down, the keep byte and the fault code.</param>
/// <param name="OperationsPerRow">Arithmetic a row costs, an add counting 1.</param>
/// <param name="ReadMembers">The input members the kernel uploads, in schema order.</param>
internal sealed record GpuSegmentAnalysis(string? NotOnDevice, string? InexactOnCuda, int BytesPerRow, int OperationsPerRow, EquatableArray<string> ReadMembers)
{
    /// <summary>See <c>Dsl.Execution.DeviceSegmentPlan.PreferredOperationsPerByte</c>.</summary>
    public const double PreferredOperationsPerByte = 4;

    /// <summary>Whether the estimate prefers the GPU.</summary>
    public bool Preferred => NotOnDevice is null && BytesPerRow > 0 && (double)OperationsPerRow / BytesPerRow >= PreferredOperationsPerByte;

    /// <summary>Analyzes <paramref name="segment"/> of <paramref name="pipeline"/>.</summary>
    public static GpuSegmentAnalysis Of(PipelineSpec pipeline, SegmentSpec segment) => new Analyzer(pipeline, segment).Run();

    /// <summary>Whether values of <paramref name="column"/> live in a device buffer: numbers and bools.</summary>
    public static bool OnDevice(ColumnSpec column) => column.Kind is ColumnKind.Int8 or ColumnKind.UInt8 or ColumnKind.Int16 or ColumnKind.UInt16
        or ColumnKind.Int32 or ColumnKind.UInt32 or ColumnKind.Int64 or ColumnKind.UInt64 or ColumnKind.Float or ColumnKind.Double or ColumnKind.Boolean;

    internal sealed class Analyzer
    {
        private readonly PipelineSpec _pipeline;
        private readonly SegmentSpec _segment;
        private readonly HashSet<string> _productMembers = new(System.StringComparer.Ordinal);
        private string? _inexact;
        private int _operations;
        private bool _relaxed;

        // The input schema while the stage reads input values (its string columns can be tables), else null.
        private SchemaSpec? _inputStrings;

        public Analyzer(PipelineSpec pipeline, SegmentSpec segment)
        {
            _pipeline = pipeline;
            _segment = segment;
        }

        public GpuSegmentAnalysis Run()
        {
            var read = new List<string>();
            string? reason = Blocker(read);
            if (reason is not null)
            {
                return new GpuSegmentAnalysis(reason, null, 0, 0, EquatableArray<string>.Empty);
            }
            SchemaSpec input = _pipeline.Schema(_segment.InputSchema);
            int bits = 8 * (1 + 4); // the keep byte and the fault code
            var ordered = new List<string>();
            foreach (ColumnSpec column in input.Columns)
            {
                if (read.Contains(column.MemberName))
                {
                    ordered.Add(column.MemberName);
                    bits += (column.IsString ? 32 : Width(column)) + (column.Nullable ? 1 : 0);
                }
            }
            if (HasMap())
            {
                foreach (ColumnSpec column in _pipeline.Schema(_segment.OutputSchema).Columns)
                {
                    bits += Width(column) + (column.Nullable ? 1 : 0);
                }
            }
            return new GpuSegmentAnalysis(null, _inexact, (bits + 7) / 8, _operations, ordered.ToEquatableArray());
        }

        private static int Width(ColumnSpec column) => column.Kind switch
        {
            ColumnKind.Int8 or ColumnKind.UInt8 or ColumnKind.Boolean => 8,
            ColumnKind.Int16 or ColumnKind.UInt16 => 16,
            ColumnKind.Int32 or ColumnKind.UInt32 or ColumnKind.Float => 32,
            _ => 64,
        };

        private bool HasMap()
        {
            foreach (string name in _segment.Stages)
            {
                if (_pipeline.Stage(name).Kind == StageKindSpec.Map)
                {
                    return true;
                }
            }
            return false;
        }

        // The first thing that keeps the segment off the device, or null; fills read with the input members it reads.
        private string? Blocker(List<string> read)
        {
            if (_segment.FitOnly)
            {
                return "a first-pass segment (its fit statistics are gathered on the CPU)";
            }
            if (_pipeline.KernelRules(_segment.Index).Count > 0)
            {
                return "it checks row rules (their violations are reported on the CPU)";
            }
            bool valuesAreInput = true;
            SchemaSpec input = _pipeline.Schema(_segment.InputSchema);
            foreach (string name in _segment.Stages)
            {
                StageSpec stage = _pipeline.Stage(name);
                if (stage.Kind is not (StageKindSpec.Filter or StageKindSpec.Map))
                {
                    return "stage " + stage.Name + " is a " + stage.Kind.ToString().ToLowerInvariant() + " stage";
                }
                if (stage.Score is { } score)
                {
                    return score.Model is null
                        ? "stage " + stage.Name + " scores model '" + score.RunTimeName + "' given at run time: an XGBoost or LightGBM model adds its trees' margins on the GPU, the rest of the segment runs on SIMD"
                        : "stage " + stage.Name + " scores a model compiled into C#, which runs on the CPU (a model given at run time, [Score(ModelName = ...)], adds its trees' margins on the GPU)";
                }
                if (!stage.Kernel.Vectorized)
                {
                    return "stage " + stage.Name + " calls its method per row (" + stage.Kernel.FallbackReason + ")";
                }
                _relaxed = stage.Kernel.RelaxedMath;
                _inputStrings = valuesAreInput ? input : null;
                if (valuesAreInput)
                {
                    foreach (string member in stage.Kernel.ReadMembers)
                    {
                        ColumnSpec column = input.FindMember(member)!;
                        if (!OnDevice(column) && !column.IsString)
                        {
                            return "stage " + stage.Name + " reads " + column.MemberName + ", a " + column.Kind + " column (dates, decimals, bytes and lists stay on the CPU; strings only through values of one string computed per dictionary entry)";
                        }
                        if (!read.Contains(member))
                        {
                            read.Add(member);
                        }
                    }
                }
                if (stage.Kind == StageKindSpec.Filter)
                {
                    if (Construct(stage.Kernel.Predicate!) is { } construct)
                    {
                        return "stage " + stage.Name + " uses " + construct;
                    }
                    continue;
                }
                var products = new HashSet<string>(System.StringComparer.Ordinal);
                foreach (KernelOutput output in stage.Kernel.Outputs)
                {
                    if (Construct(output.Value) is { } construct)
                    {
                        return "stage " + stage.Name + " uses " + construct + " in " + output.Member;
                    }
                    if (IsProduct(output.Value))
                    {
                        products.Add(output.Member);
                    }
                }
                foreach (ColumnSpec column in _pipeline.Schema(stage.OutputSchema).Columns)
                {
                    if (!OnDevice(column))
                    {
                        return "stage " + stage.Name + " writes " + column.MemberName + ", a " + column.Kind + " column";
                    }
                }
                _productMembers.Clear();
                _productMembers.UnionWith(products);
                valuesAreInput = false;
            }
            return null;
        }

        // The first construct of e the GPU kernel cannot compute as the C# does, or null; counts the arithmetic.
        private string? Construct(KernelExpr e)
        {
            if (_inputStrings is not null && StringTable.Of(e, _inputStrings, SupportedType) is not null)
            {
                // Computed per dictionary entry on the host; the kernel gathers it by the row's index.
                _operations++;
                return null;
            }
            if (!SupportedType(e.Type))
            {
                return "a value of type " + e.Type;
            }
            switch (e.Kind)
            {
                case KernelExprKind.Literal:
                case KernelExprKind.Column:
                case KernelExprKind.Parameter:
                case KernelExprKind.Default:
                case KernelExprKind.PatternDiscard:
                    break;
                case KernelExprKind.StaticMember:
                    if (e.Constant is null)
                    {
                        return e.Text + " (a field that is not a constant)";
                    }
                    break;
                case KernelExprKind.Binary:
                    _operations += e.Op is KernelOp.Divide or KernelOp.Remainder ? 4 : 1;
                    if (e.Op == KernelOp.Remainder && e.Type.IsFloating)
                    {
                        // ILGPU compiles a floating % to x - trunc(x * rcp(y)) * y, not fmod: 10 % 3 gives 0.9999999999999991.
                        _inexact ??= "a floating % (ILGPU's CUDA code multiplies by an approximate reciprocal instead of an exact remainder)";
                    }
                    if (e.Op is KernelOp.Add or KernelOp.Subtract && e.Type.IsFloating && !_relaxed
                        && (IsProduct(e.Operands[0]) || IsProduct(e.Operands[1])))
                    {
                        _inexact ??= "a floating multiply feeds an add or subtract: ILGPU writes mul and add without .rn, which CUDA's compiler may fuse into one FMA";
                    }
                    break;
                case KernelExprKind.Unary:
                case KernelExprKind.Conversion:
                case KernelExprKind.Conditional:
                case KernelExprKind.Coalesce:
                case KernelExprKind.IsPattern:
                case KernelExprKind.PatternConstant:
                case KernelExprKind.PatternRelational:
                case KernelExprKind.PatternNot:
                case KernelExprKind.PatternAnd:
                case KernelExprKind.PatternOr:
                case KernelExprKind.SwitchArm:
                    _operations++;
                    break;
                case KernelExprKind.Switch:
                {
                    KernelExpr last = e.Operands[e.Operands.Count - 1];
                    if (last.Operands[0].Kind != KernelExprKind.PatternDiscard || last.Operands.Count > 2)
                    {
                        return "a switch without a final discard arm (C# throws when no arm matches)";
                    }
                    break;
                }
                case KernelExprKind.Property:
                    if (e.Member is not (KernelMember.NullableHasValue or KernelMember.NullableValue))
                    {
                        return "the property " + e.Text;
                    }
                    break;
                case KernelExprKind.Call:
                    if (CallCost(e) is not int cost)
                    {
                        return "a call to " + e.Text;
                    }
                    _operations += cost;
                    break;
                default:
                    return "a " + e.Kind + " expression";
            }
            foreach (KernelExpr operand in e.Operands)
            {
                if (Construct(operand) is { } inner)
                {
                    return inner;
                }
            }
            return null;
        }

        // The cost of a call the GPU kernel computes exactly as .NET does (Log, Exp, Pow only under RelaxedMath), or null.
        private int? CallCost(KernelExpr e)
        {
            if (e.IsUserMethod)
            {
                return null;
            }
            switch (e.Member)
            {
                case KernelMember.NullableGetValueOrDefault:
                case KernelMember.Abs:
                case KernelMember.Floor:
                case KernelMember.Ceiling:
                case KernelMember.Truncate:
                case KernelMember.Min:
                case KernelMember.Max:
                case KernelMember.DoubleIsNaN:
                case KernelMember.DoubleIsFinite:
                case KernelMember.DoubleIsInfinity:
                case KernelMember.DoubleIsPositiveInfinity:
                case KernelMember.DoubleIsNegativeInfinity:
                case KernelMember.SingleIsNaN:
                case KernelMember.SingleIsFinite:
                case KernelMember.SingleIsInfinity:
                case KernelMember.SingleIsPositiveInfinity:
                case KernelMember.SingleIsNegativeInfinity:
                    return 1;
                case KernelMember.Sqrt:
                    return 4;
                case KernelMember.Log:
                case KernelMember.Log10:
                case KernelMember.Log2:
                case KernelMember.Exp:
                case KernelMember.Pow:
                    if (!_relaxed)
                    {
                        return null;
                    }
                    _inexact ??= e.Text + " under RelaxedMath: ILGPU's CUDA versions are not .NET's (exact ones need libdevice from a CUDA toolkit)";
                    return 20;
                default:
                    return null;
            }
        }

        private bool SwitchArmIsProduct(KernelExpr e)
        {
            for (int a = 1; a < e.Operands.Count; a++)
            {
                if (IsProduct(e.Operands[a].Operands[1]))
                {
                    return true;
                }
            }
            return false;
        }

        internal static bool SupportedType(KernelType type) => type.Kind is KernelTypeKind.None or KernelTypeKind.Null or KernelTypeKind.Bool
            or KernelTypeKind.SByte or KernelTypeKind.Byte or KernelTypeKind.Int16 or KernelTypeKind.UInt16 or KernelTypeKind.Int32
            or KernelTypeKind.UInt32 or KernelTypeKind.Int64 or KernelTypeKind.UInt64 or KernelTypeKind.Single or KernelTypeKind.Double
            or KernelTypeKind.Char;

        // Whether e's value is a floating product, as the GPU's data flow sees it: through negation, nullable wrapping,
        // conditionals and earlier stages' outputs, which CUDA's compiler may fuse with an add into one FMA.
        private bool IsProduct(KernelExpr e) => e.Kind switch
        {
            KernelExprKind.Binary => e.Op == KernelOp.Multiply && e.Type.IsFloating,
            KernelExprKind.Unary => e.Op is KernelOp.Negate or KernelOp.Plus && IsProduct(e.Operands[0]),
            KernelExprKind.Conversion => e.Type.Kind == e.Operands[0].Type.Kind && IsProduct(e.Operands[0]),
            KernelExprKind.Conditional => IsProduct(e.Operands[1]) || IsProduct(e.Operands[2]),
            KernelExprKind.Coalesce => IsProduct(e.Operands[0]) || IsProduct(e.Operands[1]),
            KernelExprKind.Switch => SwitchArmIsProduct(e),
            KernelExprKind.Column => _productMembers.Contains(e.Text),
            _ => false,
        };
    }
}

/// <summary>
/// A sub-expression whose only row input is one string column, and whose value a GPU can hold (a number or a bool,
/// nullable or not): the host evaluates it once per dictionary entry (and once for null, for a nullable column) with
/// the per-row C#, and the kernel gathers it by the row's index, as the SIMD kernel does.
/// </summary>
/// <param name="Member">The string column.</param>
/// <param name="Expression">The sub-expression.</param>
internal sealed record StringTable(string Member, KernelExpr Expression)
{
    /// <summary>The table <paramref name="e"/> is, over a string column of <paramref name="input"/>, or null.</summary>
    public static StringTable? Of(KernelExpr e, SchemaSpec input, System.Func<KernelType, bool> deviceType)
    {
        if (e.Type.Kind is KernelTypeKind.None or KernelTypeKind.Null || !deviceType(e.Type) || !ReadsString(e))
        {
            return null;
        }
        string? member = null;
        return OnlyColumn(e, input, ref member) && member is not null ? new StringTable(member, e) : null;
    }

    // Whether e computes with a string anywhere (a table only pays where the CPU would touch a string).
    private static bool ReadsString(KernelExpr e)
    {
        if (e.Type.Kind is KernelTypeKind.String or KernelTypeKind.StringArray || (e.Kind == KernelExprKind.Column && e.Type.Kind == KernelTypeKind.String))
        {
            return true;
        }
        foreach (KernelExpr operand in e.Operands)
        {
            if (ReadsString(operand))
            {
                return true;
            }
        }
        return false;
    }

    // Whether every row input of e is the one string column recorded in member, and nothing needs the row otherwise.
    private static bool OnlyColumn(KernelExpr e, SchemaSpec input, ref string? member)
    {
        switch (e.Kind)
        {
            case KernelExprKind.Column:
                if (input.FindMember(e.Text) is not { IsString: true } || (member is not null && member != e.Text))
                {
                    return false;
                }
                member = e.Text;
                return true;
            case KernelExprKind.ModelOutput:
                return false;
            case KernelExprKind.Parameter:
                // The host reads parameter members from the device parameters, which hold numbers and bools only.
                return GpuSegmentAnalysis.Analyzer.SupportedType(e.Type);
        }
        foreach (KernelExpr operand in e.Operands)
        {
            if (!OnlyColumn(operand, input, ref member))
            {
                return false;
            }
        }
        return true;
    }
}

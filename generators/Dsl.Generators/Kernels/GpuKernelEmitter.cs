using System.Collections.Generic;
using System.Text;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

/// <summary>
/// Writes a segment's GPU kernel from the same kernel IR as its CPU kernel, for a compilation that references
/// <c>Dsl.Gpu</c>: a struct of the columns on the device (<c>ArrayView</c>s; validity as words, bools as bytes), a
/// struct of the stage parameters, the ILGPU kernel (an explicitly grouped grid-stride loop that evaluates the stages
/// per row as the per-row C# does) and the host method that uploads a batch, launches and builds the output batch.
/// Where C# would throw, the kernel calls a <c>Dsl.Gpu.GpuOps</c> operation that writes a fault code instead; the
/// host then re-runs the batch on the CPU kernel, which throws the user's exception.
/// </summary>
internal sealed class GpuKernelEmitter
{
    private const string Ops = "global::Dsl.Gpu.GpuOps.";
    private const string View = "global::ILGPU.ArrayView";

    private readonly PipelineSpec _pipeline;
    private readonly SegmentSpec _segment;
    private readonly GpuSegmentAnalysis _analysis;
    private SourceWriter _w;
    private readonly SchemaSpec _input;
    private readonly List<StageSpec> _stages = new();
    private Dictionary<string, string> _values = new(System.StringComparer.Ordinal);

    // The string sub-expressions the kernel gathers per dictionary entry, in the order it meets them.
    private readonly List<StringTable> _tables = new();

    // Whether the stage being rendered reads input values (so its string columns can be tables).
    private bool _valuesAreInput = true;

    // Rendering for the host's per-entry loop: parameters from the host's struct, the string column as 'entry'.
    private bool _host;

    private GpuKernelEmitter(PipelineSpec pipeline, SegmentSpec segment, GpuSegmentAnalysis analysis, SourceWriter writer)
    {
        _pipeline = pipeline;
        _segment = segment;
        _analysis = analysis;
        _w = writer;
        _input = pipeline.Schema(segment.InputSchema);
        foreach (string name in segment.Stages)
        {
            _stages.Add(pipeline.Stage(name));
        }
    }

    /// <summary>The kernel of segment <paramref name="segment"/>, whose analysis found no blocker.</summary>
    public static void Emit(PipelineSpec pipeline, SegmentSpec segment, GpuSegmentAnalysis analysis, SourceWriter writer) =>
        new GpuKernelEmitter(pipeline, segment, analysis, writer).EmitAll();

    /// <summary>The columns struct of a segment's GPU kernel.</summary>
    public static string ColumnsType(SegmentSpec segment) => segment.KernelName + "_DeviceColumns";

    /// <summary>The parameters struct of a segment's GPU kernel.</summary>
    public static string ParametersType(SegmentSpec segment) => segment.KernelName + "_DeviceParameters";

    /// <summary>The host method running a batch of a segment on the device.</summary>
    public static string HostMethod(SegmentSpec segment) => segment.KernelName + "_OnDevice";

    /// <summary>The stage parameter members a segment's kernel reads: (type name, member, C# type), in stage order.</summary>
    public static List<(string Type, string Member, string ClrType)> ParameterReads(PipelineSpec pipeline, SegmentSpec segment)
    {
        var reads = new List<KernelExpr>();
        foreach (string name in segment.Stages)
        {
            StageSpec stage = pipeline.Stage(name);
            KernelEmitter.CollectParameterReads(stage.Kernel.Predicate, reads);
            foreach (KernelOutput output in stage.Kernel.Outputs)
            {
                KernelEmitter.CollectParameterReads(output.Value, reads);
            }
        }
        var members = new List<(string, string, string)>();
        foreach (KernelExpr read in reads)
        {
            int dot = read.Text.IndexOf('.');
            members.Add((read.Text.Substring(0, dot), read.Text.Substring(dot + 1), read.Type.CSharp));
        }
        return members;
    }

    private bool HasMap => _stages.Exists(s => s.Kind == StageKindSpec.Map);

    private SchemaSpec Output => _pipeline.Schema(_segment.OutputSchema);

    private IEnumerable<ColumnSpec> ReadColumns()
    {
        foreach (string member in _analysis.ReadMembers)
        {
            yield return _input.FindMember(member)!;
        }
    }

    private static string Element(ColumnSpec column) => column.Kind == ColumnKind.Boolean ? "byte" : column.StorageType;

    private void EmitAll()
    {
        string stages = string.Join(" -> ", _segment.Stages);
        // The kernel first: rendering it finds the string tables the structs and the host need.
        var kernel = new SourceWriter();
        EmitKernel(kernel, stages);
        EmitColumns(stages);
        _w.WriteLine();
        EmitParameters(stages);
        _w.WriteLine();
        _w.WriteLines(kernel);
        _w.WriteLine();
        EmitHost(stages);
    }

    private IEnumerable<ColumnSpec> StringColumns()
    {
        foreach (ColumnSpec column in ReadColumns())
        {
            if (column.IsString)
            {
                yield return column;
            }
        }
    }

    private static string TableElement(KernelType type) => type.Kind == KernelTypeKind.Bool ? "byte" : type.CSharp.TrimEnd('?');

    private void EmitColumns(string stages)
    {
        _w.WriteLine("/// <summary>Segment " + _segment.Index + " (" + stages + ") on a GPU: its columns in device memory, one element per row (validity: one bit per row).</summary>");
        _w.WriteLine(SourceWriter.GeneratedCodeAttribute);
        _w.WriteLine("internal struct " + ColumnsType(_segment));
        _w.OpenBrace();
        foreach (ColumnSpec column in ReadColumns())
        {
            if (column.IsString)
            {
                _w.WriteLine("/// <summary>" + column.MemberName + ": each row's dictionary index.</summary>");
            }
            _w.WriteLine("public " + View + "<" + Element(column) + "> " + column.MemberName + ";");
            if (column.Nullable)
            {
                _w.WriteLine("[global::Dsl.Gpu.ValidityWords] public " + View + "<ulong> " + column.MemberName + "Validity;");
            }
            if (column.IsString && column.Nullable)
            {
                _w.WriteLine("/// <summary>The table slot of a null " + column.MemberName + " (after the dictionary's entries).</summary>");
                _w.WriteLine("public int " + column.MemberName + "NullSlot;");
            }
        }
        for (int k = 0; k < _tables.Count; k++)
        {
            StringTable table = _tables[k];
            _w.WriteLine("// Table" + k + ": " + Describe(table.Expression) + " per dictionary entry of " + table.Member + ", computed on the host.");
            _w.WriteLine("[global::Dsl.Gpu.Lookup] public " + View + "<" + TableElement(table.Expression.Type) + "> Table" + k + ";");
            if (table.Expression.Type.Nullable)
            {
                _w.WriteLine("[global::Dsl.Gpu.Lookup] public " + View + "<byte> Table" + k + "Valid;");
            }
            _w.WriteLine("[global::Dsl.Gpu.Lookup] public " + View + "<int> Table" + k + "Faults;");
        }
        if (HasMap)
        {
            foreach (ColumnSpec column in Output.Columns)
            {
                _w.WriteLine("public " + View + "<" + Element(column) + "> Out" + column.MemberName + ";");
                if (column.Nullable)
                {
                    _w.WriteLine("[global::Dsl.Gpu.ValidityWords] public " + View + "<ulong> Out" + column.MemberName + "Validity;");
                }
            }
        }
        _w.WriteLine("/// <summary>1 where the row reaches the output, 0 where a filter drops it.</summary>");
        _w.WriteLine("public " + View + "<byte> Keep;");
        _w.WriteLine("/// <summary>A Dsl.Gpu.FaultCodes code where the row's C# would throw.</summary>");
        _w.WriteLine("public " + View + "<int> Faults;");
        _w.CloseBrace();
    }

    private void EmitParameters(string stages)
    {
        _w.WriteLine("/// <summary>Segment " + _segment.Index + " (" + stages + ") on a GPU: the stage parameter members it reads, the same for every row.</summary>");
        _w.WriteLine(SourceWriter.GeneratedCodeAttribute);
        _w.WriteLine("internal struct " + ParametersType(_segment));
        _w.OpenBrace();
        foreach ((string type, string member, string clr) in ParameterReads(_pipeline, _segment))
        {
            _w.WriteLine("public " + clr + " " + StageParametersSpec.MemberLocal(type + "." + member) + ";");
        }
        _w.CloseBrace();
    }

    private void EmitKernel(SourceWriter kernel, string stages)
    {
        SourceWriter outer = _w;
        _w = kernel;
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// Segment " + _segment.Index + " (" + stages + ") as an ILGPU kernel: each thread takes rows i, i + stride, ... and runs");
        _w.WriteLine("/// the stages on them as the per-row C# does. Where that C# would throw, the row gets a fault code instead and the");
        _w.WriteLine("/// host re-runs the batch on the CPU kernel.");
        _w.WriteLine("/// </summary>");
        _w.WriteLine(SourceWriter.GeneratedCodeAttribute);
        _w.WriteLine("internal static void " + _segment.KernelName + "_Device(" + ColumnsType(_segment) + " c, " + ParametersType(_segment) + " p, int rows)");
        _w.OpenBrace();
        _w.WriteLine("int stride = global::ILGPU.Grid.DimX * global::ILGPU.Group.DimX;");
        _w.WriteLine("for (int i = global::ILGPU.Grid.GlobalIndex.X; i < rows; i += stride)");
        _w.OpenBrace();
        _w.WriteLine("int fault = 0;");
        foreach (ColumnSpec column in ReadColumns())
        {
            if (column.IsString)
            {
                // A string is its dictionary index here; its values were computed per entry on the host.
                string index = "c." + column.MemberName + "[i]";
                _w.WriteLine("int slot_" + column.MemberName + " = " + (column.Nullable
                    ? "(c." + column.MemberName + "Validity[i >> 6] & (1UL << (i & 63))) != 0 ? " + index + " : c." + column.MemberName + "NullSlot"
                    : index) + ";");
                continue;
            }
            string value = column.Kind == ColumnKind.Boolean ? "c." + column.MemberName + "[i] != 0" : "c." + column.MemberName + "[i]";
            if (column.Nullable)
            {
                value = "(c." + column.MemberName + "Validity[i >> 6] & (1UL << (i & 63))) != 0 ? " + value + " : null";
            }
            string local = "in_" + column.MemberName;
            _w.WriteLine(column.ClrType + " " + local + " = " + value + ";");
            _values[column.MemberName] = local;
        }
        foreach (StageSpec stage in _stages)
        {
            EmitStage(stage);
        }
        if (HasMap)
        {
            foreach (ColumnSpec column in Output.Columns)
            {
                EmitWrite(column, _values[column.MemberName]);
            }
        }
        _w.WriteLine("c.Keep[i] = 1;");
        _w.CloseBrace();
        _w.CloseBrace();
        _w = outer;
    }

    private void EmitStage(StageSpec stage)
    {
        _w.WriteLine("// " + stage.Name + " (" + (stage.Kind == StageKindSpec.Filter ? "filter" : "map") + ")");
        if (stage.Kind == StageKindSpec.Filter)
        {
            _w.WriteLine("bool " + stage.Name + "_keep = unchecked(" + Render(stage.Kernel.Predicate!) + ");");
            EmitFaultCheck();
            _w.WriteLine("if (!" + stage.Name + "_keep)");
            _w.OpenBrace();
            _w.WriteLine("c.Keep[i] = 0;");
            _w.WriteLine("continue;");
            _w.CloseBrace();
            return;
        }
        SchemaSpec output = _pipeline.Schema(stage.OutputSchema);
        var values = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (KernelOutput o in stage.Kernel.Outputs)
        {
            string local = stage.Name + "_" + o.Member;
            _w.WriteLine(output.FindMember(o.Member)!.ClrType + " " + local + " = unchecked(" + Render(o.Value) + ");");
            values[o.Member] = local;
        }
        EmitFaultCheck();
        _values = values;
        _valuesAreInput = false;
    }

    private void EmitFaultCheck()
    {
        _w.WriteLine("if (fault != 0)");
        _w.OpenBrace();
        _w.WriteLine("c.Faults[i] = fault;");
        _w.WriteLine("c.Keep[i] = 0;");
        _w.WriteLine("continue;");
        _w.CloseBrace();
    }

    private void EmitWrite(ColumnSpec column, string value)
    {
        string target = "c.Out" + column.MemberName + "[i]";
        string Stored(string v) => column.Kind == ColumnKind.Boolean ? "(byte)(" + v + " ? 1 : 0)" : v;
        if (!column.Nullable)
        {
            _w.WriteLine(target + " = " + Stored(value) + ";");
            return;
        }
        _w.WriteLine("if (" + value + ".HasValue)");
        _w.OpenBrace();
        _w.WriteLine(target + " = " + Stored(value + ".GetValueOrDefault()") + ";");
        // Rows of one validity word run on different threads.
        _w.WriteLine("global::ILGPU.Atomic.Or(ref c.Out" + column.MemberName + "Validity[i >> 6], 1UL << (i & 63));");
        _w.CloseBrace();
        _w.WriteLine("else");
        _w.OpenBrace();
        _w.WriteLine(target + " = default;");
        _w.CloseBrace();
    }

    private void EmitHost(string stages)
    {
        string columns = ColumnsType(_segment);
        _w.WriteLine("/// <summary>");
        _w.WriteLine("/// Runs a batch of segment " + _segment.Index + " (" + stages + ") on the device: uploads the columns it reads, launches");
        _w.WriteLine("/// " + _segment.KernelName + "_Device and downloads the rows it keeps. Null when a row faulted: the caller runs the batch on");
        _w.WriteLine("/// the CPU kernel, which throws what the row's C# throws.");
        _w.WriteLine("/// </summary>");
        _w.WriteLine(SourceWriter.GeneratedCodeAttribute);
        _w.WriteLine("private static global::Dsl.RecordBatch? " + HostMethod(_segment) + "(global::Dsl.Gpu.DeviceBatch batch, global::Dsl.RecordBatch input, " + ParametersType(_segment) + " parameters)");
        _w.OpenBrace();
        _w.WriteLine("int rowCount = input.RowCount;");
        _w.WriteLine("var columns = new " + columns + "();");
        foreach (ColumnSpec column in ReadColumns())
        {
            string local = "in" + column.MemberName + "Column";
            if (column.IsString)
            {
                _w.WriteLine("global::Dsl.StringColumn " + local + " = input.GetString(" + SourceWriter.Literal(column.ColumnName) + ", " + column.ColumnTypeExpression + ");");
                _w.WriteLine("string[] in" + column.MemberName + "Strings = " + local + ".Dictionary.Strings;");
                _w.WriteLine("columns." + column.MemberName + " = batch.Upload(" + local + ".Indices);");
            }
            else
            {
                _w.WriteLine("global::Dsl.PrimitiveColumn<" + column.StorageType + "> " + local + " = input.GetPrimitive<" + column.StorageType + ">(" + SourceWriter.Literal(column.ColumnName) + ", " + column.ColumnTypeExpression + ");");
                _w.WriteLine("columns." + column.MemberName + " = " + (column.Kind == ColumnKind.Boolean ? "batch.UploadBools(" : "batch.Upload(") + local + ".Values);");
            }
            if (column.Nullable)
            {
                _w.WriteLine("columns." + column.MemberName + "Validity = batch.UploadValidity(" + local + ".Validity);");
            }
            if (column.IsString && column.Nullable)
            {
                _w.WriteLine("columns." + column.MemberName + "NullSlot = in" + column.MemberName + "Strings.Length;");
            }
        }
        for (int k = 0; k < _tables.Count; k++)
        {
            EmitTable(k);
        }
        if (HasMap)
        {
            foreach (ColumnSpec column in Output.Columns)
            {
                _w.WriteLine("columns.Out" + column.MemberName + " = batch.Output<" + Element(column) + ">();");
                if (column.Nullable)
                {
                    _w.WriteLine("columns.Out" + column.MemberName + "Validity = batch.OutputValidity();");
                }
            }
        }
        _w.WriteLine("columns.Keep = batch.Keep;");
        _w.WriteLine("columns.Faults = batch.Faults;");
        _w.WriteLine("if (!batch.Launch<" + columns + ", " + ParametersType(_segment) + ">(" + _segment.KernelName + "_Device, columns, parameters))");
        _w.OpenBrace();
        _w.WriteLine("return null;");
        _w.CloseBrace();
        _w.WriteLine("int count = batch.Selection.Length;");
        if (!HasMap)
        {
            // A filter segment's output is its input's rows that pass: every column gathered on the host.
            _w.WriteLine("var output = new global::Dsl.Column[]");
            _w.OpenBrace();
            foreach (ColumnSpec column in _input.Columns)
            {
                string name = SourceWriter.Literal(column.ColumnName);
                string get = column.IsList ? "input.GetList(" + name + ", " + column.ElementSpec.ColumnTypeExpression + ")"
                    : column.IsByteArray ? "input.GetString(" + name + ", " + column.ColumnTypeExpression + ")"
                    : "input.GetPrimitive<" + column.StorageType + ">(" + name + ", " + column.ColumnTypeExpression + ")";
                _w.WriteLine("global::Dsl.ColumnGather.Gather(" + get + ", batch.Selection),");
            }
            _w.CloseBrace(";");
            _w.WriteLine("return new global::Dsl.RecordBatch(" + _input.FullTypeName + ".BatchSchema, output, count);");
            _w.CloseBrace();
            return;
        }
        var built = new List<string>();
        foreach (ColumnSpec column in Output.Columns)
        {
            string local = "out" + column.MemberName;
            _w.WriteLine("var " + local + " = new global::Dsl.ColumnBuilder<" + column.StorageType + ">(" + column.ColumnTypeExpression + ", rowCount, nullable: " + (column.Nullable ? "true" : "false") + ");");
            _w.WriteLine((column.Kind == ColumnKind.Boolean ? "batch.DownloadBools(columns.Out" : "batch.Download(columns.Out") + column.MemberName + ", " + local + ".Values);");
            if (column.Nullable)
            {
                _w.WriteLine("batch.DownloadValidity(columns.Out" + column.MemberName + "Validity, " + local + ".Validity!);");
            }
            built.Add(local + ".Build(count)");
        }
        _w.WriteLine("return new global::Dsl.RecordBatch(" + Output.FullTypeName + ".BatchSchema, new global::Dsl.Column[] { " + string.Join(", ", built) + " }, count);");
        _w.CloseBrace();
    }

    // Table k: the string sub-expression for every dictionary entry (and null, for a nullable column), with the fault
    // code of each entry whose C# throws; only the rows that index such an entry fault.
    private void EmitTable(int k)
    {
        StringTable table = _tables[k];
        ColumnSpec column = _input.FindMember(table.Member)!;
        string strings = "in" + column.MemberName + "Strings";
        string element = TableElement(table.Expression.Type);
        bool nullable = table.Expression.Type.Nullable;
        string t = "table" + k;
        _w.WriteLine("// " + Describe(table.Expression) + ", once per dictionary entry of " + column.MemberName + (column.Nullable ? " and once for null (the last slot)" : string.Empty));
        _w.WriteLine("int " + t + "Slots = " + strings + ".Length" + (column.Nullable ? " + 1" : string.Empty) + ";");
        _w.WriteLine("var " + t + " = new " + element + "[" + t + "Slots];");
        if (nullable)
        {
            _w.WriteLine("var " + t + "Valid = new byte[" + t + "Slots];");
        }
        _w.WriteLine("var " + t + "Faults = new int[" + t + "Slots];");
        _w.WriteLine("for (int e = 0; e < " + t + "Slots; e++)");
        _w.OpenBrace();
        _w.WriteLine((column.Nullable ? "string? entry = e < " + strings + ".Length ? " + strings + "[e] : null;" : "string entry = " + strings + "[e];"));
        _w.WriteLine("int fault = 0;");
        _w.WriteLine("try");
        _w.OpenBrace();
        _host = true;
        Dictionary<string, string> saved = _values;
        _values = new Dictionary<string, string>(System.StringComparer.Ordinal) { [table.Member] = "entry" };
        string value = Render(table.Expression);
        _values = saved;
        _host = false;
        _w.WriteLine(table.Expression.Type.CSharp + " value = unchecked(" + value + ");");
        if (nullable)
        {
            string get = "value.GetValueOrDefault()";
            _w.WriteLine(t + "[e] = " + (table.Expression.Type.Kind == KernelTypeKind.Bool ? "(byte)(" + get + " ? 1 : 0)" : get) + ";");
            _w.WriteLine(t + "Valid[e] = (byte)(value.HasValue ? 1 : 0);");
        }
        else
        {
            _w.WriteLine(t + "[e] = " + (table.Expression.Type.Kind == KernelTypeKind.Bool ? "(byte)(value ? 1 : 0)" : "value") + ";");
        }
        _w.WriteLine(t + "Faults[e] = fault;");
        _w.CloseBrace();
        _w.WriteLine("catch (global::System.Exception)");
        _w.OpenBrace();
        _w.WriteLine("// The CPU kernel throws it again, for the first row that reaches this entry.");
        _w.WriteLine(t + "Faults[e] = global::Dsl.Gpu.FaultCodes.Thrown;");
        _w.CloseBrace();
        _w.CloseBrace();
        _w.WriteLine("columns.Table" + k + " = batch.UploadTable<" + element + ">(" + t + ");");
        if (nullable)
        {
            _w.WriteLine("columns.Table" + k + "Valid = batch.UploadTable<byte>(" + t + "Valid);");
        }
        _w.WriteLine("columns.Table" + k + "Faults = batch.UploadTable<int>(" + t + "Faults);");
    }

    // The expression for comments: C# with members by name (an unbound column renders as its name).
    private string Describe(KernelExpr e)
    {
        Dictionary<string, string> saved = _values;
        bool host = _host;
        _values = new Dictionary<string, string>(System.StringComparer.Ordinal);
        _host = true;
        try
        {
            return Render(e).Replace("*/", "* /");
        }
        finally
        {
            _values = saved;
            _host = host;
        }
    }

    /// <summary>
    /// The <c>Devices</c> initializer of the pipeline's <c>Compiled</c>: the generator's decision for each segment and
    /// <c>BindDeviceKernels</c>.
    /// </summary>
    public static string DevicesInitializer(PipelineSpec pipeline, IReadOnlyList<GpuSegmentAnalysis> analyses)
    {
        var entries = new List<string>();
        for (int s = 0; s < analyses.Count; s++)
        {
            GpuSegmentAnalysis a = analyses[s];
            entries.Add("new global::Dsl.Execution.DeviceSegmentPlan(" + s + ", " + Quoted(a.NotOnDevice) + ", " + a.BytesPerRow + ", " + a.OperationsPerRow + ", "
                + (a.Preferred ? "true" : "false") + ", " + Quoted(a.InexactOnCuda) + ")");
        }
        return "Devices = new global::Dsl.Gpu.DeviceKernels(new global::Dsl.Execution.DeviceSegmentPlan[] { " + string.Join(", ", entries) + " }, BindDeviceKernels)";
    }

    private static string Quoted(string? text) => text is null ? "null" : SourceWriter.Literal(text);

    /// <summary>
    /// <c>BindDeviceKernels</c>: for each segment the device runs, its GPU kernel with the stage parameter members it
    /// reads taken from the run's values; the other segments keep their CPU kernels.
    /// </summary>
    public static void EmitBinder(SourceWriter w, PipelineSpec pipeline, IReadOnlyList<GpuSegmentAnalysis> analyses)
    {
        w.WriteLine("/// <summary>The GPU kernels of the segments <paramref name=\"runs\"/> puts on <paramref name=\"device\"/>; the other segments keep their CPU kernels.</summary>");
        w.WriteLine(SourceWriter.GeneratedCodeAttribute);
        w.WriteLine("private static global::System.Collections.Generic.IReadOnlyList<global::Dsl.Execution.SegmentKernel> BindDeviceKernels(global::Dsl.Gpu.GpuDevice device, global::System.Func<int, bool> runs, global::Dsl.Execution.StageParameterValues parameters, global::System.Collections.Generic.IReadOnlyList<global::Dsl.Execution.SegmentKernel> cpu, global::System.Action<string> warn)");
        w.OpenBrace();
        w.WriteLine("var kernels = new global::Dsl.Execution.SegmentKernel[cpu.Count];");
        w.WriteLine("for (int s = 0; s < kernels.Length; s++)");
        w.OpenBrace();
        w.WriteLine("kernels[s] = cpu[s];");
        w.CloseBrace();
        foreach (SegmentSpec segment in pipeline.Segments)
        {
            if (analyses[segment.Index].NotOnDevice is not null)
            {
                continue;
            }
            string index = segment.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            w.WriteLine("if (runs(" + index + "))");
            w.OpenBrace();
            w.WriteLine("var parameters" + index + " = new " + ParametersType(segment) + "();");
            foreach ((string type, string member, string clr) in ParameterReads(pipeline, segment))
            {
                w.WriteLine("parameters" + index + "." + StageParametersSpec.MemberLocal(type + "." + member) + " = parameters.Get<" + clr + ">(" + SourceWriter.Literal(type) + ", " + SourceWriter.Literal(member) + ");");
            }
            w.WriteLine("var segment" + index + " = new global::Dsl.Gpu.DeviceSegment(device, " + SourceWriter.Literal(string.Join("+", segment.Stages)) + ", cpu[" + index + "], warn);");
            w.WriteLine("kernels[" + index + "] = (input, violations) => segment" + index + ".Run(input, violations, batch => " + HostMethod(segment) + "(batch, input, parameters" + index + "));");
            w.CloseBrace();
        }
        w.WriteLine("return kernels;");
        w.CloseBrace();
    }

    // ---- Expressions: the per-row C#, with the operations that throw in C# written as GpuOps calls ----

    private string Render(KernelExpr e)
    {
        if (!_host && _valuesAreInput && StringTable.Of(e, _input, GpuSegmentAnalysis.Analyzer.SupportedType) is { } table)
        {
            int k = _tables.IndexOf(table);
            if (k < 0)
            {
                k = _tables.Count;
                _tables.Add(table);
            }
            string slot = "slot_" + table.Member;
            bool isBool = e.Type.Kind == KernelTypeKind.Bool;
            return e.Type.Nullable
                ? Ops + (isBool ? "GatherNullableBool(" : "GatherNullable(") + "c.Table" + k + ", c.Table" + k + "Valid, c.Table" + k + "Faults, " + slot + ", ref fault)"
                : Ops + (isBool ? "GatherBool(" : "Gather(") + "c.Table" + k + ", c.Table" + k + "Faults, " + slot + ", ref fault)";
        }
        switch (e.Kind)
        {
            case KernelExprKind.Literal:
            case KernelExprKind.StaticMember:
                return e.Text;
            case KernelExprKind.Column:
                return _values.TryGetValue(e.Text, out string? value) ? value : e.Text;
            case KernelExprKind.Parameter:
                return (_host ? "parameters." : "p.") + StageParametersSpec.MemberLocal(e.Text);
            case KernelExprKind.New:
                return "new " + e.Type.CSharp + "(" + Arguments(e, 0) + ")";
            case KernelExprKind.ConditionalAccess:
                return Operand(e.Operands[0]) + "?" + Render(e.Operands[1]);
            case KernelExprKind.ConditionalAccessReceiver:
                return string.Empty;
            case KernelExprKind.Default:
                return "default(" + e.Type.CSharp + ")";
            case KernelExprKind.Binary:
                return RenderBinary(e);
            case KernelExprKind.Unary:
                if (e.Op == KernelOp.Negate && e.Overflow == OverflowMode.Checked && e.Type.Kind is KernelTypeKind.Int32 or KernelTypeKind.Int64)
                {
                    return Ops + "CheckedNegate(" + Render(e.Operands[0]) + ", ref fault)";
                }
                return KernelOps.Token(e.Op) + Operand(e.Operands[0]);
            case KernelExprKind.Conversion:
                return RenderConversion(e);
            case KernelExprKind.Conditional:
                return Operand(e.Operands[0]) + " ? " + Operand(e.Operands[1]) + " : " + Operand(e.Operands[2]);
            case KernelExprKind.Coalesce:
                return Operand(e.Operands[0]) + " ?? " + Operand(e.Operands[1]);
            case KernelExprKind.IsPattern:
                return Operand(e.Operands[0]) + " is " + Render(e.Operands[1]);
            case KernelExprKind.Property:
                return e.Member == KernelMember.NullableValue
                    ? Ops + "Value(" + Render(e.Operands[0]) + ", ref fault)"
                    : Operand(e.Operands[0]) + "." + e.Text;
            case KernelExprKind.Call:
                return RenderCall(e);
            case KernelExprKind.PatternConstant:
                return Render(e.Operands[0]);
            case KernelExprKind.PatternRelational:
                return KernelOps.Token(e.Op) + " " + Render(e.Operands[0]);
            case KernelExprKind.PatternNot:
                return "not (" + Render(e.Operands[0]) + ")";
            case KernelExprKind.PatternAnd:
                return "(" + Render(e.Operands[0]) + ") and (" + Render(e.Operands[1]) + ")";
            case KernelExprKind.PatternOr:
                return "(" + Render(e.Operands[0]) + ") or (" + Render(e.Operands[1]) + ")";
            case KernelExprKind.PatternDiscard:
                return "_";
            case KernelExprKind.Switch:
            {
                var arms = new List<string>();
                for (int i = 1; i < e.Operands.Count; i++)
                {
                    KernelExpr arm = e.Operands[i];
                    string guard = arm.Operands.Count > 2 ? " when " + Render(arm.Operands[2]) : string.Empty;
                    arms.Add(Render(arm.Operands[0]) + guard + " => " + Render(arm.Operands[1]));
                }
                return Operand(e.Operands[0]) + " switch { " + string.Join(", ", arms) + " }";
            }
            default:
                throw new System.InvalidOperationException("Kernel expression kind '" + e.Kind + "' has no GPU rendering (the analysis should have kept the segment on SIMD).");
        }
    }

    private string RenderBinary(KernelExpr e)
    {
        KernelExpr left = e.Operands[0];
        KernelExpr right = e.Operands[1];
        bool integral = left.Type.IsIntegral && right.Type.IsIntegral && !KernelOps.IsComparison(e.Op);
        if (integral && e.Op is KernelOp.Divide or KernelOp.Remainder)
        {
            return Ops + (e.Op == KernelOp.Divide ? "Divide(" : "Remainder(") + Render(left) + ", " + Render(right) + ", ref fault)";
        }
        if (integral && e.Overflow == OverflowMode.Checked && e.Op is KernelOp.Add or KernelOp.Subtract or KernelOp.Multiply)
        {
            string name = e.Op == KernelOp.Add ? "CheckedAdd(" : e.Op == KernelOp.Subtract ? "CheckedSubtract(" : "CheckedMultiply(";
            return Ops + name + Render(left) + ", " + Render(right) + ", ref fault)";
        }
        return Operand(left) + " " + KernelOps.Token(e.Op) + " " + Operand(right);
    }

    private string RenderConversion(KernelExpr e)
    {
        KernelExpr operand = e.Operands[0];
        string value = Render(operand);
        KernelType from = operand.Type;
        if (from.Nullable && !e.Type.Nullable)
        {
            // (T)nullable reads .Value, which throws for null.
            value = Ops + "Value(" + value + ", ref fault)";
        }
        else
        {
            value = "(" + value + ")";
        }
        if (e.Type.IsIntegral && e.Type.Kind != from.Kind && (from.IsIntegral || from.IsFloating))
        {
            if (e.Overflow == OverflowMode.Checked && CanOverflow(from, e.Type))
            {
                return Ops + "CheckedTo" + e.Type.Kind + "(" + value + ", ref fault)";
            }
            if (from.IsFloating && e.Type.Width < 32)
            {
                // .NET converts a float to a small integer through int (300.7 -> (byte)300 = 44); a GPU's direct
                // conversion would saturate to 255.
                return "(" + e.Type.CSharp + ")(" + (e.Type.Nullable ? "int?" : "int") + ")" + value;
            }
        }
        return "(" + e.Type.CSharp + ")" + value;
    }

    // Whether converting from one numeric type to an integral one can leave the target's range.
    private static bool CanOverflow(KernelType from, KernelType to)
    {
        if (from.IsFloating)
        {
            return true;
        }
        bool fromSigned = from.Kind is KernelTypeKind.SByte or KernelTypeKind.Int16 or KernelTypeKind.Int32 or KernelTypeKind.Int64;
        bool toSigned = to.Kind is KernelTypeKind.SByte or KernelTypeKind.Int16 or KernelTypeKind.Int32 or KernelTypeKind.Int64;
        bool contains = toSigned ? (fromSigned ? to.Width >= from.Width : to.Width > from.Width) : !fromSigned && to.Width >= from.Width;
        return !contains;
    }

    private string RenderCall(KernelExpr e)
    {
        string arguments = Arguments(e, e.IsInstance ? 1 : 0);
        switch (e.Member)
        {
            case KernelMember.Abs when e.Type.IsIntegral:
                return Ops + "Abs(" + arguments + ", ref fault)";
            case KernelMember.Min:
                return Ops + "Min(" + arguments + ")";
            case KernelMember.Max:
                return Ops + "Max(" + arguments + ")";
        }
        return e.IsInstance
            ? Operand(e.Operands[0]) + "." + e.Text + "(" + arguments + ")"
            : e.Text + "(" + arguments + ")";
    }

    private string Arguments(KernelExpr e, int start)
    {
        var arguments = new StringBuilder();
        for (int i = start; i < e.Operands.Count; i++)
        {
            if (arguments.Length > 0)
            {
                arguments.Append(", ");
            }
            if (!e.ArgumentNames.IsEmpty)
            {
                arguments.Append(e.ArgumentNames[i - start]).Append(": ");
            }
            arguments.Append(Render(e.Operands[i]));
        }
        return arguments.ToString();
    }

    // Every operand that is not a single token is parenthesized, so precedence never changes meaning.
    private string Operand(KernelExpr e)
    {
        string text = Render(e);
        bool simple = e.Kind is KernelExprKind.Column or KernelExprKind.StaticMember or KernelExprKind.Parameter or KernelExprKind.Default
                or KernelExprKind.ConditionalAccessReceiver or KernelExprKind.ConditionalAccess or KernelExprKind.New
            || (e.Kind == KernelExprKind.Literal && !text.StartsWith("-", System.StringComparison.Ordinal));
        return simple ? text : "(" + text + ")";
    }
}

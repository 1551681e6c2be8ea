using System.Reflection;
using Dsl.Execution;

namespace Dsl.Generators.Tests.Infrastructure;

/// <summary>
/// Runs every segment kernel of a compiled pipeline and compares its output, row by row and bit for bit, with
/// calling the user's stage methods (through reflection, in the test only) one row at a time.
/// </summary>
internal static class DifferentialRunner
{
    // 0, 1, a block less one, a block, a block and one, odd sizes and a batch of many blocks.
    public static readonly int[] BatchSizes = [0, 1, 3, 4, 5, 7, 300];

    /// <summary>
    /// Checks <paramref name="pipelineType"/> over random batches of several sizes and seeds; stages that take a
    /// parameter object get one built from <paramref name="parameters"/>, in the kernels and in the method calls alike.
    /// </summary>
    public static void Verify(LoadedSnippet snippet, string pipelineType, string inputSchemaType, int seeds = 4, StageParameterValues? parameters = null)
    {
        for (int seed = 1; seed <= seeds; seed++)
        {
            foreach (int size in BatchSizes)
            {
                List<object> rows = RowGenerator.Rows(snippet.Type(inputSchemaType), size, seed * 1000 + size);
                VerifyRows(snippet, pipelineType, inputSchemaType, rows, parameters);
            }
        }
    }

    /// <summary>
    /// Compares the kernels with the stage methods three times: with vector blocks where the machine has them, with
    /// the per-row code only, and with the GPU kernels on ILGPU's CPU accelerator (the same source compiled with
    /// Dsl.Gpu; segments without a GPU kernel run their CPU kernel there).
    /// </summary>
    public static void VerifyRows(LoadedSnippet snippet, string pipelineType, string inputSchemaType, List<object> inputRows, StageParameterValues? parameters = null)
    {
        VerifyRowsOnce(snippet, pipelineType, inputSchemaType, inputRows, parameters);
        using (Dsl.Kernels.KernelDispatch.ScalarOnly())
        {
            VerifyRowsOnce(snippet, pipelineType, inputSchemaType, inputRows, parameters);
        }
        LoadedSnippet gpu = snippet.WithGpuKernels();
        gpu.CompileGpuKernelsToPtx(pipelineType);
        Type gpuInput = gpu.Type(inputSchemaType);
        VerifyRowsOnce(gpu, pipelineType, inputSchemaType, inputRows.Select(r => RowGenerator.Convert(r, gpuInput)).ToList(), parameters, device: "cpu-emulator");
    }

    /// <summary>The parameter object of type <paramref name="type"/> built from <paramref name="values"/> through its positional constructor.</summary>
    public static object ParameterObject(Type type, StageParameterValues values)
    {
        ConstructorInfo constructor = RowGenerator.PrimaryConstructor(type);
        object?[] arguments = constructor.GetParameters().Select(p => values.TryGet(type.Name, p.Name!, out object? v) ? v : null).ToArray();
        return constructor.Invoke(arguments);
    }

    private static void VerifyRowsOnce(LoadedSnippet snippet, string pipelineType, string inputSchemaType, List<object> inputRows, StageParameterValues? parameters, string device = "simd")
    {
        Type pipeline = snippet.Type(pipelineType);
        // A GPU kernel the generator wrote that ILGPU cannot load falls back with a warning: a generator bug here.
        var warnings = new List<string>();
        CompiledPipeline compiled = snippet.Pipeline(pipelineType).WithParameters(parameters ?? StageParameterValues.Empty).OnDevice(device, w => { lock (warnings) { warnings.Add(w); } });
        PipelinePlan plan = compiled.Plan;
        var expected = new Dictionary<int, (List<object>? Rows, Exception? Error)>();
        var failedAt = new Dictionary<int, (string Stage, int Row)>();
        var actual = new Dictionary<int, (RecordBatch? Batch, Exception? Error)>();
        using RecordBatch input = LoadedSnippet.ToBatch(snippet.Type(inputSchemaType), inputRows);

        foreach (SegmentPlan segment in plan.Segments)
        {
            (List<object>? Rows, Exception? Error) source = segment.InputSegment is int s ? expected[s] : (inputRows, null);
            if (source.Error is not null)
            {
                expected[segment.Index] = (null, source.Error);
            }
            else
            {
                expected[segment.Index] = Oracle(pipeline, segment, source.Rows!, parameters ?? StageParameterValues.Empty, out (string Stage, int Row)? at);
                if (at is { } failed)
                {
                    failedAt[segment.Index] = failed;
                }
            }

            (RecordBatch? Batch, Exception? Error) batchSource = segment.InputSegment is int a ? actual[a] : (input, null);
            if (batchSource.Error is not null)
            {
                actual[segment.Index] = (null, batchSource.Error);
                continue;
            }
            try
            {
                actual[segment.Index] = (compiled.Kernels[segment.Index](batchSource.Batch!), null);
            }
            catch (Exception e)
            {
                actual[segment.Index] = (null, e);
            }
        }

        foreach (SegmentPlan segment in plan.Segments)
        {
            (List<object>? rows, Exception? error) = expected[segment.Index];
            (RecordBatch? batch, Exception? actualError) = actual[segment.Index];
            if (error is not null)
            {
                Assert.True(actualError is not null, $"Segment '{segment.Name}' should throw {error.GetType().Name} ({error.Message}) like the stage methods do, but it returned a batch.");
                if (failedAt.TryGetValue(segment.Index, out (string Stage, int Row) at))
                {
                    // The kernel names the stage and the row of its input batch, and carries what the stage threw.
                    var rowError = Assert.IsType<Dsl.Validation.StageRowException>(actualError);
                    Assert.Equal(at, (rowError.Stage, rowError.Row));
                    actualError = rowError.InnerException;
                }
                Assert.Equal(error.GetType(), actualError!.GetType());
                continue;
            }
            Assert.True(actualError is null, $"Segment '{segment.Name}' threw but the stage methods did not: {actualError}");
            Compare(segment, plan.Schemas[segment.OutputSchema], rows!, batch!);
        }
        Assert.True(warnings.Count == 0, string.Join(Environment.NewLine, warnings));
        foreach ((RecordBatch? batch, _) in actual.Values)
        {
            if (batch is not null && !ReferenceEquals(batch, input))
            {
                batch.Dispose();
            }
        }
    }

    private static (List<object>? Rows, Exception? Error) Oracle(Type pipeline, SegmentPlan segment, List<object> rows, StageParameterValues parameters, out (string Stage, int Row)? failedAt)
    {
        failedAt = null;
        MethodInfo[] methods = segment.Stages
            .Select(name => pipeline.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!)
            .ToArray();
        // The stage's parameter object, built once, as the binder does: the same object for every row.
        object?[] extra = methods
            .Select(m => m.GetParameters() is { Length: 2 } ps ? ParameterObject(ps[1].ParameterType, parameters) : null)
            .ToArray();
        var output = new List<object>();
        int index = 0;
        int stage = 0;
        try
        {
            for (index = 0; index < rows.Count; index++)
            {
                object current = rows[index];
                bool keep = true;
                for (int m = 0; m < methods.Length; m++)
                {
                    stage = m;
                    MethodInfo method = methods[m];
                    object result = method.Invoke(null, extra[m] is { } p ? [current, p] : [current])!;
                    if (method.ReturnType == typeof(bool))
                    {
                        if (!(bool)result)
                        {
                            keep = false;
                            break;
                        }
                    }
                    else
                    {
                        current = result;
                    }
                }
                if (keep)
                {
                    output.Add(current);
                }
            }
        }
        catch (TargetInvocationException e)
        {
            failedAt = (segment.Stages[stage], index);
            return (null, e.InnerException);
        }
        return (output, null);
    }

    private static void Compare(SegmentPlan segment, BatchSchema schema, List<object> expected, RecordBatch actual)
    {
        Assert.Equal(schema, actual.Schema);
        Assert.True(expected.Count == actual.RowCount, $"Segment '{segment.Name}' produced {actual.RowCount} rows; the stage methods give {expected.Count}.");
        if (expected.Count == 0)
        {
            return;
        }
        Type rowType = expected[0].GetType();
        ParameterInfo[] members = RowGenerator.PrimaryConstructor(rowType).GetParameters();
        for (int c = 0; c < schema.Count; c++)
        {
            PropertyInfo property = rowType.GetProperty(members[c].Name!)!;
            Column column = actual[c];
            for (int r = 0; r < expected.Count; r++)
            {
                object? want = Normalize(property.GetValue(expected[r]), schema[c]);
                // Nanosecond timestamps compare as stored: GetValue's DateTime would drop the last two digits.
                object? got = column is PrimitiveColumn<long> nanos && column.Type == ColumnType.TimestampNanos && !column.IsNull(r)
                    ? nanos.Values[r]
                    : Normalize(column.GetValue(r), schema[c]);
                Assert.True(Same(want, got), $"Segment '{segment.Name}', row {r}, column '{schema[c].Name}': expected {Show(want)} but the kernel wrote {Show(got)}.");
            }
        }
    }

    // Member values as the column stores them, so that both sides compare in one representation.
    private static object? Normalize(object? value, ColumnField field) => value switch
    {
        DateTime dt => Timestamps.FromMicros(Timestamps.ToMicros(dt)),
        DateTimeOffset dto => Timestamps.FromMicros(Timestamps.ToMicros(dto)),
        NanoTimestamp ns => ns.UnixNanoseconds,
        decimal m => Decimals.FromDecimal(m, field.Precision, field.Scale),
        byte[] bytes => Convert.ToHexString(bytes),
        Half h => BitConverter.HalfToInt16Bits(h),
        double d => BitConverter.DoubleToInt64Bits(d),
        float f => BitConverter.SingleToInt32Bits(f),
        System.Collections.IEnumerable items and not string => "[" + string.Join(",", items.Cast<object?>().Select(x => Normalize(x, field))) + "]",
        _ => value,
    };

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y),
        (float x, float y) => BitConverter.SingleToInt32Bits(x) == BitConverter.SingleToInt32Bits(y),
        _ => Equals(a, b),
    };

    private static string Show(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + (d == 0 && double.IsNegative(d) ? " (negative zero)" : string.Empty),
        string s => "\"" + s + "\"",
        _ => value.ToString() ?? "?",
    };
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dsl;
using Dsl.Execution;
using Dsl.Gpu;
using Dsl.Gpu.Check;
using Dsl.Gpu.Tests.Sample;

// One JSON line per figure. Arguments: rows for the emulator, rows for CUDA (defaults keep the run short).
var emulatorRows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1 << 20;
var cudaRows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1 << 24;
var runtime = GpuRuntime.Shared;
var p = SampleData.Parameters;

Emit(new { figure = "devices", found = runtime.DescribeDevices(), context_create_ms = runtime.ContextCreationTime.TotalMilliseconds });
Measure(GpuDevice.CpuEmulator, emulatorRows);
if (runtime.HasCuda)
{
    Measure(GpuDevice.Cuda, cudaRows);
}
else
{
    Emit(new { figure = "cuda", skipped = $"no CUDA device; ILGPU found: {runtime.DescribeDevices()}" });
}

MeasureGenerated("cpu-emulator", Math.Min(emulatorRows, 1 << 16));
MeasureTrees(GpuDevice.CpuEmulator, Math.Min(emulatorRows, 1 << 14));
if (runtime.HasCuda)
{
    MeasureGenerated("cuda", cudaRows);
    MeasureTrees(GpuDevice.Cuda, Math.Min(cudaRows, 1 << 20));
}

// A LightGBM model of 200 trees of up to 63 leaves over 20 features, loaded as a run-time model: its margins and
// predictions on the device (margins there, the sigmoid on the host) against the CPU scorer on the same rows.
void MeasureTrees(GpuDevice device, int rows)
{
    const int features = 20;
    var random = new Random(11);
    double[] train = new double[20000 * features];
    var labels = new float[20000];
    for (var r = 0; r < 20000; r++)
    {
        double sum = 0;
        for (var f = 0; f < features; f++)
        {
            train[r * features + f] = random.Next(20) == 0 ? double.NaN : random.NextDouble() * 2 - 1;
            sum += double.IsNaN(train[r * features + f]) ? 0 : train[r * features + f] * (f % 3 - 1);
        }
        labels[r] = sum > 0 ? 1 : 0;
    }
    string model = Dsl.Testing.LightGbm.Train(train, 20000, features, labels, "objective=binary num_leaves=63 min_data_in_leaf=5 verbose=-1 num_threads=2 deterministic=true seed=1", iterations: 200);
    string path = Path.Combine(Path.GetTempPath(), $"dsl-gpu-check-{Environment.ProcessId}.txt");
    File.WriteAllText(path, model);
    using var cpu = new Dsl.Models.LightGbmModelLoader().Load(path, new Dsl.Models.ModelLoadOptions(ScoreOutput.Prediction, features, 1));
    File.Delete(path);
    var warnings = new List<string>();
    using var onDevice = TreeScoring.OnDevice(cpu, device, warnings);
    double[] x = new double[rows * features];
    for (var i = 0; i < x.Length; i++)
    {
        x[i] = random.Next(20) == 0 ? double.NaN : random.NextDouble() * 2 - 1;
    }
    var expected = new double[rows];
    var actual = new double[rows];
    var clock = Stopwatch.StartNew();
    onDevice.Score(x, rows, actual);
    var firstMs = clock.Elapsed.TotalMilliseconds;
    var deviceSeconds = Median(3, () => onDevice.Score(x, rows, actual));
    var cpuSeconds = Median(3, () => cpu.Score(x, rows, expected));
    Emit(new
    {
        figure = "tree_scoring",
        device = DeviceOption.Format(device),
        model = "LightGBM binary, 200 trees, 63 leaves, 20 features",
        rows,
        first_call_ms = firstMs,
        device_rows_per_s = rows / deviceSeconds,
        cpu_rows_per_s = rows / cpuSeconds,
        device_over_cpu = cpuSeconds / deviceSeconds,
        differing_values = Enumerable.Range(0, rows).Count(i => BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i])),
        warnings,
    });
}

// Generated GPU kernels against their SIMD kernels on the same batches: the segment as run --device runs it (upload,
// kernel, fault scan, download of the kept rows), in batches of the executor's 8,192 rows, and the values that differ.
void MeasureGenerated(string device, int rows)
{
    var random = new Random(7);
    var readings = new List<Reading>(rows);
    for (var i = 0; i < rows; i++)
    {
        readings.Add(new Reading(i, (random.NextDouble() - 0.3) * 200, i % 7 == 0 ? null : random.NextDouble() * 4 - 2, random.Next(-1000, 1000), i % 3 == 0));
    }

    const int batchRows = 8192;
    var batches = new List<RecordBatch>();
    for (var start = 0; start < rows; start += batchRows)
    {
        batches.Add(Reading.ToBatch(readings.GetRange(start, Math.Min(batchRows, rows - start))));
    }

    foreach ((string name, CompiledPipeline pipeline) in new[] { ("features", FeatureCheck.Compiled), ("polynomial", PolynomialCheck.Compiled) })
    {
        var plan = pipeline.Devices!.Segments[0];
        var simd = pipeline.Kernels[0];
        var warnings = new List<string>();
        var onDevice = pipeline.OnDevice(device, warnings.Add);
        // Every segment with a GPU kernel, whatever the estimate prefers: the figures are the device's.
        var kernel = device == "cuda" ? ForcedOnCuda(pipeline, warnings) : onDevice.Kernels[0];
        var clock = Stopwatch.StartNew();
        using (kernel(batches[0])) { }
        var firstBatchMs = clock.Elapsed.TotalMilliseconds;
        var deviceSeconds = Median(3, () => { foreach (var b in batches) { using (kernel(b)) { } } });
        var simdSeconds = Median(3, () => { foreach (var b in batches) { using (simd(b)) { } } });
        long differing = 0;
        foreach (var b in batches)
        {
            using var expected = simd(b);
            using var actual = kernel(b);
            differing += DifferingValues(expected, actual);
        }
        Emit(new
        {
            figure = "generated_kernel",
            pipeline = name,
            device,
            rows,
            operations_per_byte = plan.OperationsPerByte,
            preferred = plan.Preferred,
            inexact_on_cuda = plan.InexactOnCuda,
            first_batch_ms = firstBatchMs,
            device_rows_per_s = rows / deviceSeconds,
            simd_rows_per_s = rows / simdSeconds,
            device_over_simd = simdSeconds / deviceSeconds,
            differing_values = differing,
            warnings,
        });
    }

    foreach (var b in batches)
    {
        b.Dispose();
    }
}

// The CUDA kernel of segment 0 even where the estimate or the FMA rule keeps it on SIMD under run --device cuda.
static SegmentKernel ForcedOnCuda(CompiledPipeline pipeline, List<string> warnings)
{
    var devices = (DeviceKernels)pipeline.Devices!;
    var forced = new DeviceKernels(devices.Segments.Select(s => s with { Preferred = true, InexactOnCuda = null }).ToArray(), devices.SegmentBinder);
    return forced.Bind("cuda", pipeline.Parameters, pipeline.CpuKernels, warnings.Add)[0];
}

static long DifferingValues(RecordBatch expected, RecordBatch actual)
{
    if (expected.RowCount != actual.RowCount)
    {
        return Math.Max(expected.RowCount, actual.RowCount);
    }
    long differing = 0;
    for (var c = 0; c < expected.Columns.Count; c++)
    {
        for (var r = 0; r < expected.RowCount; r++)
        {
            object? e = expected.Columns[c].GetValue(r);
            object? a = actual.Columns[c].GetValue(r);
            bool same = e is double de && a is double da ? BitConverter.DoubleToInt64Bits(de) == BitConverter.DoubleToInt64Bits(da) : Equals(e, a);
            differing += same ? 0 : 1;
        }
    }
    return differing;
}

void Measure(GpuDevice device, int rows)
{
    var name = DeviceOption.Format(device);
    var accelerator = runtime.GetAccelerator(device);
    accelerator.Kernels.GetOrLoad<SampleColumns, SampleParameters>(SampleKernel.Kernel, out var first);
    accelerator.Kernels.GetOrLoad<SampleColumns, SampleParameters>(SampleKernel.Kernel, out var cached);
    Emit(new { figure = "kernel_load_ms", device = name, first = first.Elapsed.TotalMilliseconds, cached = cached.Elapsed.TotalMilliseconds });

    foreach (var pageLocked in new[] { true, false })
    {
        const int length = 8 << 20;
        using var host = accelerator.AllocateHost<double>(length, pageLocked);
        using var target = accelerator.Buffers.Rent<double>(length);
        var stream = accelerator.Accelerator.DefaultStream;
        host.CopyTo(stream, target.View, length);
        stream.Synchronize();
        var seconds = Median(5, () =>
        {
            host.CopyTo(stream, target.View, length);
            stream.Synchronize();
        });
        Emit(new { figure = "upload_gb_per_s", device = name, page_locked = host.IsPageLocked, bytes = length * 8L, value = length * 8.0 / seconds / 1e9 });
    }

    var data = SampleData.Random(rows, 1);
    var expected = SampleCpu.Run(data, p);
    var cpuSeconds = Median(3, () => SampleCpu.Run(data, p));
    Emit(new { figure = "rows_per_s", device = "csharp-loop", rows, value = rows / cpuSeconds });

    using var slot = new SampleSlot(accelerator, rows);
    slot.Fill(data, 0, rows);
    var kernel = accelerator.Kernels.GetOrLoad<SampleColumns, SampleParameters>(SampleKernel.Kernel);
    var defaultStream = accelerator.Accelerator.DefaultStream;
    slot.Enqueue(accelerator, kernel, defaultStream, p);
    defaultStream.Synchronize();
    var kernelSeconds = Median(5, () =>
    {
        kernel.Launch(defaultStream, slot.Columns, p, rows);
        defaultStream.Synchronize();
    });
    Emit(new { figure = "rows_per_s", device = name, scope = "kernel, data on device", rows, value = rows / kernelSeconds });

    var endToEnd = Median(3, () =>
    {
        slot.Enqueue(accelerator, kernel, defaultStream, p);
        defaultStream.Synchronize();
    });
    Emit(new { figure = "rows_per_s", device = name, scope = "upload 5 columns, kernel, fault scan, download 4 columns", rows, value = rows / endToEnd });

    var result = SampleGpu.Run(accelerator, data, p, out var outcome);
    Emit(new
    {
        figure = "exactness",
        device = name,
        rows,
        fell_back = outcome.RanOnCpu,
        score = Differ(expected.Score, result.Score),
        root = Differ(expected.Root, result.Root),
        count_as_double = Differ(expected.CountAsDouble, result.CountAsDouble),
        scaled_float = Enumerable.Range(0, rows).Count(i => BitConverter.SingleToInt32Bits(expected.Scaled[i]) != BitConverter.SingleToInt32Bits(result.Scaled[i])),
        bucket_int = Enumerable.Range(0, rows).Count(i => expected.Bucket[i] != result.Bucket[i]),
        is_large = Enumerable.Range(0, rows).Count(i => expected.IsLarge[i] != result.IsLarge[i]),
        ratio = Enumerable.Range(0, rows).Count(i => expected.Ratio[i] != result.Ratio[i]),
        mixed_a_times_b_plus_c = Differ(expected.Mixed, result.Mixed),
    });
}

static int Differ(double[] expected, double[] actual) =>
    Enumerable.Range(0, expected.Length).Count(i => BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]));

static double Median(int runs, Action action)
{
    var times = new double[runs];
    for (var i = 0; i < runs; i++)
    {
        var clock = Stopwatch.StartNew();
        action();
        times[i] = clock.Elapsed.TotalSeconds;
    }

    Array.Sort(times);
    return times[runs / 2];
}

static void Emit(object figure) => Console.WriteLine(JsonSerializer.Serialize(figure));

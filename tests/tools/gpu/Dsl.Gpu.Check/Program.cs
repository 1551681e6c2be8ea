using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dsl.Gpu;
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

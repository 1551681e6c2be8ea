using System.Reflection;
using System.Text.RegularExpressions;
using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Gpu;

namespace Dsl.Generators.Tests.Gpu;

/// <summary>
/// The GPU kernels the generator writes for a compilation that references Dsl.Gpu: which segments get one, that they
/// compute what the stage methods compute on ILGPU's CPU accelerator (every differential family also runs them, see
/// <see cref="DifferentialRunner.VerifyRows"/>), that a row C# would throw for re-runs its batch on the CPU kernel and
/// throws the same exception, and that every kernel compiles for CUDA (PTX) with no GPU.
/// </summary>
[Collection(GpuCollection.Name)]
public sealed class GpuKernelTests
{
    private const string Numeric = """
        using System;
        using Dsl;
        namespace Gp;
        [Schema] public partial record In(long Id, double X, double? Y, int N, bool Flag, float F, short S);
        [Schema] public partial record Out(long Id, double Scaled, double? Sum, long Quotient, bool Big, byte Small, double Low, float Half, int Wide);
        public sealed record Scale(double Factor);
        [Pipeline("gp")]
        public static partial class P
        {
            [Filter] public static bool Keep(In r) => r.X > -50 || r.Flag;
            [Map(From = nameof(Keep))] public static Out Go(In r, Scale s) => new(
                r.Id, Math.Sqrt(Math.Abs(r.X)) / s.Factor, r.Y + r.X, r.Id / (r.N | 1), r.X >= 10 && !r.Flag, (byte)r.X,
                Math.Min(r.X, r.Y ?? double.NaN), Math.Max(r.F, -0f) / 2f, r.S % 7 + (r.Y.HasValue ? 1 : 0));
        }
        """;

    private static StageParameterValues Factor(double value)
    {
        var values = new StageParameterValues();
        values.Set("Scale", "Factor", value);
        return values;
    }

    [Fact]
    public void A_numeric_filter_and_map_gets_a_GPU_kernel_that_matches_the_stage_methods()
    {
        using LoadedSnippet snippet = LoadedSnippet.Compile(Numeric, withGpu: true);
        DeviceSegmentPlan segment = Assert.Single(snippet.Pipeline("Gp.P").Devices!.Segments);
        Assert.Null(segment.NotOnDevice);
        Assert.Null(segment.InexactOnCuda);

        long before = DeviceSegment.ThreadDeviceBatches;
        DifferentialRunner.Verify(snippet, "Gp.P", "Gp.In", parameters: Factor(3.5));
        Assert.True(DeviceSegment.ThreadDeviceBatches > before, "no batch ran on the emulator");
    }

    [Fact]
    public void Without_a_reference_to_Dsl_Gpu_there_are_no_GPU_kernels_and_devices_other_than_simd_are_refused()
    {
        using LoadedSnippet snippet = LoadedSnippet.Compile(Numeric);
        CompiledPipeline compiled = snippet.Pipeline("Gp.P");
        Assert.Null(compiled.Devices);
        Assert.DoesNotContain(snippet.Run.Output.SyntaxTrees, t => t.FilePath.EndsWith(".Gpu.g.cs", StringComparison.Ordinal));
        Assert.Equal("simd", compiled.OnDevice("auto").Device);
        var refused = Assert.Throws<ArgumentException>(() => compiled.OnDevice("cuda"));
        Assert.Contains("does not reference Dsl.Gpu", refused.Message);
        Assert.Throws<ArgumentException>(() => compiled.OnDevice("tpu"));
    }

    [Fact]
    public void Cuda_without_a_device_is_refused_and_auto_falls_back_to_simd()
    {
        using LoadedSnippet snippet = LoadedSnippet.Compile(Numeric, withGpu: true);
        CompiledPipeline compiled = snippet.Pipeline("Gp.P");
        if (GpuRuntime.Shared.HasCuda)
        {
            return; // a machine with CUDA resolves both to cuda; CudaTests cover it
        }
        var refused = Assert.Throws<ArgumentException>(() => compiled.OnDevice("cuda"));
        Assert.Contains("no CUDA device", refused.Message);
        Assert.Equal("simd", compiled.OnDevice("auto").Device);
        Assert.Equal("cpu-emulator", compiled.OnDevice("cpu-emulator").Device);
    }

    [Fact]
    public void Explain_shows_each_segments_device_choice_and_run_device_cuda_without_one_fails_before_reading()
    {
        using LoadedSnippet snippet = LoadedSnippet.Compile(Numeric, withGpu: true);
        CompiledPipeline compiled = snippet.Pipeline("Gp.P");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, Dsl.Hosting.PipelineHost.Run(compiled, ["explain", "--param", "Scale.Factor=2"], stdout: stdout, stderr: stderr));
        Assert.True(stdout.ToString().Contains("Devices (run --device auto|cuda|cpu-emulator|simd):"), stdout.ToString());
        string expected = "GPU kernel; estimate 36 operations / 91 bytes a row = 0.4 per byte moved: stays on SIMD under --device cuda and auto (below 4)";
        Assert.True(stdout.ToString().Contains(expected), stdout.ToString());

        using LoadedSnippet plain = LoadedSnippet.Compile(Numeric);
        var plainOut = new StringWriter();
        Assert.Equal(0, Dsl.Hosting.PipelineHost.Run(plain.Pipeline("Gp.P"), ["explain", "--param", "Scale.Factor=2"], stdout: plainOut, stderr: new StringWriter()));
        Assert.Contains("Devices: every segment runs on SIMD (no GPU kernels: the project does not reference Dsl.Gpu).", plainOut.ToString());

        if (!GpuRuntime.Shared.HasCuda)
        {
            string missing = Path.Combine(Path.GetTempPath(), "dsl-no-such-input-" + Guid.NewGuid().ToString("N"));
            var runErr = new StringWriter();
            int code = Dsl.Hosting.PipelineHost.Run(compiled, ["run", "--device", "cuda", "--param", "Scale.Factor=2", "--input", missing], stdout: new StringWriter(), stderr: runErr);
            Assert.NotEqual(0, code);
            Assert.Contains("--device cuda: no CUDA device", runErr.ToString());
        }
    }

    [Fact]
    public void Run_device_cpu_emulator_publishes_the_same_output_as_simd()
    {
        using LoadedSnippet snippet = LoadedSnippet.Compile(Numeric, withGpu: true);
        CompiledPipeline compiled = snippet.Pipeline("Gp.P");
        using var temp = Dsl.Testing.TempDirectory.Create("dsl-gpu");
        string input = Path.Combine(temp.Path, "input");
        Assert.Equal(0, Dsl.Hosting.PipelineHost.Run(compiled, ["generate-sample", "--rows", "40000", "--files", "3", "--output", input], stdout: new StringWriter(), stderr: new StringWriter()));

        var outputs = new Dictionary<string, string>();
        foreach (string device in new[] { "simd", "cpu-emulator" })
        {
            string output = Path.Combine(temp.Path, device);
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = Dsl.Hosting.PipelineHost.Run(compiled, ["run", "--device", device, "--param", "Scale.Factor=2", "--input", input, "--output", output], stdout: stdout, stderr: stderr);
            Assert.True(code == 0, stderr.ToString());
            Assert.DoesNotContain("warning", stderr.ToString());
            if (device != "simd")
            {
                Assert.Contains("Device cpu-emulator: segment Keep+Go on the device; none on SIMD.", stdout.ToString());
            }
            outputs[device] = output;
        }

        using Dsl.Testing.DuckDb duck = Dsl.Testing.DuckDb.Open();
        string Glob(string device) => Dsl.Testing.DuckDb.Literal(Path.Combine(outputs[device], "*.parquet"));
        long rows = duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Glob("simd")})");
        Assert.True(rows > 10_000, $"only {rows} rows");
        Assert.Equal(rows, duck.QueryScalarInt64($"SELECT count(*) FROM read_parquet({Glob("cpu-emulator")})"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM (SELECT * FROM read_parquet({Glob("simd")}) EXCEPT ALL SELECT * FROM read_parquet({Glob("cpu-emulator")}))"));
        Assert.Equal(0, duck.QueryScalarInt64($"SELECT count(*) FROM (SELECT * FROM read_parquet({Glob("cpu-emulator")}) EXCEPT ALL SELECT * FROM read_parquet({Glob("simd")}))"));
    }

    [Theory]
    [InlineData("r.A / r.B", "DivideByZeroException", 0L, 0)]
    [InlineData("checked(r.A + r.A)", "OverflowException", long.MaxValue, 1)]
    [InlineData("r.A / r.B", "OverflowException", long.MinValue, -1)]
    [InlineData("checked((long)(int)r.A)", "OverflowException", 1L << 40, 1)]
    [InlineData("Math.Abs(r.B)", "OverflowException", 0L, int.MinValue)]
    [InlineData("r.C!.Value", "InvalidOperationException", 0L, 1)]
    public void A_row_that_throws_in_CSharp_re_runs_its_batch_on_the_CPU_and_throws_the_same_exception(string expression, string exception, long a, int b)
    {
        string source = $$"""
            using System;
            using Dsl;
            namespace Gf;
            [Schema] public partial record In(long A, int B, long? C);
            [Schema] public partial record Out(long V);
            [Pipeline("gf")]
            public static partial class P
            {
                [Map] public static Out Compute(In r) => new({{expression}});
            }
            """;
        using LoadedSnippet snippet = LoadedSnippet.Compile(source, withGpu: true);
        CompiledPipeline compiled = snippet.Pipeline("Gf.P");
        Assert.Null(compiled.Devices!.Segments[0].NotOnDevice);
        Type row = snippet.Type("Gf.In");
        var rows = new List<object>();
        for (int i = 0; i < 100; i++)
        {
            rows.Add(Activator.CreateInstance(row, 5L + i, 2 + i, (long?)i)!);
        }
        rows[37] = Activator.CreateInstance(row, a, b, (long?)null)!;
        using RecordBatch input = LoadedSnippet.ToBatch(row, rows);

        long faulted = DeviceSegment.ThreadFaultedBatches;
        SegmentKernel kernel = compiled.OnDevice("cpu-emulator").Kernels[0];
        var error = Assert.IsType<Dsl.Validation.StageRowException>(Record.Exception(() => kernel(input)));
        Assert.Equal(("Compute", 37), (error.Stage, error.Row));
        Assert.Equal(exception, error.InnerException!.GetType().Name);
        Assert.True(DeviceSegment.ThreadFaultedBatches > faulted, "the device did not report the fault");

        // The rows without the bad one run on the device to the end.
        rows.RemoveAt(37);
        using RecordBatch good = LoadedSnippet.ToBatch(row, rows);
        using RecordBatch output = kernel(good);
        Assert.Equal(99, output.RowCount);
    }

    private const string Strings = """
        using System;
        using Dsl;
        namespace Gs;
        [Schema] public partial record In(long Id, string Country, string? City, double X);
        [Schema] public partial record Out(long Id, int Bucket, bool Home, int? CityLength, double Y);
        [Pipeline("gs")]
        public static partial class P
        {
            [Filter] public static bool Known(In r) => r.Country != "ZZ" && r.X > -100;
            [Map(From = nameof(Known))] public static Out Go(In r) => new(
                r.Id, Hashing.Bucket(r.Country, 64), r.Country.StartsWith("F", StringComparison.Ordinal) || r.Country == "US",
                r.City?.Length, r.City is null ? r.X : r.X * 2 + r.City.Length);
        }
        """;

    [Fact]
    public void String_expressions_are_computed_per_dictionary_entry_and_gathered_by_index_on_the_device()
    {
        using LoadedSnippet snippet = LoadedSnippet.Compile(Strings, withGpu: true);
        DeviceSegmentPlan segment = Assert.Single(snippet.Pipeline("Gs.P").Devices!.Segments);
        Assert.Null(segment.NotOnDevice);
        string kernel = snippet.Run.Output.SyntaxTrees.Single(t => t.FilePath.EndsWith("Kernel_Known_Go.Gpu.g.cs", StringComparison.Ordinal)).ToString();
        if (Environment.GetEnvironmentVariable("DSL_SHOW_GPU_KERNEL") == "1") { Console.WriteLine(kernel); }
        Assert.Contains("once per dictionary entry of Country", kernel);
        Assert.Contains("once per dictionary entry of City and once for null (the last slot)", kernel);
        Assert.DoesNotContain("string in_", kernel.Split("_Device(")[1].Split("_OnDevice(")[0]);

        long before = DeviceSegment.ThreadDeviceBatches;
        DifferentialRunner.Verify(snippet, "Gs.P", "Gs.In");
        Assert.True(DeviceSegment.ThreadDeviceBatches > before, "no batch ran on the emulator");
    }

    [Fact]
    public void A_string_expression_that_throws_for_an_entry_faults_only_the_rows_that_reach_it()
    {
        const string source = """
            using System;
            using Dsl;
            namespace Gt;
            [Schema] public partial record In(long Id, string Code);
            [Schema] public partial record Out(long Id, int Digit);
            [Pipeline("gt")]
            public static partial class P
            {
                [Filter] public static bool Long(In r) => r.Id >= 0;
                [Map(From = nameof(Long))] public static Out Go(In r) => new(r.Id, int.Parse(r.Code.Substring(2, 1)));
            }
            """;
        using LoadedSnippet snippet = LoadedSnippet.Compile(source, withGpu: true);
        CompiledPipeline compiled = snippet.Pipeline("Gt.P");
        Assert.Null(compiled.Devices!.Segments[0].NotOnDevice);
        Type row = snippet.Type("Gt.In");
        SegmentKernel kernel = compiled.OnDevice("cpu-emulator").Kernels[0];

        // "x" throws in Substring, but only a row with Id < 0 has it, and the filter drops that row first.
        var rows = new List<object> { Activator.CreateInstance(row, 1L, "ab7")!, Activator.CreateInstance(row, -1L, "x")!, Activator.CreateInstance(row, 2L, "cd3")! };
        using (RecordBatch input = LoadedSnippet.ToBatch(row, rows))
        using (RecordBatch output = kernel(input))
        {
            Assert.Equal([7, 3], Enumerable.Range(0, 2).Select(i => (int)output.Columns[1].GetValue(i)!));
        }

        long faulted = DeviceSegment.ThreadFaultedBatches;
        rows[1] = Activator.CreateInstance(row, 5L, "x")!;
        using RecordBatch bad = LoadedSnippet.ToBatch(row, rows);
        var error = Assert.IsType<Dsl.Validation.StageRowException>(Record.Exception(() => kernel(bad)));
        Assert.Equal(("Go", 1), (error.Stage, error.Row));
        Assert.IsType<ArgumentOutOfRangeException>(error.InnerException);
        Assert.True(DeviceSegment.ThreadFaultedBatches > faulted);
    }

    [Theory]
    [InlineData("string Name, string Other", "r.Name == r.Other", "uses a value of type string")]
    [InlineData("DateTime Ts", "r.Ts.Hour > 2", "reads Ts, a Timestamp column")]
    [InlineData("string Name", "r.K.ToString() == r.Name", "uses a value of type string")]
    [InlineData("double X", "Math.Log(r.X) > 2", "uses a call to")]
    public void A_segment_the_GPU_cannot_compute_exactly_stays_on_SIMD_and_says_why(string member, string predicate, string reason)
    {
        string source = $$"""
            using System;
            using Dsl;
            namespace Gn;
            [Schema] public partial record In({{member}}, long K);
            [Pipeline("gn")]
            public static partial class P
            {
                [Filter] public static bool Keep(In r) => {{predicate}};
            }
            """;
        using LoadedSnippet snippet = LoadedSnippet.Compile(source, withGpu: true);
        DeviceSegmentPlan segment = snippet.Pipeline("Gn.P").Devices!.Segments[0];
        Assert.Contains(reason, segment.NotOnDevice);
        Assert.StartsWith("SIMD only: stage Keep", segment.Describe());
        Assert.DoesNotContain(snippet.Run.Output.SyntaxTrees, t => t.FilePath.EndsWith("Kernel_Keep.Gpu.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void A_multiply_feeding_an_add_is_marked_inexact_on_cuda_and_runs_on_the_emulator_only()
    {
        const string source = """
            using System;
            using Dsl;
            namespace Gm;
            [Schema] public partial record In(double A, double B, double C);
            [Schema] public partial record Mid(double P, double C);
            [Schema] public partial record Out(double V);
            [Pipeline("gm")]
            public static partial class P
            {
                [Map] public static Mid Multiply(In r) => new(r.A * r.B, r.C);
                [Map(From = nameof(Multiply))] public static Out Add(Mid m) => new(m.P + m.C);
            }
            """;
        using LoadedSnippet snippet = LoadedSnippet.Compile(source, withGpu: true);
        var devices = (DeviceKernels)snippet.Pipeline("Gm.P").Devices!;
        DeviceSegmentPlan segment = Assert.Single(devices.Segments);
        Assert.Null(segment.NotOnDevice);
        Assert.Contains("FMA", segment.InexactOnCuda);
        Assert.True(devices.Runs(GpuDevice.CpuEmulator, 0));
        Assert.False(devices.Runs(GpuDevice.Cuda, 0));
        DifferentialRunner.Verify(snippet, "Gm.P", "Gm.In", seeds: 1);
    }

    [Fact]
    public void A_floating_remainder_is_marked_inexact_on_cuda()
    {
        const string source = """
            using System;
            using Dsl;
            namespace Gr;
            [Schema] public partial record In(double A, double B);
            [Schema] public partial record Out(double R);
            [Pipeline("gr")]
            public static partial class P
            {
                [Map] public static Out Rem(In r) => new(r.A % r.B);
            }
            """;
        using LoadedSnippet snippet = LoadedSnippet.Compile(source, withGpu: true);
        DeviceSegmentPlan segment = Assert.Single(snippet.Pipeline("Gr.P").Devices!.Segments);
        Assert.Null(segment.NotOnDevice);
        Assert.Contains("floating %", segment.InexactOnCuda);
        // What the rule rests on: ILGPU's PTX for a floating % multiplies by a reciprocal (rcp) rather than dividing.
        string ptx = PtxCompiler.Compile(snippet.Type("Gr.P").GetMethod("Kernel_Rem_Device", BindingFlags.NonPublic | BindingFlags.Static)!);
        Assert.Matches(new Regex(@"rcp\.rn\.f64"), ptx);
        DifferentialRunner.Verify(snippet, "Gr.P", "Gr.In", seeds: 1);
    }

    [Fact]
    public void Every_GPU_kernel_compiles_for_cuda_and_ILGPU_leaves_multiply_and_add_free_to_fuse()
    {
        using LoadedSnippet snippet = LoadedSnippet.Compile(Numeric, withGpu: true);
        MethodInfo kernel = snippet.Type("Gp.P").GetMethod("Kernel_Keep_Go_Device", BindingFlags.NonPublic | BindingFlags.Static)!;
        string ptx = PtxCompiler.Compile(kernel);
        Assert.Contains(".entry", ptx);
        // The exact operations carry their rounding: division and square root round to nearest.
        Assert.Matches(new Regex(@"div\.rn\.f64"), ptx);
        Assert.Matches(new Regex(@"sqrt\.rn\.f64"), ptx);

        const string fused = """
            using System;
            using Dsl;
            namespace Gx;
            [Schema] public partial record In(double A, double B, double C);
            [Schema] public partial record Out(double V);
            [Pipeline("gx")]
            public static partial class P
            {
                [Map] public static Out Fma(In r) => new(r.A * r.B + r.C);
            }
            """;
        using LoadedSnippet fma = LoadedSnippet.Compile(fused, withGpu: true);
        string fmaPtx = PtxCompiler.Compile(fma.Type("Gx.P").GetMethod("Kernel_Fma_Device", BindingFlags.NonPublic | BindingFlags.Static)!);
        // What the InexactOnCuda rule rests on: a plain mul.f64 and add.f64 (no .rn), which ptxas may contract into an FMA.
        Assert.Matches(new Regex(@"mul\.f64\s"), fmaPtx);
        Assert.Matches(new Regex(@"add\.f64\s"), fmaPtx);
        Assert.DoesNotMatch(new Regex(@"mul\.rn\.f64"), fmaPtx);
    }
}

/// <summary>The GPU tests share the process's ILGPU context and its counters: they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class GpuCollection
{
    public const string Name = "gpu";
}

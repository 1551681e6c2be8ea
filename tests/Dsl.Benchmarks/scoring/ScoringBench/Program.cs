// The Dsl side of compare-scoring.sh: times one way of scoring WORK/rows.f64 (1M x 30 doubles) with the benchmark's
// models and prints one JSON line. Each variant runs the whole input once to warm up (tiered JIT), then once timed.
//   kernel-xgb, kernel-lgb: the score stage's segment kernel over 8,192-row column batches (what a run executes): the
//                           models' trees are complete trees walked 8 (XGBoost) or 4 (LightGBM) rows at a time with
//                           AVX2 gathers (Dsl.Kernels.CompleteTrees32/64)
//   direct-xgb, direct-lgb: the generated model class's one-row Predict over a row-major buffer (what a service calls)
//   flat-xgb, flat-lgb:     the trees as flat node arrays, walked node by node (branches), tree by tree over blocks of rows
//   onnx-xgb:               ONNX Runtime (Dsl.Onnx's OnnxScorer) on the XGBoost model as an ONNX tree ensemble
//                           (WORK/xgb.onnx), over 8,192-row row-major float buffers
//   ort-direct-xgb:         the same session calls made directly (tensors over the same buffers made once, outside
//                           the clock): what OnnxScorer adds over calling ONNX Runtime itself
//   runtime-xgb, runtime-lgb: the score stage's kernel with the model given at run time (ModelCatalog: the runtime's
//                           XGBoost and LightGBM loaders on the same files), over the same column batches as kernel-*
//   stage-onnx-xgb:         the score stage's kernel with WORK/xgb.onnx given at run time (Dsl.Onnx's loader): the
//                           gather from columns and the scorer call, against ort-direct-xgb
using System.Diagnostics;
using System.Runtime.InteropServices;
using Dsl;
using Dsl.Execution;
using Dsl.ScoringBench;

const int Features = 30;
const int BatchRows = 8192;
string work = args[0];
string variant = args[1];
int threads = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
string models = Path.Combine(AppContext.BaseDirectory, "models");

double[] x = MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(Path.Combine(work, "rows.f64"))).ToArray();
int rows = x.Length / Features;
bool xgb = variant.EndsWith("xgb", StringComparison.Ordinal);
var output = new double[rows];

Action run = variant switch
{
    "kernel-xgb" or "kernel-lgb" => Kernel(ScoringBench.Compiled, xgb ? "Xgb" : "Lgb"),
    "runtime-xgb" or "runtime-lgb" => Kernel(RunTime(), xgb ? "Xgb" : "Lgb"),
    "stage-onnx-xgb" => Kernel(RunTime(), "Onnx"),
    "direct-xgb" => DirectXgb(),
    "direct-lgb" => DirectLgb(),
    "flat-xgb" => Flat(FlatTrees.FromXGBoost(File.ReadAllText(Path.Combine(models, "xgb.json")))),
    "flat-lgb" => Flat(FlatTrees.FromLightGbm(File.ReadAllText(Path.Combine(models, "lgb.txt")))),
    "onnx-xgb" => Onnx(new Dsl.Onnx.OnnxScorer(Path.Combine(work, "xgb.onnx"))),
    "ort-direct-xgb" => OrtDirect(Path.Combine(work, "xgb.onnx")),
    _ => throw new ArgumentException("unknown variant " + variant),
};
run();
var clock = Stopwatch.StartNew();
run();
double seconds = clock.Elapsed.TotalSeconds;

// The libraries' predictions of the same rows (libraries.py time writes them): equal bit for bit, or say how many differ.
string reference = Path.Combine(work, xgb ? "xgb.f32" : "lgb.f64");
int differ = -1;
if (File.Exists(reference))
{
    byte[] bytes = File.ReadAllBytes(reference);
    double[] expected = xgb ? MemoryMarshal.Cast<byte, float>(bytes).ToArray().Select(v => (double)v).ToArray() : MemoryMarshal.Cast<byte, double>(bytes).ToArray();
    differ = Enumerable.Range(0, rows).Count(i => BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(output[i]));
}
Console.WriteLine($"{{\"library\": \"dsl-{variant}\", \"threads\": {threads}, \"rows\": {rows}, \"seconds\": {seconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, \"differFromLibrary\": {differ}}}");

// The input as the pipeline reads it: batches of double columns, built once, outside the timing.
Action Kernel(CompiledPipeline compiled, string stage)
{
    SegmentKernel kernel = compiled.Kernels[compiled.Plan.Segments.Single(s => s.Stages.SequenceEqual([stage])).Index];
    var batches = new List<RecordBatch>();
    for (int start = 0; start < rows; start += BatchRows)
    {
        int n = Math.Min(BatchRows, rows - start);
        var list = new List<Row>(n);
        for (int r = start; r < start + n; r++)
        {
            double[] f = x.AsSpan(r * Features, Features).ToArray();
            list.Add(new Row(r, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13], f[14], f[15], f[16], f[17], f[18], f[19], f[20], f[21], f[22], f[23], f[24], f[25], f[26], f[27], f[28], f[29]));
        }
        batches.Add(Row.ToBatch(list));
    }
    return () => Parallel.For(0, batches.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, b =>
    {
        using RecordBatch scored = kernel(batches[b]);
        int first = b * BatchRows;
        if (xgb)
        {
            ReadOnlySpan<float> p = scored.GetPrimitive<float>("P", ColumnType.Float).Values;
            for (int i = 0; i < p.Length; i++)
            {
                output[first + i] = p[i];
            }
        }
        else
        {
            scored.GetPrimitive<double>("P", ColumnType.Double).Values.CopyTo(output.AsSpan(first));
        }
    });
}

Action DirectXgb()
{
    float[] features = x.Select(v => (float)v).ToArray();
    return () => Split((start, end) =>
    {
        for (int r = start; r < end; r++)
        {
            output[r] = ScoringBench.XgbModel.Predict(features.AsSpan(r * Features, Features));
        }
    });
}

Action DirectLgb() => () => Split((start, end) =>
{
    for (int r = start; r < end; r++)
    {
        output[r] = ScoringBench.LgbModel.Predict(x.AsSpan(r * Features, Features));
    }
});

// The rows in one contiguous range per thread.
void Split(Action<int, int> range) => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
    range((int)((long)rows * t / threads), (int)((long)rows * (t + 1) / threads)));

// The rows in 8,192-row float buffers, as a pipeline would hand them over, scored in parallel.
Action Onnx(Dsl.Onnx.OnnxScorer scorer)
{
    var chunks = new List<float[]>();
    for (int start = 0; start < rows; start += BatchRows)
    {
        int n = Math.Min(BatchRows, rows - start);
        chunks.Add(x.AsSpan(start * Features, n * Features).ToArray().Select(v => (float)v).ToArray());
    }
    return () => Parallel.For(0, chunks.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
    {
        int n = chunks[c].Length / Features;
        var p = new float[n];
        scorer.Score(chunks[c], n, p);
        for (int i = 0; i < n; i++)
        {
            output[c * BatchRows + i] = p[i];
        }
    });
}

// ONNX Runtime called directly: one session set up as OnnxScorer sets it up, the input and output tensors of every
// buffer created before the clock starts, only Run timed.
Action OrtDirect(string path)
{
    var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = Microsoft.ML.OnnxRuntime.ExecutionMode.ORT_SEQUENTIAL };
    options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
    var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path, options);
    var inputs = new List<Microsoft.ML.OnnxRuntime.OrtValue>();
    var outputs = new List<(Microsoft.ML.OnnxRuntime.OrtValue Value, float[] Values)>();
    for (int start = 0; start < rows; start += BatchRows)
    {
        int n = Math.Min(BatchRows, rows - start);
        float[] chunk = x.AsSpan(start * Features, n * Features).ToArray().Select(v => (float)v).ToArray();
        inputs.Add(Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(chunk, [n, Features]));
        var p = new float[n];
        outputs.Add((Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(p, [n, 1]), p));
    }
    var run = new Microsoft.ML.OnnxRuntime.RunOptions();
    return () => Parallel.For(0, inputs.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
    {
        session.Run(run, ["x"], [inputs[c]], ["p"], [outputs[c].Value]);
        float[] p = outputs[c].Values;
        for (int i = 0; i < p.Length; i++)
        {
            output[c * BatchRows + i] = p[i];
        }
    });
}

// The run-time pipeline bound to the three files, as `run --model xgb=... --model lgb=... --model onnx=...` binds it.
CompiledPipeline RunTime()
{
    var files = new Dictionary<string, string>
    {
        ["xgb"] = Path.Combine(models, "xgb.json"),
        ["lgb"] = Path.Combine(models, "lgb.txt"),
        ["onnx"] = Path.Combine(work, "xgb.onnx"),
    };
    return RunTimeScoringBench.Compiled.WithParameters(Dsl.Models.ModelCatalog.Load(RunTimeScoringBench.Compiled, files, new StageParameterValues()));
}

Action Flat(FlatTrees trees) => () => Split((start, end) => trees.Predict(x, Features, start, end, output));

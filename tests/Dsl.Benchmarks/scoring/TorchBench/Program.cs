// Times TorchScorer.Score against TorchSharp called directly on the same buffers, over BATCHES batches of ROWS rows
// (65,536) of 30 features, and prints one JSON line per variant and round. Each variant scores every batch once to warm
// up (tiered JIT, libtorch's profiling executor), then ROUNDS times interleaved with the other, timed.
//   dsl:    Dsl.Torch's TorchScorer.Score(features, rows, outputs) per batch
//   direct: the module's forward on tensors made once over the same buffers, outside the clock, and the output copied
//           into the same outputs buffer (copy_): the least a caller of TorchSharp does
//   TorchBench MODEL.pt BATCHES ROUNDS [ROWS] [plain-mkl]
// plain-mkl: only the direct variant, without the scorer and so without its MKL_CBWR=AUTO (MKL's default paths).
using System.Diagnostics;
using Dsl.Torch;
using TorchSharp;
using static TorchSharp.torch;

const int Features = 30;
string model = args[0];
int batches = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
int rounds = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
int batchRows = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 65_536;
bool plainMkl = args.Length > 4 && args[4] == "plain-mkl";

var random = new Random(5);
float[][] x = Enumerable.Range(0, batches).Select(_ => Enumerable.Range(0, batchRows * Features).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray()).ToArray();
float[][] dslOut = Enumerable.Range(0, batches).Select(_ => new float[batchRows]).ToArray();
float[][] directOut = Enumerable.Range(0, batches).Select(_ => new float[batchRows]).ToArray();

// The scorer first: it sets the process's torch threads (1) and MKL_CBWR before libtorch starts, for both variants.
using TorchScorer? scorer = plainMkl ? null : new TorchScorer(model, Features, 1);
if (plainMkl)
{
    set_num_threads(1);
}
using jit.ScriptModule module = jit.load(model);
module.eval();
Tensor[] inputs = x.Select(b => from_array(b).view(batchRows, Features)).ToArray();
Tensor[] outputs = directOut.Select(b => from_array(b).view(batchRows, 1)).ToArray();

void Dsl()
{
    for (int b = 0; b < batches; b++)
    {
        scorer!.Score(x[b], batchRows, dslOut[b]);
    }
}

void Direct()
{
    using IDisposable noGrad = no_grad();
    for (int b = 0; b < batches; b++)
    {
        using var y = (Tensor)module.forward(inputs[b]);
        outputs[b].copy_(y);
    }
}

(string Name, Action Run)[] variants = plainMkl ? [("direct-plain-mkl", Direct)] : [("dsl", Dsl), ("direct", Direct)];
foreach ((_, Action run) in variants)
{
    run();
}
for (int round = 0; round < rounds; round++)
{
    foreach ((string name, Action run) in variants)
    {
        var clock = Stopwatch.StartNew();
        run();
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{{\"variant\": \"{name}\", \"round\": {round}, \"rows\": {(long)batches * batchRows}, \"seconds\": {seconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, \"rowsPerSecond\": {((long)batches * batchRows / seconds).ToString("F0", System.Globalization.CultureInfo.InvariantCulture)}}}");
    }
}
// Both variants scored the same rows with the same module: the same bits.
int differ = plainMkl ? -1 : Enumerable.Range(0, batches).Sum(b => Enumerable.Range(0, batchRows).Count(r => dslOut[b][r] != directOut[b][r]));
Console.WriteLine($"{{\"differ\": {differ}, \"torchThreads\": {get_num_threads()}}}");

using System.Globalization;
using Dsl.Torch;
using Dsl.Training;
using TorchSharp;
using static TorchSharp.torch;

// Trains a small MLP (6 → 32 → 1) to predict Label from the pipeline's features, reading them with Dsl's training
// feed: shuffled by row groups and within a window by a seeded generator, prefetched on background threads, handed
// to TorchSharp without a copy. The same seed gives the same batches and, with one libtorch thread, the same losses
// bit for bit. Run the pipeline first (`dotnet run -- run`), then, from the pipeline's folder:
//   dotnet run --project Dsl.Pipeline1.Trainer -- [--data out/fraud-features] [--epochs 5] [--seed 42] [--batch 512]
string data = Option("--data", "out/fraud-features");
int epochs = int.Parse(Option("--epochs", "5"), CultureInfo.InvariantCulture);
int seed = int.Parse(Option("--seed", "42"), CultureInfo.InvariantCulture);
int batchSize = int.Parse(Option("--batch", "512"), CultureInfo.InvariantCulture);

// Before any other TorchSharp call: reproducible matrix products, one thread.
TorchRuntime.Initialize(threads: 1);
torch.manual_seed(seed);

string[] features = ["LogAmount", "AmountZ", "Hour", "IsWeekend", "SessionMinutes", "IsHighValue"];
TrainingFeed feed = TrainingFeed.Open(data, new TrainingFeedOptions { Features = features, Label = "Label", BatchSize = batchSize, Seed = (ulong)seed });
Console.WriteLine($"{feed.Rows:N0} rows in {feed.RowGroups} row groups of {feed.Output.Folder}; {features.Length} features");

using var model = nn.Sequential(("hidden", nn.Linear(features.Length, 32)), ("relu", nn.ReLU()), ("out", nn.Linear(32, 1)));
using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
using var lossFunction = nn.BCEWithLogitsLoss();
for (int epoch = 0; epoch < epochs; epoch++)
{
    double total = 0;
    int steps = 0;
    using TensorEpoch batches = feed.AsTensors().Epoch(epoch);
    foreach (TensorBatch batch in batches)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        Tensor loss = lossFunction.forward(model.forward(batch.Features).squeeze(1), batch.Labels!);
        loss.backward();
        optimizer.step();
        total += loss.item<float>();
        steps++;
    }
    // "R": the loss's exact value, so two runs can be compared as text.
    FeedStatistics statistics = batches.Epoch.Statistics;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"epoch {epoch}: loss {total / steps:R} over {steps} steps; waited {statistics.FirstBatchWait.TotalMilliseconds:F1} ms for the first batch, {statistics.WaitTime.TotalMilliseconds:F1} ms after"));
}
return 0;

string Option(string name, string fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

// The training feed's speed, on a committed output of the sample pipeline (compare-feed.sh makes it). Prints one JSON
// line per variant and round; compare-feed.sh summarises them.
//   FeedBench prepare OUTPUT WORK
//     Reads every row of OUTPUT once (the feed in the manifest's order) and writes the same float32 rows as ML.NET
//     binary IDV files (WORK/vector.idv: a Features vector of 6 and a Label; WORK/columns.idv: 7 float columns) and as
//     CSV (WORK/rows.csv, floats printed "R" so they parse back to the same bits).
//   FeedBench read OUTPUT WORK BATCH ROUNDS VARIANT...
//     Each round reads all rows once with every variant, in turn, into row-major float32 batches of BATCH rows; the
//     consumer touches one value per batch. The first round is a warm-up whose consumer checksums every value instead
//     (printed as "check": the same rows give the same checksum in any order).
//   FeedBench train OUTPUT BATCH ROUNDS
//     A TorchSharp MLP (6 → 64 → 64 → 1, ReLU, Adam, BCEWithLogits, one torch thread) trained for one epoch per round
//     from the feed (shuffled, one decode thread), then for the same steps over the same rows held in memory.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Dsl.MLNet;
using Dsl.Torch;
using Dsl.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string[] features = ["LogAmount", "AmountZ", "Hour", "IsWeekend", "SessionMinutes", "IsHighValue"];
const string LabelColumn = "Label";
const int F = 6;

switch (args[0])
{
    case "prepare":
        Prepare(args[1], args[2]);
        return 0;
    case "read":
        Read(args[1], args[2], Int(args[3]), Int(args[4]), args[5..]);
        return 0;
    case "train":
        Train(args[1], Int(args[2]), Int(args[3]));
        return 0;
    default:
        Console.Error.WriteLine($"unknown mode {args[0]}");
        return 2;
}

static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

TrainingFeed OpenFeed(string output, int batch, int decodeThreads, bool shuffle, ulong seed = 42) =>
    TrainingFeed.Open(output, new TrainingFeedOptions
    {
        Features = features,
        Label = LabelColumn,
        BatchSize = batch,
        Seed = seed,
        Shuffle = shuffle,
        DecodeThreads = decodeThreads,
        // Every row exactly once, so that every reader delivers the same rows.
        Remainder = FeedRemainder.Partial,
    });

void Prepare(string output, string work)
{
    TrainingFeed feed = OpenFeed(output, 65_536, 1, shuffle: false);
    IEnumerable<FeedBatch> Batches()
    {
        using FeedEpoch epoch = feed.Epoch(0);
        foreach (FeedBatch b in epoch)
        {
            yield return b;
        }
    }
    IEnumerable<VectorRow> VectorRows()
    {
        foreach (FeedBatch b in Batches())
        {
            for (int r = 0; r < b.Rows; r++)
            {
                yield return new VectorRow { Features = b.Features.Slice(r * F, F).ToArray(), Label = b.Labels[r] };
            }
        }
    }
    IEnumerable<ColumnRow> ColumnRows()
    {
        foreach (FeedBatch b in Batches())
        {
            for (int r = 0; r < b.Rows; r++)
            {
                ReadOnlySpan<float> x = b.Features.Slice(r * F, F);
                yield return new ColumnRow { LogAmount = x[0], AmountZ = x[1], Hour = x[2], IsWeekend = x[3], SessionMinutes = x[4], IsHighValue = x[5], Label = b.Labels[r] };
            }
        }
    }
    var ml = new MLContext(seed: 1);
    using (FileStream s = File.Create(Path.Combine(work, "vector.idv")))
    {
        ml.Data.SaveAsBinary(ml.Data.LoadFromEnumerable(VectorRows()), s);
    }
    using (FileStream s = File.Create(Path.Combine(work, "columns.idv")))
    {
        ml.Data.SaveAsBinary(ml.Data.LoadFromEnumerable(ColumnRows()), s);
    }
    using (var csv = new StreamWriter(Path.Combine(work, "rows.csv"), false, new UTF8Encoding(false), 1 << 20))
    {
        csv.Write(string.Join(',', features.Append(LabelColumn)));
        csv.Write('\n');
        foreach (FeedBatch b in Batches())
        {
            for (int r = 0; r < b.Rows; r++)
            {
                for (int c = 0; c < F; c++)
                {
                    csv.Write(b.Features[r * F + c].ToString("R", CultureInfo.InvariantCulture));
                    csv.Write(',');
                }
                csv.Write(b.Labels[r].ToString("R", CultureInfo.InvariantCulture));
                csv.Write('\n');
            }
        }
    }
    Console.WriteLine($"{{\"rows\": {feed.Rows}, \"rowGroups\": {feed.RowGroups}, \"parts\": {feed.Output.Parts.Count}, " +
        $"\"parquetBytes\": {feed.Output.Parts.Sum(p => new FileInfo(p.Path).Length)}, \"idvBytes\": {new FileInfo(Path.Combine(work, "vector.idv")).Length}, " +
        $"\"csvBytes\": {new FileInfo(Path.Combine(work, "rows.csv")).Length}}}");
}

void Read(string output, string work, int batch, int rounds, string[] variants)
{
    bool torchStarted = false;
    string[] parts = [.. TrainingFeed.Open(output, features, LabelColumn, batch, 0).Output.Parts.Select(p => p.Path)];
    for (int round = -1; round < rounds; round++)
    {
        foreach (string variant in variants)
        {
            var sink = new Sink(batch, full: round < 0);
            string extra = "";
            if (variant.StartsWith("dsl-tensors-", StringComparison.Ordinal) && !torchStarted)
            {
                TorchRuntime.Initialize(threads: 1);
                torchStarted = true;
            }
            // The clock covers opening the source too: each reader's metadata and plan.
            var clock = Stopwatch.StartNew();
            switch (variant)
            {
                case "dsl-1" or "dsl-2" or "dsl-ordered-1" or "dsl-ordered-2":
                {
                    bool shuffle = !variant.Contains("ordered", StringComparison.Ordinal);
                    TrainingFeed feed = OpenFeed(output, batch, variant[^1] - '0', shuffle);
                    using FeedEpoch epoch = feed.Epoch(Math.Max(round, 0));
                    foreach (FeedBatch b in epoch)
                    {
                        sink.Take(b.FeatureArray, b.LabelArray, b.Rows);
                    }
                    extra = Stats(epoch.Statistics);
                    break;
                }
                case "dsl-tensors-1" or "dsl-tensors-2":
                {
                    TrainingFeed feed = OpenFeed(output, batch, variant[^1] - '0', shuffle: true);
                    using TensorEpoch epoch = feed.AsTensors().Epoch(Math.Max(round, 0));
                    foreach (TensorBatch b in epoch)
                    {
                        if (sink.Full)
                        {
                            sink.Take(b.Batch.FeatureArray, b.Batch.LabelArray, b.Batch.Rows);
                        }
                        else
                        {
                            // The tensor a trainer gets, read back through libtorch.
                            using Tensor first = b.Features[0, 0];
                            sink.Touch(first.item<float>(), b.Batch.Rows);
                        }
                    }
                    extra = Stats(epoch.Epoch.Statistics);
                    break;
                }
                case "mlnet-binary-1" or "mlnet-binary-2":
                    extra = MlNetVector(new MLContext(seed: 1).Data.LoadFromBinary(Path.Combine(work, "vector.idv")), variant[^1] - '0', sink);
                    break;
                case "mlnet-binary-columns-1":
                    MlNetColumns(new MLContext(seed: 1).Data.LoadFromBinary(Path.Combine(work, "columns.idv")), sink);
                    break;
                case "mlnet-text-1" or "mlnet-text-2":
                {
                    IDataView view = new MLContext(seed: 1).Data.LoadFromTextFile(Path.Combine(work, "rows.csv"),
                        [new TextLoader.Column("Features", DataKind.Single, 0, F - 1), new TextLoader.Column(LabelColumn, DataKind.Single, F)],
                        separatorChar: ',', hasHeader: true);
                    extra = MlNetVector(view, variant[^1] - '0', sink);
                    break;
                }
                case "mlnet-dslview-1" or "mlnet-dslview-2":
                    extra = MlNetDslView(DslDataView.FromParquet(output, columns: [.. features, LabelColumn]), variant[^1] - '0', sink);
                    break;
                case "duckdb-1" or "duckdb-2" or "duckdb-streaming-1" or "duckdb-streaming-2":
                    DuckDb(parts, variant[^1] - '0', variant.Contains("streaming", StringComparison.Ordinal), sink);
                    break;
                default:
                    throw new ArgumentException($"unknown variant {variant}");
            }
            double seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"{{\"variant\": \"{variant}\", \"round\": {round}, \"batch\": {batch}, \"rows\": {sink.Rows}, \"seconds\": {seconds:R}, " +
                $"\"rowsPerSecond\": {sink.Rows / seconds:F0}, \"{(sink.Full ? "check" : "touched")}\": \"{sink.Sum:x16}\"{extra}}}");
        }
    }
}

static string Stats(FeedStatistics s) =>
    $", \"waitMs\": {s.WaitTime.TotalMilliseconds:F1}, \"firstWaitMs\": {s.FirstBatchWait.TotalMilliseconds:F1}, \"decodeMs\": {s.DecodeTime.TotalMilliseconds:F1}, \"assembleMs\": {s.AssembleTime.TotalMilliseconds:F1}";

// ML.NET's own way to read in parallel is a cursor set: each cursor on its own thread, each filling its own batches
// row by row with what `rowReader` makes for it (it copies the cursor's current row into row r of the batch arrays).
static string ReadCursors(IDataView view, DataViewSchema.Column[] columns, int threads, Sink sink, Func<DataViewRowCursor, Action<float[], float[], int>> rowReader)
{
    DataViewRowCursor[] cursors = threads == 1 ? [view.GetRowCursor(columns)] : view.GetRowCursorSet(columns, threads);
    Sink[] sinks = [.. cursors.Select(_ => sink.Twin())];
    Parallel.For(0, cursors.Length, new ParallelOptions { MaxDegreeOfParallelism = cursors.Length }, c =>
    {
        using DataViewRowCursor cursor = cursors[c];
        Sink mine = sinks[c];
        Action<float[], float[], int> readRow = rowReader(cursor);
        float[] batchFeatures = new float[mine.BatchSize * F], batchLabels = new float[mine.BatchSize];
        int r = 0;
        while (cursor.MoveNext())
        {
            readRow(batchFeatures, batchLabels, r);
            if (++r == mine.BatchSize)
            {
                mine.Take(batchFeatures, batchLabels, r);
                r = 0;
            }
        }
        if (r > 0)
        {
            mine.Take(batchFeatures, batchLabels, r);
        }
    });
    foreach (Sink s in sinks)
    {
        sink.Add(s);
    }
    return $", \"cursors\": {cursors.Length}";
}

// A Features vector and a float label (the binary file's vector layout, and TextLoader's columns).
static string MlNetVector(IDataView view, int threads, Sink sink)
{
    DataViewSchema.Column featureColumn = view.Schema["Features"], labelColumn = view.Schema[LabelColumn];
    return ReadCursors(view, [featureColumn, labelColumn], threads, sink, cursor =>
    {
        ValueGetter<VBuffer<float>> getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
        ValueGetter<float> getLabel = cursor.GetGetter<float>(labelColumn);
        VBuffer<float> x = default;
        return (features, labels, r) =>
        {
            getFeatures(ref x);
            // Both files hold dense vectors of 6: the values are the row's features.
            x.GetValues().CopyTo(features.AsSpan(r * F, F));
            getLabel(ref labels[r]);
        };
    });
}

// Dsl.MLNet's view over the Parquet output itself: the columns in their own types (double, int, bool), as ML.NET sees
// them, each converted to float32 into the batch.
static string MlNetDslView(IDataView view, int threads, Sink sink)
{
    DataViewSchema.Column[] columns = [.. view.Schema];
    return ReadCursors(view, columns, threads, sink, cursor =>
    {
        Func<float>[] read = [.. columns.Select(column => AsFloat(cursor, column))];
        return (features, labels, r) =>
        {
            for (int f = 0; f < F; f++)
            {
                features[r * F + f] = read[f]();
            }
            labels[r] = read[F]();
        };
    });
}

static Func<float> AsFloat(DataViewRowCursor cursor, DataViewSchema.Column column)
{
    if (column.Type == NumberDataViewType.Double)
    {
        ValueGetter<double> get = cursor.GetGetter<double>(column);
        return () => { double v = 0; get(ref v); return (float)v; };
    }
    if (column.Type == NumberDataViewType.Int32)
    {
        ValueGetter<int> get = cursor.GetGetter<int>(column);
        return () => { int v = 0; get(ref v); return v; };
    }
    if (column.Type == BooleanDataViewType.Instance)
    {
        ValueGetter<bool> get = cursor.GetGetter<bool>(column);
        return () => { bool v = false; get(ref v); return v ? 1f : 0f; };
    }
    throw new NotSupportedException($"column {column.Name}: {column.Type}");
}

static void MlNetColumns(IDataView view, Sink sink)
{
    DataViewSchema.Column[] columns = [.. view.Schema];
    using DataViewRowCursor cursor = view.GetRowCursor(columns);
    ValueGetter<float>[] getters = [.. columns.Select(c => cursor.GetGetter<float>(c))];
    float[] batchFeatures = new float[sink.BatchSize * F], batchLabels = new float[sink.BatchSize];
    int r = 0;
    while (cursor.MoveNext())
    {
        for (int c = 0; c < F; c++)
        {
            getters[c](ref batchFeatures[r * F + c]);
        }
        getters[F](ref batchLabels[r]);
        if (++r == sink.BatchSize)
        {
            sink.Take(batchFeatures, batchLabels, r);
            r = 0;
        }
    }
    if (r > 0)
    {
        sink.Take(batchFeatures, batchLabels, r);
    }
}

void DuckDb(string[] parts, int threads, bool streaming, Sink sink)
{
    using var connection = new DuckDBConnection("DataSource=:memory:");
    connection.Open();
    using (DuckDBCommand set = connection.CreateCommand())
    {
        set.CommandText = $"SET threads = {threads}";
        set.ExecuteNonQuery();
    }
    using DuckDBCommand command = connection.CreateCommand();
    // DuckDB converts to FLOAT itself, vectorised, as the feed converts doubles, ints and bools to float32.
    command.CommandText = $"SELECT {string.Join(", ", features.Append(LabelColumn).Select(c => $"CAST({c} AS FLOAT)"))} FROM read_parquet([{string.Join(", ", parts.Select(p => $"'{p}'"))}])";
    command.UseStreamingMode = streaming;
    using DuckDBDataReader reader = command.ExecuteReader();
    float[] batchFeatures = new float[sink.BatchSize * F], batchLabels = new float[sink.BatchSize];
    int r = 0;
    while (reader.Read())
    {
        int at = r * F;
        for (int c = 0; c < F; c++)
        {
            batchFeatures[at + c] = reader.GetFloat(c);
        }
        batchLabels[r] = reader.GetFloat(F);
        if (++r == sink.BatchSize)
        {
            sink.Take(batchFeatures, batchLabels, r);
            r = 0;
        }
    }
    if (r > 0)
    {
        sink.Take(batchFeatures, batchLabels, r);
    }
}

void Train(string output, int batch, int rounds)
{
    TorchRuntime.Initialize(threads: 1);
    manual_seed(42);
    // The same rows in memory, for the step's own speed: the feed's epoch 0, copied once before any clock.
    TrainingFeed ordered = OpenFeed(output, batch, 1, shuffle: false);
    long n = ordered.Rows;
    float[] allFeatures = new float[n * F], allLabels = new float[n];
    long at = 0;
    using (FeedEpoch epoch = ordered.Epoch(0))
    {
        foreach (FeedBatch b in epoch)
        {
            b.Features.CopyTo(allFeatures.AsSpan((int)(at * F)));
            b.Labels.CopyTo(allLabels.AsSpan((int)at));
            at += b.Rows;
        }
    }
    using Tensor memoryFeatures = from_array(allFeatures).view(n, F);
    using Tensor memoryLabels = from_array(allLabels);

    using var model = nn.Sequential(("h1", nn.Linear(F, 64)), ("r1", nn.ReLU()), ("h2", nn.Linear(64, 64)), ("r2", nn.ReLU()), ("out", nn.Linear(64, 1)));
    using var optimizer = optim.Adam(model.parameters(), lr: 0.001);
    using var loss = nn.BCEWithLogitsLoss();
    double Step(Tensor x, Tensor y)
    {
        using DisposeScope scope = NewDisposeScope();
        optimizer.zero_grad();
        Tensor l = loss.forward(model.forward(x).squeeze(1), y);
        l.backward();
        optimizer.step();
        return l.item<float>();
    }
    TrainingFeed feed = OpenFeed(output, batch, 1, shuffle: true);
    for (int round = -1; round < rounds; round++)
    {
        // From the feed: what a trainer does.
        var clock = Stopwatch.StartNew();
        double total = 0;
        int steps = 0;
        long rows = 0;
        FeedStatistics statistics;
        using (TensorEpoch epoch = feed.AsTensors().Epoch(round + 1))
        {
            foreach (TensorBatch b in epoch)
            {
                total += Step(b.Features, b.Labels!);
                steps++;
                rows += b.Batch.Rows;
            }
            statistics = epoch.Epoch.Statistics;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{{\"variant\": \"mlp-feed\", \"round\": {round}, \"batch\": {batch}, \"rows\": {rows}, \"steps\": {steps}, \"seconds\": {seconds:R}, " +
            $"\"rowsPerSecond\": {rows / seconds:F0}, \"stepsPerSecond\": {steps / seconds:F1}, \"loss\": {total / steps:R}{Stats(statistics)}}}");

        // The same steps over the same rows already in memory (in the manifest's order; the order does not change the work).
        clock.Restart();
        total = 0;
        steps = 0;
        rows = 0;
        for (long start = 0; start < n; start += batch)
        {
            long take = Math.Min(batch, n - start);
            using Tensor x = memoryFeatures.narrow(0, start, take);
            using Tensor y = memoryLabels.narrow(0, start, take);
            total += Step(x, y);
            steps++;
            rows += take;
        }
        seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{{\"variant\": \"mlp-memory\", \"round\": {round}, \"batch\": {batch}, \"rows\": {rows}, \"steps\": {steps}, \"seconds\": {seconds:R}, " +
            $"\"rowsPerSecond\": {rows / seconds:F0}, \"stepsPerSecond\": {steps / seconds:F1}, \"loss\": {total / steps:R}}}");
    }
}

/// <summary>An ML.NET row with the features as one vector column, as its trainers take them.</summary>
internal sealed class VectorRow
{
    [VectorType(6)]
    public float[] Features { get; set; } = [];

    public float Label { get; set; }
}

/// <summary>An ML.NET row with one float column per feature.</summary>
internal sealed class ColumnRow
{
    public float LogAmount { get; set; }

    public float AmountZ { get; set; }

    public float Hour { get; set; }

    public float IsWeekend { get; set; }

    public float SessionMinutes { get; set; }

    public float IsHighValue { get; set; }

    public float Label { get; set; }
}

/// <summary>
/// The consumer of every reader: touches one value per batch (the timed rounds), or sums the bits of every value (the
/// warm-up round), a checksum that does not depend on the order of the rows.
/// </summary>
internal sealed class Sink(int batchSize, bool full)
{
    public int BatchSize { get; } = batchSize;

    public bool Full { get; } = full;

    public long Rows { get; private set; }

    public ulong Sum { get; private set; }

    public Sink Twin() => new(BatchSize, Full);

    public void Add(Sink other)
    {
        Rows += other.Rows;
        Sum += other.Sum;
    }

    public void Touch(float value, int rows)
    {
        Sum += BitConverter.SingleToUInt32Bits(value);
        Rows += rows;
    }

    public void Take(float[] features, float[] labels, int rows)
    {
        if (!Full)
        {
            Touch(features[0], rows);
            return;
        }
        ulong sum = 0;
        foreach (float f in features.AsSpan(0, rows * 6))
        {
            sum += BitConverter.SingleToUInt32Bits(f);
        }
        foreach (float l in labels.AsSpan(0, rows))
        {
            sum += BitConverter.SingleToUInt32Bits(l) * 31UL;
        }
        Sum += sum;
        Rows += rows;
    }
}

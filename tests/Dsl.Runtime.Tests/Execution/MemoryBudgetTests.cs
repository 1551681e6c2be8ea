using Dsl.Execution;
using Dsl.Parquet;
using static Dsl.Runtime.Tests.Execution.TestPipelines;

namespace Dsl.Runtime.Tests.Execution;

/// <summary>The memory budget's admission control and the batches that keep a large row group's memory small.</summary>
public sealed class MemoryBudgetTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dsl-budget-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Acquire_WaitsWhileTheBudgetIsUsed_AndProceedsWhenReleased()
    {
        var budget = new MemoryBudget(10 << 20);
        MemoryBudget.Lease first = budget.Acquire(8 << 20, CancellationToken.None);
        var second = Task.Run(() => budget.Acquire(4 << 20, CancellationToken.None));

        Assert.NotSame(second, await Task.WhenAny(second, Task.Delay(200)));
        first.Dispose();
        Assert.Same(second, await Task.WhenAny(second, Task.Delay(5_000)));
        (await second).Dispose();
        Assert.Equal(8 << 20, budget.PeakInUse);
        Assert.Equal(1, budget.Waits);
    }

    [Fact]
    public void Acquire_MoreThanTheWholeBudget_IsAdmittedAloneAsTheWholeBudget()
    {
        var budget = new MemoryBudget(4 << 20);

        using MemoryBudget.Lease big = budget.Acquire(100 << 20, CancellationToken.None);

        Assert.Equal(4 << 20, big.Bytes);
        using var cancel = new CancellationTokenSource(100);
        Assert.Throws<OperationCanceledException>(() => budget.Acquire(1, cancel.Token));
    }

    [Fact]
    public void Run_BudgetBelowTwoRowGroups_TasksRunOneAtATime()
    {
        string input = Path.Combine(_root, "in");
        for (int f = 0; f < 4; f++)
        {
            WriteFile(Path.Combine(input, $"f{f}.parquet"), 1, 200_000, f * 200_000L);
        }
        int running = 0;
        int most = 0;
        SegmentKernel doubling = Doubling();
        SegmentKernel kernel = (batch, _) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            Thread.Sleep(20);
            Interlocked.Decrement(ref running);
            return doubling(batch);
        };
        // A streamed 200,000-row row group of one long column is estimated above 1 MB: a 2 MB budget admits one at a time.
        var options = new ExecutionOptions { MaxParallelism = 2, MemoryBudget = 2 << 20 };

        JobResult result = new LocalExecutor(options).Run(Pipeline(kernel), input, Path.Combine(_root, "out"));

        Assert.Equal(1, most);
        Assert.Equal(800_000, result.Sinks[0].Rows);
        Assert.InRange(result.MemoryBudgetPeak, 1, 2 << 20); // one row group's estimate at a time, never two
        Assert.True(result.PeakRssBytes > 0);
    }

    [Fact]
    public void Run_LargeRowGroup_KernelSeesSlicesAndTheOutputIsUnchanged()
    {
        string input = Path.Combine(_root, "in");
        WriteFile(Path.Combine(input, "a.parquet"), 1, 150_000, 0);
        var sizes = new System.Collections.Concurrent.ConcurrentBag<int>();
        SegmentKernel doubling = Doubling();

        new LocalExecutor().Run(Pipeline((batch, _) => { sizes.Add(batch.RowCount); return doubling(batch); }), input, Path.Combine(_root, "out"));

        // 150,000 rows: 18 full slices and the rest.
        int full = 150_000 / PartitionTask.SliceRows;
        Assert.Equal([150_000 - (full * PartitionTask.SliceRows), .. Enumerable.Repeat(PartitionTask.SliceRows, full)], sizes.Order());
        Assert.Equal(Enumerable.Range(0, 150_000).Select(i => 2L * i), ReadLongs(Path.Combine(_root, "out")));
    }

    [Fact]
    public void Run_KernelFailsInALaterSlice_ErrorNamesTheRows()
    {
        string input = Path.Combine(_root, "in");
        WriteFile(Path.Combine(input, "a.parquet"), 1, 100_000, 0);

        var error = Assert.Throws<PipelineExecutionException>(() => new LocalExecutor().Run(Pipeline(Map(x => x == 70_000 ? throw new OverflowException("overflow") : x)), input, Path.Combine(_root, "out")));

        // Row 70,000 is in the slice that starts at 8,192 x 8 = 65,536.
        int first = 70_000 / PartitionTask.SliceRows * PartitionTask.SliceRows;
        Assert.Contains($"row group 0, rows {first}-{first + PartitionTask.SliceRows - 1}", error.Message);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

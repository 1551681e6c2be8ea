using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Dsl.Execution;

/// <summary>When a straggling partition gets a speculative twin.</summary>
public sealed record SpeculationOptions
{
    /// <summary>Whether stragglers get twins at all (default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>A running attempt is a straggler once it has run this many times the median time of finished partitions (default 3).</summary>
    public double Multiplier { get; init; } = 3;

    /// <summary>...and at least this long (default 10 s), so short jobs never duplicate work.</summary>
    public TimeSpan Minimum { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>...and only once at least this fraction of partitions has finished (default 0.5), so the median means something.</summary>
    public double FinishedFraction { get; init; } = 0.5;
}

/// <summary>
/// Runs one attempt function per work item on a fixed number of threads. When the queue is empty and a thread is
/// idle, a straggler (see <see cref="SpeculationOptions"/>) gets a second attempt; the first attempt to commit wins
/// and the other is cancelled. The first failure stops the job: running attempts are cancelled, queued ones never
/// start, and every thread is joined before this returns, so no attempt outlives the job.
/// </summary>
internal static class AttemptScheduler
{
    /// <summary>
    /// Runs <paramref name="attempt"/>(item, attemptNumber, token) for each item until one attempt per item returns a
    /// result; <paramref name="accepted"/> is called (under the scheduler's lock) for that first result only. Throws
    /// the first failure (with how many others failed), or <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> stopped the job.
    /// </summary>
    public static T[] Run<T>(int count, int parallelism, SpeculationOptions speculation, Func<int, int, CancellationToken, T> attempt, Action<int, T> accepted, CancellationToken cancellationToken)
        where T : class
    {
        var results = new T?[count];
        var started = new int[count];
        var pending = new Queue<int>(Enumerable.Range(0, count));
        var running = new List<Running>();
        var durations = new List<double>();
        var failures = new List<Exception>();
        int finished = 0;
        object gate = new();
        using var job = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using CancellationTokenRegistration wake = job.Token.Register(() => { lock (gate) { Monitor.PulseAll(gate); } });

        void Worker()
        {
            while (true)
            {
                Running current;
                lock (gate)
                {
                    int item;
                    while (true)
                    {
                        if (failures.Count > 0 || job.IsCancellationRequested || finished == count)
                        {
                            return;
                        }
                        if (pending.Count > 0)
                        {
                            item = pending.Dequeue();
                            break;
                        }
                        if (Straggler() is int straggler)
                        {
                            item = straggler;
                            break;
                        }
                        Monitor.Wait(gate, 100);
                    }
                    started[item]++;
                    current = new Running(item, started[item], Stopwatch.GetTimestamp(), CancellationTokenSource.CreateLinkedTokenSource(job.Token));
                    running.Add(current);
                }
                T? result = null;
                Exception? error = null;
                bool cancelled = false;
                try
                {
                    result = attempt(current.Item, current.Number, current.Cancel.Token);
                }
                catch (OperationCanceledException) when (current.Cancel.IsCancellationRequested)
                {
                    cancelled = true; // its twin won, or the job is stopping
                }
                catch (Exception e)
                {
                    error = e;
                }
                // One lock region per finished attempt, so two twins ending together see each other's outcome.
                lock (gate)
                {
                    running.Remove(current);
                    current.Cancel.Dispose();
                    int item = current.Item;
                    if (result is not null && results[item] is null)
                    {
                        results[item] = result;
                        finished++;
                        durations.Add(Stopwatch.GetElapsedTime(current.Started).TotalSeconds);
                        foreach (Running twin in running.Where(r => r.Item == item))
                        {
                            twin.Cancel.Cancel();
                        }
                        accepted(item, result);
                    }
                    else if (results[item] is null && !cancelled && !running.Any(r => r.Item == item))
                    {
                        // No result, and no twin left that could still produce one: the job fails.
                        failures.Add(error ?? new InvalidOperationException($"Work item {item} ended without a result."));
                        job.Cancel();
                    }
                    Monitor.PulseAll(gate);
                }
            }
        }

        // Called under the lock: the longest-running item with a single attempt that is far past the median.
        int? Straggler()
        {
            if (!speculation.Enabled || durations.Count == 0 || finished < Math.Max(1, speculation.FinishedFraction * count))
            {
                return null;
            }
            double[] sorted = durations.Order().ToArray();
            double median = sorted[sorted.Length / 2];
            double threshold = Math.Max(speculation.Minimum.TotalSeconds, speculation.Multiplier * median);
            Running? slowest = running
                .Where(r => started[r.Item] == 1 && results[r.Item] is null)
                .OrderBy(r => r.Started)
                .FirstOrDefault();
            return slowest is not null && Stopwatch.GetElapsedTime(slowest.Started).TotalSeconds > threshold ? slowest.Item : null;
        }

        var threads = new Thread[Math.Max(1, Math.Min(parallelism, count))];
        for (int t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(Worker) { IsBackground = true, Name = $"dsl-task-{t}" };
            threads[t].Start();
        }
        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        if (failures.Count > 0)
        {
            if (failures.Count == 1)
            {
                ExceptionDispatchInfo.Throw(failures[0]);
            }
            throw new PipelineExecutionException($"{failures[0].Message} ({failures.Count - 1} more partition(s) failed at the same time; this is the first error.)", failures[0]);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return results.Select(r => r!).ToArray();
    }

    private sealed record Running(int Item, int Number, long Started, CancellationTokenSource Cancel);
}

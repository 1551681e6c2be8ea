namespace Dsl.Parquet.Tests;

/// <summary>Runs a read on the thread pool with a time limit, so that a hang fails the test instead of stalling it.</summary>
internal static class Guard
{
    /// <summary>Runs <paramref name="read"/>; returns the <see cref="ParquetFormatException"/> it threw, or null. Any other exception propagates.</summary>
    public static async Task<ParquetFormatException?> ReadOrFormatError(Action read, TimeSpan limit, string what)
    {
        var task = Task.Run(() =>
        {
            try
            {
                read();
                return null;
            }
            catch (ParquetFormatException ex)
            {
                return ex;
            }
        });
        Task finished = await Task.WhenAny(task, Task.Delay(limit));
        Assert.True(ReferenceEquals(finished, task), $"Reading {what} did not finish within {limit.TotalSeconds} seconds.");
        return await task;
    }
}

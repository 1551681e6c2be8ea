namespace Dsl.Execution;

/// <summary>
/// A unit of parallel work: a contiguous range of row groups of one input file. Plain data, so a distributed
/// engine can hand it to a worker process.
/// </summary>
/// <param name="Index">Position in the job's partition list; names the output part (<c>part-00003.parquet</c>).</param>
/// <param name="File">The input file's full path.</param>
/// <param name="FirstRowGroup">The first row group read.</param>
/// <param name="RowGroupCount">How many row groups are read.</param>
/// <param name="Rows">Rows in those row groups, from the file footer.</param>
public sealed record Partition(int Index, string File, int FirstRowGroup, int RowGroupCount, long Rows)
{
    /// <summary>The stored (compressed) bytes of those row groups' column chunks, for progress.</summary>
    public long Bytes { get; init; }
}

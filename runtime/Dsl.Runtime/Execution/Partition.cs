namespace Dsl.Execution;

/// <summary>
/// A unit of parallel work: a contiguous range of row groups of one Parquet file, or a byte range of whole records of
/// one CSV or JSON Lines file. Plain data, so a distributed engine can hand it to a worker process.
/// </summary>
/// <param name="Index">Position in the job's partition list; names the output part (<c>part-00003.parquet</c>).</param>
/// <param name="File">The input file's full path.</param>
/// <param name="FirstRowGroup">The first row group read (0 for text input).</param>
/// <param name="RowGroupCount">How many row groups are read (0 for text input).</param>
/// <param name="Rows">Rows in those row groups, from the file footer, or the records in the byte range.</param>
public sealed record Partition(int Index, string File, int FirstRowGroup, int RowGroupCount, long Rows)
{
    /// <summary>The stored (compressed) bytes of those row groups' column chunks, or of the text range, for progress.</summary>
    public long Bytes { get; init; }

    /// <summary>How the file is stored.</summary>
    public InputFormat Format { get; init; }

    /// <summary>For text input: whether the file is gzip-compressed (then <see cref="ByteStart"/> and <see cref="ByteEnd"/> count decompressed bytes).</summary>
    public bool Compressed { get; init; }

    /// <summary>For text input: the offset of the first record read; always the start of a line.</summary>
    public long ByteStart { get; init; }

    /// <summary>For text input: the offset just past the last record read (the start of the next partition's first record, or the end of the file).</summary>
    public long ByteEnd { get; init; }

    /// <summary>For text input: the 1-based line number at <see cref="ByteStart"/>, so errors name the line of the whole file.</summary>
    public long FirstLine { get; init; } = 1;

    /// <summary>Columns filled from the file's hive partition folders rather than read from the file.</summary>
    public IReadOnlyList<PartitionValue> PartitionValues { get; init; } = [];

    /// <summary>
    /// For a bucket task (a later wave of a plan with aggregates or shuffle joins): the cut and bucket whose rows it
    /// reads instead of an input file; <see cref="File"/> then describes it.
    /// </summary>
    public Flow.BucketInput? Bucket { get; init; }

    /// <summary>Where a row of this partition is, for messages: row groups of a Parquet file, or lines of a text file.</summary>
    internal string Describe() => Bucket is not null ? File : Format == InputFormat.Parquet
        ? $"file '{File}', row groups {FirstRowGroup}-{FirstRowGroup + RowGroupCount - 1}"
        : $"file '{File}', from line {FirstLine}";
}

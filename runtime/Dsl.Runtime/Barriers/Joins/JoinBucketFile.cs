namespace Dsl.Barriers.Joins;

/// <summary>One bucket file a <see cref="JoinBucketWriter"/> wrote.</summary>
/// <param name="Bucket">The bucket, from 0 to the bucket count - 1.</param>
/// <param name="Path">The Parquet file.</param>
/// <param name="Rows">The rows it holds.</param>
/// <param name="Bytes">Its size on disk.</param>
internal sealed record JoinBucketFile(int Bucket, string Path, long Rows, long Bytes);

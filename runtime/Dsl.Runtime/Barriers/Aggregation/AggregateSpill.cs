namespace Dsl.Barriers.Aggregation;

/// <summary>One bucket's file of partial groups written by a <see cref="PartialAggregator"/>.</summary>
/// <param name="Bucket">The bucket: the key hash modulo the number of buckets.</param>
/// <param name="Path">The file.</param>
/// <param name="Groups">The group records in it (a group the aggregator spilled more than once counts each time).</param>
/// <param name="Bytes">The file's length.</param>
internal sealed record AggregateSpill(int Bucket, string Path, long Groups, long Bytes);

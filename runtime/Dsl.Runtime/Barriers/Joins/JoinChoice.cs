namespace Dsl.Barriers.Joins;

/// <summary>How a join runs, and why.</summary>
/// <param name="Broadcast">True for a broadcast hash join (the table read once per process), false for a hash-partitioned (shuffle) join.</param>
/// <param name="Reason">A sentence with the table's size and the threshold, for the run's report.</param>
internal sealed record JoinChoice(bool Broadcast, string Reason);

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// The per-group state of one output member, in arrays indexed by group number. A group that was just added has the
/// state of an empty group (all zeros); <see cref="Add"/> folds a batch's rows in, <see cref="Merge"/> folds in a
/// state another table <see cref="Write"/>-d, and <see cref="Emit"/> writes the result.
/// </summary>
internal abstract class Accumulator
{
    /// <summary>The bytes the state of every group takes, roughly.</summary>
    public abstract long EstimatedBytes { get; }

    /// <summary>Makes room for <paramref name="capacity"/> groups.</summary>
    public abstract void Resize(int capacity);

    /// <summary>Folds in each row of the batch: row i belongs to group <paramref name="groups"/>[i].</summary>
    public abstract void Add(BatchInput input, ReadOnlySpan<int> groups);

    /// <summary>Writes group <paramref name="group"/>'s state.</summary>
    public abstract void Write(int group, SpillBuffer to);

    /// <summary>Folds a state written by <see cref="Write"/> into group <paramref name="group"/>.</summary>
    public abstract void Merge(int group, ref SpillReader from);

    /// <summary>Appends group <paramref name="group"/>'s result (its key bytes are <paramref name="key"/>).</summary>
    public abstract void Emit(int group, ReadOnlySpan<byte> key, OutputColumn output);
}

namespace Dsl;

/// <summary>
/// Implemented by the generator on every <see cref="SchemaAttribute"/> record: the record's column layout and
/// conversions between rows and <see cref="RecordBatch"/>es. Row conversions allocate one object per row; they
/// exist for tests, sample data and the scalar fallback, not for kernels, which read column spans.
/// </summary>
/// <typeparam name="TSelf">The schema record.</typeparam>
public interface IRowSchema<TSelf>
    where TSelf : IRowSchema<TSelf>
{
    /// <summary>The columns this record maps to, in declaration order.</summary>
    static abstract BatchSchema BatchSchema { get; }

    /// <summary>Row <paramref name="row"/> of <paramref name="batch"/> as a record (columns found by name, types checked).</summary>
    static abstract TSelf ReadRow(RecordBatch batch, int row);

    /// <summary>Every row of <paramref name="batch"/> as records.</summary>
    static abstract List<TSelf> ReadRows(RecordBatch batch);

    /// <summary>A batch holding <paramref name="rows"/>; the caller disposes it.</summary>
    static abstract RecordBatch ToBatch(IReadOnlyList<TSelf> rows);
}

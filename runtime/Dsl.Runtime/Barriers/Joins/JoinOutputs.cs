using Dsl.Execution;

namespace Dsl.Barriers.Joins;

/// <summary>Assembles a join's output batch from the selected left rows and their right rows, column by column.</summary>
internal static class JoinOutputs
{
    /// <summary>
    /// The output rows: output row i copies left row <paramref name="leftRows"/>[i] and right row
    /// <paramref name="rightRows"/>[i] (<see cref="JoinGather.Missing"/> leaves the right columns null; so does a null
    /// <paramref name="right"/>). Semi and anti joins pass no right rows. The caller disposes the batch; it shares no
    /// buffer with its sources except string dictionaries, which are never pooled.
    /// </summary>
    public static RecordBatch Assemble(JoinLayout layout, RecordBatch left, ReadOnlySpan<int> leftRows, IReadOnlyList<Column?>? right, ReadOnlySpan<int> rightRows)
    {
        BatchSchema output = layout.Output;
        var columns = new List<Column>(output.Count);
        try
        {
            for (int c = 0; c < output.Count; c++)
            {
                int source = layout.OutputSources[c];
                if (layout.OutputSides[c] == JoinSide.Left)
                {
                    columns.Add(JoinGather.Gather(left[source], leftRows));
                }
                else if (right is null)
                {
                    columns.Add(JoinGather.Nulls(layout.Right[source], leftRows.Length));
                }
                else
                {
                    columns.Add(JoinGather.Gather(right[source] ?? throw new InvalidOperationException($"The right column '{layout.Right[source].Name}' was not kept."), rightRows));
                }
            }
            return new RecordBatch(output, columns, leftRows.Length);
        }
        catch
        {
            columns.ForEach(c => c.Dispose());
            throw;
        }
    }
}

using Microsoft.ML;

namespace Dsl.MLNet.Tests;

/// <summary>Passes every call to a real view and records the cursors ML.NET asked for: (suggested n, cursors given), n = 0 for a serial cursor.</summary>
internal sealed class RecordingView(IDataView inner) : IDataView
{
    private readonly List<(int Asked, int Given)> _calls = [];

    public IReadOnlyList<(int Asked, int Given)> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public bool CanShuffle => inner.CanShuffle;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        Record(0, 1);
        return inner.GetRowCursor(columnsNeeded, rand);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        DataViewRowCursor[] set = inner.GetRowCursorSet(columnsNeeded, n, rand);
        Record(n, set.Length);
        return set;
    }

    private void Record(int asked, int given)
    {
        lock (_calls)
        {
            _calls.Add((asked, given));
        }
    }
}

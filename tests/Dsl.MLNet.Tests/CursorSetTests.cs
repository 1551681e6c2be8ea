using Dsl.Parquet;
using Dsl.Testing;
using Dsl.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Dsl.MLNet.Tests;

/// <summary>Cursors and cursor sets over an output of several parts with several row groups each.</summary>
public sealed class CursorSetTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-mlnet");
    private readonly string _output;
    private readonly Typed[] _rows;

    public CursorSetTests()
    {
        // Three input files of uneven sizes, so three parts; row groups of 1000 rows: 3 + 2 + 5 of them.
        Typed[] all = [.. Enumerable.Range(0, 8000).Select(i => new Typed(i, i, i, 0, 0, i, i, 0, 0, 0, 0, Half.One, i % 3 == 0, $"w{i % 11}", default, default, default, default))];
        _rows = all;
        _output = Outputs.Run(_temp, TypedCopy.Compiled, [all[..2500], all[2500..3700], all[3700..]], rowGroupRows: 1000);
    }

    public void Dispose() => _temp.Dispose();

    private static (List<long> Ids, List<ulong> RowIds, List<long> Batches) Drain(DataViewRowCursor cursor, DataViewSchema schema)
    {
        ValueGetter<long> id = cursor.GetGetter<long>(schema["Id"]);
        ValueGetter<DataViewRowId> rowId = cursor.GetIdGetter();
        var result = (Ids: new List<long>(), RowIds: new List<ulong>(), Batches: new List<long>());
        while (cursor.MoveNext())
        {
            long value = 0;
            DataViewRowId rid = default;
            id(ref value);
            rowId(ref rid);
            result.Ids.Add(value);
            result.RowIds.Add(rid.Low);
            result.Batches.Add(cursor.Batch);
        }
        return result;
    }

    [Fact]
    public void SerialCursor_ReadsEveryRowInManifestOrder_WithRowIdsZeroToN()
    {
        DslDataView view = DslDataView.FromParquet(_output, batchRows: 300);
        Assert.Equal(3, view.Output.Parts.Count);
        Assert.Equal(8000, view.GetRowCount());
        var (ids, rowIds, _) = Drain(view.GetRowCursor([view.Schema["Id"]]), view.Schema);
        // Parts in the manifest's order, each in its rows' order.
        var manifestOrder = new List<long>();
        foreach (OutputPart part in view.Output.Parts)
        {
            using var reader = new ParquetFileReader(part.Path);
            foreach (RecordBatch batch in reader.ReadBatches(["Id"]))
            {
                using (batch)
                {
                    manifestOrder.AddRange(batch.GetPrimitive<long>("Id", ColumnType.Int64).Values.ToArray());
                }
            }
        }
        Assert.Equal(manifestOrder, ids);
        Assert.Equal(Enumerable.Range(0, 8000).Select(i => (ulong)i), rowIds);
        Assert.Equal(Enumerable.Range(0, 8000).Select(i => (long)i), ids.Order());
    }

    [Fact]
    public void CursorSet_OfFourCursors_ReadInParallel_CoversEveryRowExactlyOnce()
    {
        DslDataView view = DslDataView.FromParquet(_output, batchRows: 300);
        DataViewRowCursor[] cursors = view.GetRowCursorSet([view.Schema["Id"], view.Schema["S"]], 4);
        Assert.Equal(4, cursors.Length);

        var drained = new (List<long> Ids, List<ulong> RowIds, List<long> Batches)[4];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using DataViewRowCursor cursor = cursors[i];
            drained[i] = Drain(cursor, view.Schema);
        });

        // Every row once, in cursors of similar size: row groups of 1000, 1000, 500 | 1000, 200 | 1000 x 4, 300 rows, cut
        // at the boundaries nearest to 2000, 4000 and 6000 rows.
        Assert.Equal(Enumerable.Range(0, 8000).Select(i => (long)i), drained.SelectMany(d => d.Ids).Order());
        Assert.Equal(Enumerable.Range(0, 8000).Select(i => (ulong)i), drained.SelectMany(d => d.RowIds).Order());
        Assert.Equal([2000, 1700, 2000, 2300], drained.Select(d => d.Ids.Count));
        // In set order the cursors are the serial cursor cut in runs: row ids continue from one cursor to the next.
        Assert.Equal(Enumerable.Range(0, 8000).Select(i => (ulong)i), drained.SelectMany(d => d.RowIds));
        // Batch numbers never decrease within a cursor and never appear in two cursors, as ML.NET's consolidation needs.
        Assert.All(drained, d => Assert.Equal(d.Batches.Order(), d.Batches));
        Assert.Equal(drained.Sum(d => d.Batches.Distinct().Count()), drained.SelectMany(d => d.Batches).Distinct().Count());
    }

    [Fact]
    public void CursorSet_HasAtMostOneCursorPerRowGroup_AndAtLeastOne()
    {
        DslDataView view = DslDataView.FromParquet(_output);
        int rowGroups = view.Output.Parts.Sum(p => RowGroupCount(p.Path));
        Assert.Equal(10, rowGroups);
        Assert.Equal(10, view.GetRowCursorSet([], 64).Length);
        Assert.Single(view.GetRowCursorSet([], 1));
        Assert.Equal(Math.Min(10, Environment.ProcessorCount), view.GetRowCursorSet([], 0).Length);
        // Without any active column, a cursor set still counts every row.
        Assert.Equal(8000, view.GetRowCursorSet([], 3).Sum(c => Count(c)));
    }

    [Fact]
    public void TheViewDoesNotShuffle_MLNetsShuffleRowsDoes()
    {
        var ml = new MLContext(seed: 3);
        DslDataView view = DslDataView.FromParquet(_output, columns: ["Id"]);
        Assert.False(view.CanShuffle);
        List<long> ids = [.. ViewRows.Read(ml.Data.ShuffleRows(view, seed: 3), "Id").Select(r => (long)r[0]!)];
        List<long> serial = [.. ViewRows.Read(view, "Id").Select(r => (long)r[0]!)];
        Assert.Equal(serial.Order(), ids.Order());
        Assert.NotEqual(serial, ids);
    }

    [Fact]
    public void Cursor_DecodesOnlyTheColumnsAskedFor()
    {
        // Damage the column chunk of S in the first row group of the first part (the last bytes of its last page, so
        // the page's CRC-32 no longer matches): cursors that do not ask for S read every row; one that does stops.
        DslDataView view = DslDataView.FromParquet(_output);
        string part = view.Output.Parts[0].Path;
        long offset = 4;
        using (var reader = new ParquetFileReader(part))
        {
            ParquetRowGroupMetadata group = reader.Metadata.RowGroups[0];
            int s = reader.Schema.IndexOf("S");
            for (int c = 0; c < s; c++)
            {
                offset += group.Columns[c]!.TotalCompressedSize;
            }
            offset += group.Columns[s]!.TotalCompressedSize - 2;
        }
        using (var file = new FileStream(part, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = offset;
            int b = file.ReadByte();
            file.Position = offset;
            file.WriteByte((byte)~b);
        }

        DslDataView reopened = DslDataView.FromParquet(_output);
        Assert.Equal(8000, ViewRows.Read(reopened, "Id", "F", "D", "B", "Ts").Count);
        var error = Assert.Throws<InvalidDataException>(() => ViewRows.Read(reopened, "Id", "S"));
        Assert.StartsWith($"File '{part}', column 'S', row group 0, page ", error.Message);
        Assert.Contains("The page's CRC-32 checksum does not match", error.Message);
    }

    private static int Count(DataViewRowCursor cursor)
    {
        using (cursor)
        {
            int n = 0;
            while (cursor.MoveNext())
            {
                n++;
            }
            return n;
        }
    }

    private static int RowGroupCount(string path)
    {
        using var reader = new ParquetFileReader(path);
        return reader.RowGroupCount;
    }
}

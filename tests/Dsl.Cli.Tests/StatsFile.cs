using Dsl.Parquet;
using Dsl.Parquet.Metadata;

namespace Dsl.Cli.Tests;

/// <summary>
/// A file for <c>dsl parquet stats</c>: 1,000 rows in four row groups (300, 300, 300, 100) written by our writer, with
/// nulls, NaN and -0.0 in a double column, strings (empty, accented, outside the BMP), booleans, negative integers,
/// a column whose first row group is all null, and, rewritten into the footer afterwards, a column with no statistics
/// at all and one whose third row group has none.
/// </summary>
internal static class StatsFile
{
    public const int Rows = 1000;
    public const int RowGroupRows = 300;

    /// <summary>The leaf columns, in file order.</summary>
    public static readonly string[] Columns = ["id", "qty", "score", "name", "flag", "sparse", "nostats", "partial"];

    /// <summary>The row group of <c>partial</c> whose statistics are removed.</summary>
    public const int PartialGap = 2;

    private static readonly BatchSchema Schema = new(
        new ColumnField("id", ColumnType.Int64, false),
        new ColumnField("qty", ColumnType.Int32, true),
        new ColumnField("score", ColumnType.Double, true),
        new ColumnField("name", ColumnType.String, true),
        new ColumnField("flag", ColumnType.Boolean, true),
        new ColumnField("sparse", ColumnType.Double, true),
        new ColumnField("nostats", ColumnType.Int64, false),
        new ColumnField("partial", ColumnType.Int64, false));

    public static void Write(string path)
    {
        var id = new ColumnBuilder<long>(ColumnType.Int64, Rows, nullable: false);
        var qty = new ColumnBuilder<int>(ColumnType.Int32, Rows, nullable: true);
        var score = new ColumnBuilder<double>(ColumnType.Double, Rows, nullable: true);
        var name = new StringColumnBuilder();
        var flag = new ColumnBuilder<bool>(ColumnType.Boolean, Rows, nullable: true);
        var sparse = new ColumnBuilder<double>(ColumnType.Double, Rows, nullable: true);
        var nostats = new ColumnBuilder<long>(ColumnType.Int64, Rows, nullable: false);
        var partial = new ColumnBuilder<long>(ColumnType.Int64, Rows, nullable: false);
        for (int r = 0; r < Rows; r++)
        {
            id.Values[r] = r;
            qty.Values[r] = (r * 37 % 1001) - 500;
            qty.Validity!.Set(r, r % 7 != 3);
            score.Values[r] = r % 13 == 0 ? double.NaN : r == 401 ? -0.0 : (r - 400) * 0.25;
            score.Validity!.Set(r, r % 11 != 5);
            name.Append(r % 5 == 1 ? null : r == 2 ? "" : r == 998 ? "\U0001F600 last" : $"name-{r * 7 % 97}{(r % 3 == 0 ? "-é" : "")}");
            flag.Values[r] = r % 4 == 0;
            flag.Validity!.Set(r, r % 9 != 4);
            sparse.Values[r] = r * 1.5;
            sparse.Validity!.Set(r, r >= RowGroupRows && r % 2 == 0);
            nostats.Values[r] = r * 3;
            partial.Values[r] = 1000 - r;
        }
        using (var batch = new RecordBatch(
            Schema,
            [id.Build(Rows), qty.Build(Rows), score.Build(Rows), name.Build(), flag.Build(Rows), sparse.Build(Rows), nostats.Build(Rows), partial.Build(Rows)],
            Rows))
        using (var writer = new ParquetFileWriter(path, Schema, new ParquetWriteOptions { RowGroupRows = RowGroupRows, Compression = CompressionCodec.Snappy }))
        {
            writer.WriteBatch(batch);
        }
        RewriteFooter(path, meta =>
        {
            int nostatsIndex = Array.IndexOf(Columns, "nostats");
            foreach (RowGroup group in meta.RowGroups)
            {
                group.Columns[nostatsIndex].MetaData!.Statistics = null;
            }
            meta.RowGroups[PartialGap].Columns[Array.IndexOf(Columns, "partial")].MetaData!.Statistics = null;
        });
    }

    /// <summary>
    /// Replaces the footer of the Parquet file at <paramref name="path"/> by the one <paramref name="edit"/> makes of
    /// it; the pages stay where they are, so the offsets in it stay right.
    /// </summary>
    public static void RewriteFooter(string path, Action<FileMetaData> edit)
    {
        byte[] file = File.ReadAllBytes(path);
        int length = BitConverter.ToInt32(file, file.Length - 8);
        int footerStart = file.Length - 8 - length;
        FileMetaData meta = FileMetaData.Parse(file.AsSpan(footerStart, length));
        edit(meta);
        byte[] footer = meta.Serialize();
        using var output = new FileStream(path, FileMode.Create, FileAccess.Write);
        output.Write(file, 0, footerStart);
        output.Write(footer);
        output.Write(BitConverter.GetBytes(footer.Length));
        output.Write("PAR1"u8);
    }
}

namespace Dsl.Parquet.Tests;

/// <summary>Booleans bit-packed 32 at a time and one by one in the tail, with and without nulls.</summary>
public sealed class BooleanWriterTests
{
    [Fact]
    public void Booleans_RoundTripAtEveryLengthAroundTheVectorWidth()
    {
        var random = new Random(9);
        foreach (bool nullable in new[] { false, true })
        {
            for (int rows = 0; rows < 140; rows++)
            {
                var schema = new BatchSchema(new ColumnField("b", ColumnType.Boolean, nullable));
                var builder = new ColumnBuilder<bool>(ColumnType.Boolean, rows, nullable);
                bool?[] expected = new bool?[rows];
                for (int r = 0; r < rows; r++)
                {
                    builder.Values[r] = random.Next(2) == 1;
                    expected[r] = builder.Values[r];
                    if (nullable && random.Next(5) == 0)
                    {
                        builder.Validity!.Set(r, false);
                        expected[r] = null;
                    }
                }
                using var batch = new RecordBatch(schema, [builder.Build(rows)], rows);
                using var stream = new MemoryStream();
                using (var writer = new ParquetFileWriter(stream, schema, new ParquetWriteOptions(), leaveOpen: true))
                {
                    writer.WriteBatch(batch);
                }

                stream.Position = 0;
                using var reader = new ParquetFileReader(stream);
                var read = new List<bool?>();
                for (int g = 0; g < reader.Footer.RowGroups.Count; g++)
                {
                    using RecordBatch group = reader.ReadRowGroup(g);
                    var column = (PrimitiveColumn<bool>)group.Columns[0];
                    for (int r = 0; r < group.RowCount; r++)
                    {
                        read.Add(column.IsNull(r) ? null : column.Values[r]);
                    }
                }
                Assert.Equal(expected, read);
            }
        }
    }
}

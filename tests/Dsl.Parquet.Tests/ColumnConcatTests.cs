namespace Dsl.Parquet.Tests;

/// <summary>Runs of rows concatenated into one column: values and nulls against copying them row by row.</summary>
public sealed class ColumnConcatTests
{
    [Fact]
    public void Concat_OfPiecesAtAnyBitOffset_KeepsEveryValueAndNull()
    {
        var random = new Random(17);
        for (int round = 0; round < 300; round++)
        {
            var sources = new List<PrimitiveColumn<int>>();
            for (int s = 0; s < 3; s++)
            {
                int length = random.Next(1, 300);
                bool nullable = random.Next(4) > 0;
                var builder = new ColumnBuilder<int>(ColumnType.Int32, length, nullable);
                for (int r = 0; r < length; r++)
                {
                    builder.Values[r] = random.Next();
                    if (nullable && random.Next(3) == 0)
                    {
                        builder.Validity!.Set(r, false);
                    }
                }
                sources.Add(builder.Build(length));
            }
            var pieces = new List<ColumnPiece>();
            var expected = new List<int?>();
            for (int p = random.Next(1, 6); p > 0; p--)
            {
                PrimitiveColumn<int> source = sources[random.Next(sources.Count)];
                int start = random.Next(source.Length);
                int count = random.Next(0, source.Length - start + 1);
                pieces.Add(new ColumnPiece(source, start, count));
                for (int r = start; r < start + count; r++)
                {
                    expected.Add(source.IsNull(r) ? null : source.Values[r]);
                }
            }

            var concatenated = (PrimitiveColumn<int>)ColumnConcat.Concat(pieces, expected.Count);

            var actual = new List<int?>();
            for (int r = 0; r < concatenated.Length; r++)
            {
                actual.Add(concatenated.IsNull(r) ? null : concatenated.Values[r]);
            }
            Assert.Equal(expected, actual);
            Assert.Equal(expected.Count(v => v is null), concatenated.NullCount);
        }
    }
}

using Dsl.Barriers.Splits;
using Dsl.Execution;

namespace Dsl.Runtime.Tests.Barriers;

/// <summary>Batches for the split tests: columns from arrays, rows taken in another order or in pieces.</summary>
internal static class SplitTestData
{
    public static SplitPlan Plan(string[] key, double[]? fractions = null, long seed = 7, string? stratifyBy = null, string[]? names = null) =>
        new("Features", key, names ?? ["train", "validation", "test"], fractions ?? [0.8, 0.1, 0.1], seed, stratifyBy);

    public static RecordBatch Batch(params (string Name, Column Column)[] columns)
    {
        var schema = new BatchSchema(columns.Select(c => new ColumnField(c.Name, c.Column.Type, c.Column.Validity is not null)));
        return new RecordBatch(schema, columns.Select(c => c.Column).ToArray(), columns.Length == 0 ? 0 : columns[0].Column.Length);
    }

    public static Column Longs(IReadOnlyList<long?> values) => Primitive(ColumnType.Int64, values);

    public static Column Ints(IReadOnlyList<int?> values) => Primitive(ColumnType.Int32, values);

    public static Column Bools(IReadOnlyList<bool?> values) => Primitive(ColumnType.Boolean, values);

    public static Column Doubles(IReadOnlyList<double?> values) => Primitive(ColumnType.Double, values);

    public static PrimitiveColumn<T> Primitive<T>(ColumnType type, IReadOnlyList<T?> values)
        where T : unmanaged
    {
        bool nullable = values.Any(v => v is null);
        var builder = new ColumnBuilder<T>(type, values.Count, nullable);
        for (int i = 0; i < values.Count; i++)
        {
            builder.Values[i] = values[i] ?? default;
            if (values[i] is null)
            {
                builder.Validity!.Set(i, false);
            }
        }
        return builder.Build(values.Count);
    }

    public static StringColumn Strings(IReadOnlyList<string?> values, ColumnType type = ColumnType.String)
    {
        var builder = new StringColumnBuilder(type, values.Count);
        foreach (string? value in values)
        {
            builder.Append(value);
        }
        return builder.Build();
    }

    /// <summary>Rows <paramref name="rows"/> of <paramref name="batch"/>, in that order (string columns keep the whole dictionary).</summary>
    public static RecordBatch Take(RecordBatch batch, ReadOnlySpan<int> rows)
    {
        var columns = new Column[batch.Schema.Count];
        for (int c = 0; c < columns.Length; c++)
        {
            columns[c] = batch[c] is StringColumn s ? ColumnGather.Gather(s, rows) : batch[c].Accept(new Gather(rows.ToArray()));
        }
        return new RecordBatch(batch.Schema, columns, rows.Length);
    }

    /// <summary><paramref name="batch"/>'s rows shuffled with <paramref name="seed"/> and cut into <paramref name="pieces"/> batches of uneven sizes; each piece's original row numbers too.</summary>
    public static List<(RecordBatch Batch, int[] Rows)> Shuffled(RecordBatch batch, int seed, int pieces)
    {
        int n = batch.RowCount;
        int[] order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        var result = new List<(RecordBatch, int[])>();
        int start = 0;
        for (int p = 0; p < pieces; p++)
        {
            // Uneven sizes: piece p gets a share proportional to p + 1.
            int end = p == pieces - 1 ? n : start + (int)((long)n * 2 * (p + 1) / ((long)pieces * (pieces + 1)));
            int[] rows = order[start..end];
            result.Add((Take(batch, rows), rows));
            start = end;
        }
        return result;
    }

    /// <summary>The subset of every row of <paramref name="batch"/>, assigned piece by piece in a shuffled order and put back in the original order.</summary>
    public static int[] AssignShuffled(SplitAssigner assigner, RecordBatch batch, int seed, int pieces)
    {
        var subsets = new int[batch.RowCount];
        foreach ((RecordBatch piece, int[] rows) in Shuffled(batch, seed, pieces))
        {
            using (piece)
            {
                var part = new int[piece.RowCount];
                assigner.Assign(piece, part);
                for (int i = 0; i < rows.Length; i++)
                {
                    subsets[rows[i]] = part[i];
                }
            }
        }
        return subsets;
    }

    public static int[] Assign(SplitAssigner assigner, RecordBatch batch)
    {
        var subsets = new int[batch.RowCount];
        assigner.Assign(batch, subsets);
        return subsets;
    }

    public static ulong[] Hash(SplitKeyHasher hasher, RecordBatch batch)
    {
        var hashes = new ulong[batch.RowCount];
        hasher.Hash(batch, hashes);
        return hashes;
    }

    /// <summary>Zipf-like key multiplicities: key k (1-based) of <paramref name="keys"/> gets about <paramref name="top"/> / k rows, at least one.</summary>
    public static long[] SkewedKeys(int keys, int top)
    {
        var rows = new List<long>();
        for (int k = 1; k <= keys; k++)
        {
            for (int r = 0; r < Math.Max(1, top / k); r++)
            {
                rows.Add(k);
            }
        }
        return [.. rows];
    }

    private sealed class Gather(int[] rows) : IPrimitiveColumnVisitor<Column>
    {
        public Column Visit<T>(PrimitiveColumn<T> column)
            where T : unmanaged => ColumnGather.Gather(column, rows);
    }
}

using System.Buffers;

namespace Dsl;

/// <summary>A run of rows of a column: rows <see cref="Start"/> to <see cref="Start"/> + <see cref="Count"/>.</summary>
/// <param name="Column">The column the rows come from.</param>
/// <param name="Start">The first row.</param>
/// <param name="Count">How many rows.</param>
/// <param name="Dictionary">
/// For a string column, the dictionary its indices refer to: pieces that name the same instance share index space
/// even when their columns hold different (but equal) dictionary objects.
/// </param>
internal readonly record struct ColumnPiece(Column Column, int Start, int Count, Utf8Dictionary? Dictionary = null);

/// <summary>
/// Copies runs of rows of flat columns of one type into a new column: values and indices by block copy, nulls 64 rows
/// at a time. String pieces over one dictionary keep it; pieces over different dictionaries get a merged one (their
/// entries one after the other), so every row keeps its exact bytes.
/// </summary>
internal static class ColumnConcat
{
    public static Column Concat(IReadOnlyList<ColumnPiece> pieces, int rows)
    {
        if (pieces.Count == 0)
        {
            throw new ArgumentException("Nothing to concatenate.", nameof(pieces));
        }
        return pieces[0].Column switch
        {
            StringColumn => Strings(pieces, rows),
            Column first => first.Accept(new PrimitiveConcat(pieces, rows)),
        };
    }

    private sealed class PrimitiveConcat(IReadOnlyList<ColumnPiece> pieces, int rows) : IPrimitiveColumnVisitor<Column>
    {
        public Column Visit<T>(PrimitiveColumn<T> column)
            where T : unmanaged => Primitive<T>(pieces, rows);
    }

    private static PrimitiveColumn<T> Primitive<T>(IReadOnlyList<ColumnPiece> pieces, int rows)
        where T : unmanaged
    {
        bool nullable = pieces.Any(p => p.Column.Validity is not null);
        var builder = new ColumnBuilder<T>(pieces[0].Column.Type, rows, nullable);
        int at = 0;
        foreach (ColumnPiece piece in pieces)
        {
            var column = (PrimitiveColumn<T>)piece.Column;
            column.Values.Slice(piece.Start, piece.Count).CopyTo(builder.Values[at..]);
            CopyNulls(piece, builder.Validity, at);
            at += piece.Count;
        }
        return builder.Build(at == rows ? rows : throw new ArgumentException($"The pieces hold {at} rows, not {rows}."));
    }

    private static StringColumn Strings(IReadOnlyList<ColumnPiece> pieces, int rows)
    {
        var first = (StringColumn)pieces[0].Column;
        Utf8Dictionary DictionaryOf(ColumnPiece p) => p.Dictionary ?? ((StringColumn)p.Column).Dictionary;
        // Each distinct dictionary, in order of first use, and where its entries start in the result's dictionary.
        var bases = new Dictionary<Utf8Dictionary, int>(ReferenceEqualityComparer.Instance);
        var order = new List<Utf8Dictionary>();
        int entries = 0;
        foreach (ColumnPiece piece in pieces)
        {
            Utf8Dictionary d = DictionaryOf(piece);
            if (bases.TryAdd(d, entries))
            {
                order.Add(d);
                entries += d.Count;
            }
        }
        Utf8Dictionary dictionary = order.Count == 1 ? order[0] : Merge(order);
        int[] indices = ArrayPool<int>.Shared.Rent(Math.Max(rows, 1));
        bool nullable = pieces.Any(p => p.Column.Validity is not null);
        ValidityBitmap? validity = nullable ? new ValidityBitmap(rows, allValid: true, pooled: true) : null;
        int at = 0;
        foreach (ColumnPiece piece in pieces)
        {
            ReadOnlySpan<int> source = ((StringColumn)piece.Column).Indices.Slice(piece.Start, piece.Count);
            Span<int> target = indices.AsSpan(at, piece.Count);
            int offset = bases[DictionaryOf(piece)];
            if (offset == 0)
            {
                source.CopyTo(target);
            }
            else
            {
                for (int i = 0; i < source.Length; i++)
                {
                    target[i] = source[i] + offset;
                }
            }
            CopyNulls(piece, validity, at);
            at += piece.Count;
        }
        if (at != rows)
        {
            ArrayPool<int>.Shared.Return(indices);
            throw new ArgumentException($"The pieces hold {at} rows, not {rows}.");
        }
        if (validity is not null && validity.CountNulls() == 0)
        {
            validity.ReturnToPool();
            validity = null;
        }
        return new StringColumn(first.Type, dictionary, indices, rows, validity, pooled: true);
    }

    private static Utf8Dictionary Merge(List<Utf8Dictionary> dictionaries)
    {
        // Data may be a decoder's buffer sized for an upper bound: only Offsets[Count] bytes are entries.
        int bytes = dictionaries.Sum(d => d.Offsets[d.Count]);
        int count = dictionaries.Sum(d => d.Count);
        byte[] data = new byte[bytes];
        int[] offsets = new int[count + 1];
        int b = 0;
        int e = 0;
        foreach (Utf8Dictionary d in dictionaries)
        {
            int used = d.Offsets[d.Count];
            d.Data[..used].CopyTo(data.AsSpan(b));
            ReadOnlySpan<int> source = d.Offsets;
            for (int i = 0; i < d.Count; i++)
            {
                offsets[e + i] = b + source[i];
            }
            b += used;
            e += d.Count;
        }
        offsets[count] = b;
        return new Utf8Dictionary(data, offsets);
    }

    // Clears the target's bits of the piece's null rows, 64 rows at a time (a row-by-row copy was 4% of a scan).
    internal static void CopyNulls(ColumnPiece piece, ValidityBitmap? target, int at)
    {
        if (piece.Column.Validity is not { } source || target is null)
        {
            return;
        }
        ReadOnlySpan<ulong> from = source.Words;
        Span<ulong> to = target.Words;
        for (int done = 0; done < piece.Count; done += 64)
        {
            int take = Math.Min(64, piece.Count - done);
            ulong nulls = ~ReadBits(from, piece.Start + done, take) & (take == 64 ? ulong.MaxValue : (1UL << take) - 1);
            if (nulls != 0)
            {
                ClearBits(to, at + done, nulls);
            }
        }
    }

    // Bits bit .. bit + count - 1 (count at most 64) as the low bits of a word; higher bits are whatever follows.
    private static ulong ReadBits(ReadOnlySpan<ulong> words, int bit, int count)
    {
        int word = bit >> 6;
        int shift = bit & 63;
        ulong value = words[word] >> shift;
        if (shift != 0 && shift + count > 64)
        {
            value |= words[word + 1] << (64 - shift);
        }
        return value;
    }

    // Clears the bits set in mask, shifted to start at bit.
    private static void ClearBits(Span<ulong> words, int bit, ulong mask)
    {
        int word = bit >> 6;
        int shift = bit & 63;
        words[word] &= ~(mask << shift);
        if (shift != 0 && mask >> (64 - shift) is var high and not 0)
        {
            words[word + 1] &= ~high;
        }
    }
}

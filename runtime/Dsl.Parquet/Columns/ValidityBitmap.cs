using System.Buffers;
using System.Numerics;

namespace Dsl;

/// <summary>
/// One bit per row, set when the row holds a value (Arrow's convention). Stored in 64-bit words so kernels
/// can combine validity of several columns a word at a time.
/// </summary>
public sealed class ValidityBitmap
{
    private ulong[]? _words;
    private readonly int _wordCount;
    private readonly bool _pooled;

    /// <summary>Creates a bitmap of <paramref name="length"/> rows, all valid or all null.</summary>
    public ValidityBitmap(int length, bool allValid = true)
        : this(length, allValid, pooled: false)
    {
    }

    /// <summary>
    /// A bitmap whose words are rented from <see cref="ArrayPool{T}.Shared"/> when <paramref name="pooled"/>: the one
    /// column it is given to returns them when disposed (<see cref="ReturnToPool"/>), after which every member but
    /// <see cref="Length"/> throws <see cref="ObjectDisposedException"/> rather than read words now lent elsewhere.
    /// </summary>
    internal ValidityBitmap(int length, bool allValid, bool pooled)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        _wordCount = (length + 63) >> 6;
        _pooled = pooled;
        _words = pooled ? ArrayPool<ulong>.Shared.Rent(_wordCount) : new ulong[_wordCount];
        if (allValid)
        {
            Words.Fill(ulong.MaxValue);
            ClearTail();
        }
        else if (pooled)
        {
            Words.Clear();
        }
    }

    /// <summary>Number of rows covered.</summary>
    public int Length { get; private set; }

    /// <summary>The backing words; bit <c>i % 64</c> of word <c>i / 64</c> is row <c>i</c>.</summary>
    /// <exception cref="ObjectDisposedException">The bitmap belonged to a column that was disposed and its words went back to the pool.</exception>
    public Span<ulong> Words => (_words ?? throw Disposed()).AsSpan(0, _wordCount);

    /// <summary>Whether row <paramref name="row"/> holds a value.</summary>
    public bool IsValid(int row) => (Words[row >> 6] & (1UL << row)) != 0;

    /// <summary>Marks row <paramref name="row"/> as holding a value or being null.</summary>
    public void Set(int row, bool valid)
    {
        Span<ulong> words = Words;
        if (valid)
        {
            words[row >> 6] |= 1UL << row;
        }
        else
        {
            words[row >> 6] &= ~(1UL << row);
        }
    }

    /// <summary>Number of null rows.</summary>
    public int CountNulls()
    {
        int valid = 0;
        foreach (ulong w in Words)
        {
            valid += BitOperations.PopCount(w);
        }
        return Length - valid;
    }

    /// <summary>Shrinks the bitmap to its first <paramref name="length"/> rows (used by builders when fewer rows were written than reserved).</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        Length = length;
        ClearTail();
    }

    // Bits past Length stay zero so that word-wide popcounts and ANDs never see phantom rows.
    private void ClearTail()
    {
        Span<ulong> words = Words;
        int full = Length >> 6;
        int rem = Length & 63;
        if (rem != 0)
        {
            words[full] &= (1UL << rem) - 1;
            full++;
        }
        words.Slice(full).Clear();
    }

    /// <summary>Returns rented words to the pool (once); does nothing for a bitmap that was not rented.</summary>
    internal void ReturnToPool()
    {
        if (_pooled && Interlocked.Exchange(ref _words, null) is { } words)
        {
            ArrayPool<ulong>.Shared.Return(words);
        }
    }

    private static ObjectDisposedException Disposed() => new(nameof(ValidityBitmap), "The bitmap belonged to a column that was disposed with its batch; read validity only while the batch is alive.");
}

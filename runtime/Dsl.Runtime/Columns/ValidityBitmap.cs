using System.Numerics;

namespace Dsl;

/// <summary>
/// One bit per row, set when the row holds a value (Arrow's convention). Stored in 64-bit words so kernels
/// can combine validity of several columns a word at a time.
/// </summary>
public sealed class ValidityBitmap
{
    private readonly ulong[] _words;

    /// <summary>Creates a bitmap of <paramref name="length"/> rows, all valid or all null.</summary>
    public ValidityBitmap(int length, bool allValid = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        _words = new ulong[(length + 63) >> 6];
        if (allValid)
        {
            _words.AsSpan().Fill(ulong.MaxValue);
            ClearTail();
        }
    }

    /// <summary>Number of rows covered.</summary>
    public int Length { get; private set; }

    /// <summary>The backing words; bit <c>i % 64</c> of word <c>i / 64</c> is row <c>i</c>.</summary>
    public Span<ulong> Words => _words;

    /// <summary>Whether row <paramref name="row"/> holds a value.</summary>
    public bool IsValid(int row) => (_words[row >> 6] & (1UL << row)) != 0;

    /// <summary>Marks row <paramref name="row"/> as holding a value or being null.</summary>
    public void Set(int row, bool valid)
    {
        if (valid)
        {
            _words[row >> 6] |= 1UL << row;
        }
        else
        {
            _words[row >> 6] &= ~(1UL << row);
        }
    }

    /// <summary>Number of null rows.</summary>
    public int CountNulls()
    {
        int valid = 0;
        foreach (ulong w in _words)
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
        int full = Length >> 6;
        int rem = Length & 63;
        if (rem != 0)
        {
            _words[full] &= (1UL << rem) - 1;
            full++;
        }
        _words.AsSpan(full).Clear();
    }
}

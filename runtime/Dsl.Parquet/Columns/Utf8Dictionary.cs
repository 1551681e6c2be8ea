using System.Text;

namespace Dsl;

/// <summary>
/// The distinct byte strings a <see cref="StringColumn"/> indexes into: entry <c>i</c> is
/// <c>Data[Offsets[i]..Offsets[i + 1]]</c>. Immutable and shareable between columns (a kernel that passes a
/// string column through gathers indices and reuses the dictionary). Entries need not be distinct.
/// </summary>
public sealed class Utf8Dictionary
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _data;
    private readonly int[] _offsets;
    private readonly int _count;
    private string[]? _strings;

    /// <summary>Wraps <paramref name="data"/> and <paramref name="offsets"/> (Count + 1 of them, non-decreasing, first 0).</summary>
    public Utf8Dictionary(byte[] data, int[] offsets)
    {
        if (offsets.Length == 0 || offsets[0] != 0 || offsets[^1] > data.Length)
        {
            throw new ArgumentException($"Dictionary offsets must start at 0 and end within the {data.Length} data bytes.", nameof(offsets));
        }
        for (int i = 1; i < offsets.Length; i++)
        {
            if (offsets[i] < offsets[i - 1])
            {
                throw new ArgumentException($"Dictionary offset {i} ({offsets[i]}) is less than offset {i - 1} ({offsets[i - 1]}).", nameof(offsets));
            }
        }
        _data = data;
        _offsets = offsets;
        _count = offsets.Length - 1;
    }

    /// <summary>
    /// Wraps buffers a decoder filled and checked itself: the first <paramref name="count"/> + 1 offsets are used,
    /// so buffers sized for a column chunk's upper bound are handed over without a trimming copy.
    /// </summary>
    internal Utf8Dictionary(byte[] data, int[] offsets, int count)
    {
        _data = data;
        _offsets = offsets;
        _count = count;
    }

    /// <summary>An empty dictionary.</summary>
    public static Utf8Dictionary Empty { get; } = new([], [0]);

    /// <summary>Builds a dictionary of the UTF-8 encodings of <paramref name="values"/>, in order.</summary>
    public static Utf8Dictionary FromStrings(IReadOnlyList<string> values)
    {
        var offsets = new int[values.Count + 1];
        int total = 0;
        bool lossy = false;
        for (int i = 0; i < values.Count; i++)
        {
            int count;
            try
            {
                count = s_strictUtf8.GetByteCount(values[i]);
            }
            catch (EncoderFallbackException)
            {
                // A lone surrogate: encoded as U+FFFD below, so the input string no longer matches its bytes.
                count = Encoding.UTF8.GetByteCount(values[i]);
                lossy = true;
            }
            total += count;
            offsets[i + 1] = total;
        }
        var data = new byte[total];
        for (int i = 0; i < values.Count; i++)
        {
            Encoding.UTF8.GetBytes(values[i], data.AsSpan(offsets[i]));
        }
        var dict = new Utf8Dictionary(data, offsets);
        // The inputs double as the decoded cache only when they round-trip exactly; otherwise GetString would
        // return a string that differs from what the same bytes decode to after a Parquet round trip.
        if (!lossy)
        {
            dict._strings = [.. values];
        }
        return dict;
    }

    /// <summary>Number of entries.</summary>
    public int Count => _count;

    /// <summary>The concatenated entry bytes.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>Entry boundaries, <see cref="Count"/> + 1 of them.</summary>
    public ReadOnlySpan<int> Offsets => _offsets.AsSpan(0, _count + 1);

    /// <summary>The bytes of entry <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> GetBytes(int index) => _data.AsSpan(_offsets[index], _offsets[index + 1] - _offsets[index]);

    /// <summary>Entry <paramref name="index"/> decoded as UTF-8 (decoded once, then cached).</summary>
    public string GetString(int index) => Strings[index];

    /// <summary>
    /// Every entry decoded as UTF-8, decoded on first use. Kernels evaluate string expressions once per entry
    /// of this array rather than once per row.
    /// </summary>
    public string[] Strings
    {
        get
        {
            string[]? strings = Volatile.Read(ref _strings);
            if (strings is null)
            {
                strings = new string[Count];
                for (int i = 0; i < strings.Length; i++)
                {
                    strings[i] = Encoding.UTF8.GetString(GetBytes(i));
                }
                Volatile.Write(ref _strings, strings);
            }
            return strings;
        }
    }
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Dsl.Execution;

namespace Dsl.Validation;

/// <summary>
/// The keys of one <see cref="RuleKind.Unique"/> rule seen so far in one partition, as 128-bit hashes
/// (<see cref="KeyHash"/>): a row whose key (every key column non-null) was seen before in the partition breaks the
/// rule. At the end of the task the distinct hashes are written sorted (16 bytes each, big-endian, so the file sorts
/// like the numbers), for the job to count keys shared between partitions (<see cref="UniqueKeyFiles"/>).
/// </summary>
internal sealed class UniqueKeys(RulePlan rule)
{
    private readonly HashSet<UInt128> _seen = [];
    private byte[] _key = new byte[256];

    public RulePlan Rule { get; } = rule;

    /// <summary>Bytes the set holds, roughly (for the memory budget's accounting).</summary>
    public long HeldBytes => _seen.Count * 24L;

    /// <summary>Adds the keys of <paramref name="input"/>'s rows; appends the rows whose key was already seen to <paramref name="repeated"/>.</summary>
    public void Add(RecordBatch input, List<int> repeated)
    {
        var columns = new Column[Rule.Columns.Count];
        for (int c = 0; c < columns.Length; c++)
        {
            int index = input.Schema.IndexOf(Rule.Columns[c]);
            if (index < 0)
            {
                throw new InvalidOperationException($"Rule '{Rule.Id}' checks column '{Rule.Columns[c]}', which the input batch does not hold; the plan must read it.");
            }
            columns[c] = input[index];
        }
        for (int row = 0; row < input.RowCount; row++)
        {
            if (Key(columns, row) is int length && !_seen.Add(KeyHash.Hash(_key.AsSpan(0, length))))
            {
                repeated.Add(row);
            }
        }
    }

    /// <summary>Writes the distinct hashes, sorted, to <paramref name="stream"/>; returns how many.</summary>
    public long WriteSorted(Stream stream)
    {
        UInt128[] hashes = [.. _seen];
        Array.Sort(hashes);
        var buffer = new byte[16 * 4096];
        int n = 0;
        foreach (UInt128 hash in hashes)
        {
            BinaryPrimitives.WriteUInt128BigEndian(buffer.AsSpan(n), hash);
            n += 16;
            if (n == buffer.Length)
            {
                stream.Write(buffer);
                n = 0;
            }
        }
        stream.Write(buffer.AsSpan(0, n));
        return hashes.Length;
    }

    // The key's bytes in _key: per column a type tag and the value (strings length-prefixed UTF-8; -0.0 as 0.0, so
    // keys equal as numbers hash alike); null when a key column is null.
    private int? Key(Column[] columns, int row)
    {
        int length = 0;
        foreach (Column column in columns)
        {
            if (column.IsNull(row))
            {
                return null;
            }
            switch (column)
            {
                case StringColumn s:
                    ReadOnlySpan<byte> bytes = s.GetBytes(row);
                    Reserve(length + 5 + bytes.Length);
                    _key[length] = 1;
                    BinaryPrimitives.WriteInt32LittleEndian(_key.AsSpan(length + 1), bytes.Length);
                    bytes.CopyTo(_key.AsSpan(length + 5));
                    length += 5 + bytes.Length;
                    break;
                case PrimitiveColumn<double> d:
                    length = Append(length, 2, d.Values[row] == 0 ? 0.0 : d.Values[row]);
                    break;
                case PrimitiveColumn<float> f:
                    length = Append(length, 2, f.Values[row] == 0 ? 0.0 : (double)f.Values[row]);
                    break;
                case PrimitiveColumn<long> l:
                    length = Append(length, 3, l.Values[row]);
                    break;
                case PrimitiveColumn<int> i:
                    length = Append(length, 3, (long)i.Values[row]);
                    break;
                case PrimitiveColumn<bool> b:
                    length = Append(length, 4, b.Values[row]);
                    break;
                case PrimitiveColumn<Int128> m:
                    length = Append(length, 5, m.Values[row]);
                    break;
                default:
                    string text = Convert.ToString(column.GetValue(row), System.Globalization.CultureInfo.InvariantCulture) ?? "";
                    byte[] encoded = Encoding.UTF8.GetBytes(text);
                    Reserve(length + 5 + encoded.Length);
                    _key[length] = 6;
                    BinaryPrimitives.WriteInt32LittleEndian(_key.AsSpan(length + 1), encoded.Length);
                    encoded.CopyTo(_key.AsSpan(length + 5));
                    length += 5 + encoded.Length;
                    break;
            }
        }
        return length;
    }

    private int Append<T>(int length, byte tag, T value)
        where T : unmanaged
    {
        int size = Marshal.SizeOf<T>();
        Reserve(length + 1 + size);
        _key[length] = tag;
        MemoryMarshal.Write(_key.AsSpan(length + 1), in value);
        return length + 1 + size;
    }

    private void Reserve(int length)
    {
        if (_key.Length < length)
        {
            Array.Resize(ref _key, Math.Max(length, _key.Length * 2));
        }
    }
}

/// <summary>
/// Counts the keys of a <see cref="RuleKind.Unique"/> rule that several partitions hold, by merging the partitions'
/// sorted hash files (<see cref="UniqueKeys.WriteSorted"/>) in one streaming pass: memory is one buffer per file,
/// never the keys.
/// </summary>
internal static class UniqueKeyFiles
{
    private const int BufferBytes = 16 * 1024;

    /// <summary>For each key held by k ≥ 2 of the files, k - 1, summed: the rows beyond the first of their key across partitions.</summary>
    public static long CountSharedKeys(IReadOnlyList<string> files)
    {
        var readers = new List<BufferedStream>();
        try
        {
            var queue = new PriorityQueue<int, UInt128>();
            var current = new UInt128[files.Count];
            for (int f = 0; f < files.Count; f++)
            {
                readers.Add(new BufferedStream(File.OpenRead(files[f]), BufferBytes));
                if (Next(readers[f], out current[f]))
                {
                    queue.Enqueue(f, current[f]);
                }
            }
            long shared = 0;
            bool any = false;
            UInt128 last = default;
            while (queue.TryDequeue(out int f, out UInt128 hash))
            {
                if (any && hash == last)
                {
                    shared++;
                }
                (last, any) = (hash, true);
                if (Next(readers[f], out current[f]))
                {
                    queue.Enqueue(f, current[f]);
                }
            }
            return shared;
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
        }
    }

    private static bool Next(Stream stream, out UInt128 hash)
    {
        Span<byte> bytes = stackalloc byte[16];
        int read = stream.ReadAtLeast(bytes, 16, throwOnEndOfStream: false);
        if (read == 0)
        {
            hash = default;
            return false;
        }
        if (read != 16)
        {
            throw new InvalidDataException("A unique-key hash file ends inside a hash; it is damaged.");
        }
        hash = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return true;
    }
}

using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Dsl.Parquet.Reading;

/// <summary>
/// The repetition and definition levels of one leaf column chunk as its pages are decoded. A flat column (no
/// repetition, definition level at most 1) keeps nothing: a page's definition levels are its validity. A nested
/// column keeps every level entry for the assembly of lists and structs above the leaf, checks that each entry is
/// consistent with the schema, and turns each page's entries into the leaf's slots (one per element of the nearest
/// enclosing list, or per row) with their validity.
/// </summary>
internal sealed class LevelState : IDisposable
{
    private readonly LeafPlan _leaf;
    private int[] _rep = [];
    private int[] _def = [];
    private int[]? _scratch;
    private int _previousDef;

    /// <param name="leaf">The leaf column.</param>
    /// <param name="nested">Whether the leaf lies under a list or struct (its levels are kept for assembly) rather than being a top-level column.</param>
    public LevelState(LeafPlan leaf, bool nested)
    {
        _leaf = leaf;
        IsFlat = !nested;
        if (!nested && !leaf.IsFlat)
        {
            throw new ArgumentException("A repeated or deeply optional leaf is always nested.", nameof(nested));
        }
        RepBitWidth = BitWidth(leaf.MaxRep);
        DefBitWidth = BitWidth(leaf.MaxDef);
    }

    /// <summary>Whether the leaf is a top-level column with one level entry a row (no levels are kept).</summary>
    public bool IsFlat { get; }

    public int RepBitWidth { get; }

    public int DefBitWidth { get; }

    /// <summary>Level entries decoded so far.</summary>
    public int EntryCount { get; private set; }

    /// <summary>Rows seen so far (entries with repetition level 0).</summary>
    public int RowCount { get; private set; }

    /// <summary>Slots of the leaf filled so far (the leaf column's length).</summary>
    public int SlotCount { get; private set; }

    /// <summary>The repetition levels of every entry (nested columns only).</summary>
    public ReadOnlySpan<int> Repetition => _rep.AsSpan(0, EntryCount);

    /// <summary>The definition levels of every entry (nested columns only).</summary>
    public ReadOnlySpan<int> Definition => _def.AsSpan(0, EntryCount);

    /// <summary>The bits needed for levels up to <paramref name="max"/>.</summary>
    public static int BitWidth(int max) => max == 0 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)max);

    /// <summary>Where to decode the next page's <paramref name="count"/> repetition levels (cleared to 0).</summary>
    public Span<int> RepetitionTarget(int count)
    {
        if (IsFlat)
        {
            throw new InvalidOperationException("A flat column has no repetition levels.");
        }
        Ensure(ref _rep, count);
        Span<int> span = _rep.AsSpan(EntryCount, count);
        span.Clear();
        return span;
    }

    /// <summary>Where to decode the next page's <paramref name="count"/> definition levels (filled with the maximum for a required column).</summary>
    public Span<int> DefinitionTarget(int count)
    {
        Span<int> span;
        if (IsFlat)
        {
            if (_scratch is null || _scratch.Length < count)
            {
                if (_scratch is not null)
                {
                    ArrayPool<int>.Shared.Return(_scratch);
                }
                _scratch = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
            }
            span = _scratch.AsSpan(0, count);
        }
        else
        {
            Ensure(ref _def, count);
            span = _def.AsSpan(EntryCount, count);
        }
        span.Fill(_leaf.MaxDef);
        return span;
    }

    /// <summary>
    /// Accepts the page's <paramref name="count"/> entries (decoded into the targets) and returns the validity of
    /// the page's slots (1 = value, 0 = null; empty when every slot has a value), the number of values stored in
    /// the page and the range of slots the page fills.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<int> Commit(int count, out int nonNull, out int slotOffset, out int slotCount)
    {
        slotOffset = SlotCount;
        if (IsFlat)
        {
            int max = _leaf.MaxDef;
            ReadOnlySpan<int> defs = max == 0 || _scratch is null ? default : _scratch.AsSpan(0, count);
            nonNull = max == 0 ? count : CountValues(defs, max);
            slotCount = count;
            SlotCount += count;
            RowCount += count;
            EntryCount += count;
            return nonNull == count || max == 0 ? default : defs;
        }
        return CommitNested(count, out nonNull, out slotCount);
    }

    /// <summary>Counts the levels equal to 1 (a flat column's maximum), after checking that none exceeds <paramref name="max"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CountValues(ReadOnlySpan<int> defs, int max)
    {
        // Levels are 0 or 1 here, so their sum is the number of values; any level above the maximum is corrupt data.
        int i = 0;
        int sum = 0;
        if (Vector256.IsHardwareAccelerated && defs.Length >= Vector256<int>.Count)
        {
            ref int first = ref MemoryMarshal.GetReference(defs);
            Vector256<int> sums = Vector256<int>.Zero;
            Vector256<uint> above = Vector256<uint>.Zero;
            Vector256<uint> limit = Vector256.Create((uint)max);
            for (; i + Vector256<int>.Count <= defs.Length; i += Vector256<int>.Count)
            {
                Vector256<int> v = Vector256.LoadUnsafe(ref first, (nuint)i);
                sums += v;
                above |= Vector256.GreaterThan(v.AsUInt32(), limit);
            }
            if (above != Vector256<uint>.Zero)
            {
                i = 0; // find the offending level for the message below
                sum = 0;
            }
            else
            {
                sum = Vector256.Sum(sums);
            }
        }
        for (; i < defs.Length; i++)
        {
            int level = defs[i];
            if ((uint)level > (uint)max)
            {
                throw new ParquetFormatException($"Definition level {level} at value {i} exceeds the column's maximum definition level {max}.");
            }
            sum += level;
        }
        return sum;
    }

    private ReadOnlySpan<int> CommitNested(int count, out int nonNull, out int slotCount)
    {
        // Levels whose maximum is 0 are not stored in pages; they are all 0 (or the maximum).
        if (RepBitWidth == 0)
        {
            RepetitionTarget(count);
        }
        if (DefBitWidth == 0)
        {
            DefinitionTarget(count);
        }
        ReadOnlySpan<int> rep = _rep.AsSpan(EntryCount, count);
        ReadOnlySpan<int> def = _def.AsSpan(EntryCount, count);
        if (_scratch is null || _scratch.Length < count)
        {
            if (_scratch is not null)
            {
                ArrayPool<int>.Shared.Return(_scratch);
            }
            _scratch = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        }
        Span<int> validity = _scratch.AsSpan(0, count);
        int[] repDefs = _leaf.RepetitionDefinitionLevels;
        int maxDef = _leaf.MaxDef;
        int maxRep = _leaf.MaxRep;
        int slotDef = _leaf.SlotDef;
        int slotRep = _leaf.SlotRep;
        int slots = 0;
        int values = 0;
        int rows = 0;
        int previous = _previousDef;
        for (int i = 0; i < count; i++)
        {
            int r = rep[i];
            int d = def[i];
            if ((uint)d > (uint)maxDef)
            {
                throw new ParquetFormatException($"Definition level {d} at level entry {EntryCount + i} exceeds the column's maximum definition level {maxDef}.");
            }
            if ((uint)r > (uint)maxRep)
            {
                throw new ParquetFormatException($"Repetition level {r} at level entry {EntryCount + i} exceeds the column's maximum repetition level {maxRep}.");
            }
            if (r == 0)
            {
                rows++;
            }
            else
            {
                // Repeating at level r adds an element to a list that must exist, both before and at this entry.
                int needed = repDefs[r - 1];
                if (EntryCount + i == 0 || previous < needed || d < needed)
                {
                    throw new ParquetFormatException(EntryCount + i == 0
                        ? $"The first level entry has repetition level {r}; a column chunk must start a new row (repetition level 0)."
                        : $"Level entry {EntryCount + i} repeats at level {r} (definition level {d}) in a list that is empty or null there.");
                }
            }
            previous = d;
            if (d >= slotDef && r <= slotRep)
            {
                int valid = d == maxDef ? 1 : 0;
                validity[slots++] = valid;
                values += valid;
            }
            else if (d == maxDef)
            {
                throw new ParquetFormatException($"Level entry {EntryCount + i} holds a value but is not an element of its list.");
            }
        }
        _previousDef = previous;
        EntryCount += count;
        RowCount += rows;
        nonNull = values;
        slotCount = slots;
        SlotCount += slots;
        return values == slots ? default : validity[..slots];
    }

    private void Ensure(ref int[] array, int count)
    {
        long needed = (long)EntryCount + count;
        if (needed > Array.MaxLength)
        {
            throw new ParquetFormatException($"The column chunk holds more than {Array.MaxLength} level entries, which one batch cannot hold.");
        }
        if (needed > array.Length)
        {
            Array.Resize(ref array, (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)array.Length * 2)));
        }
    }

    public void Dispose()
    {
        if (_scratch is not null)
        {
            ArrayPool<int>.Shared.Return(_scratch);
            _scratch = null;
        }
    }
}

using System.Runtime.CompilerServices;

namespace Dsl.Barriers.Joins;

/// <summary>What columns hold in memory, counted the same way for a broadcast table's limit and a bucket's budget.</summary>
internal static class JoinMemory
{
    /// <summary>
    /// The bytes <paramref name="batch"/>'s columns hold: values, indices, validity words, and each string
    /// dictionary once even when several columns share it (<paramref name="seen"/> remembers those already counted).
    /// </summary>
    public static long Bytes(RecordBatch batch, HashSet<Utf8Dictionary> seen)
    {
        long total = 0;
        foreach (Column column in batch.Columns)
        {
            total += Bytes(column, seen);
        }
        return total;
    }

    /// <summary>The bytes one column holds (see <see cref="Bytes(RecordBatch, HashSet{Utf8Dictionary})"/>).</summary>
    public static long Bytes(Column column, HashSet<Utf8Dictionary> seen)
    {
        long validity = column.Validity is null ? 0 : ((column.Length + 63L) >> 6) * sizeof(ulong);
        return validity + column switch
        {
            StringColumn s => (4L * s.Length) + (seen.Add(s.Dictionary) ? s.Dictionary.Data.Length + (4L * (s.Dictionary.Count + 1)) : 0),
            ListColumn l => (4L * (l.Length + 1)) + Bytes(l.Values, seen),
            _ => column.Accept(new PrimitiveBytes()),
        };
    }

    private sealed class PrimitiveBytes : IPrimitiveColumnVisitor<long>
    {
        public long Visit<T>(PrimitiveColumn<T> column)
            where T : unmanaged => (long)column.Length * Unsafe.SizeOf<T>();
    }

    /// <summary>A new set for <see cref="Bytes(RecordBatch, HashSet{Utf8Dictionary})"/> that compares dictionaries by reference.</summary>
    public static HashSet<Utf8Dictionary> NewSeenSet() => new(ReferenceEqualityComparer.Instance);

    /// <summary>A byte count as people read it: "512 bytes", "3.2 MiB", "64 MiB".</summary>
    public static string Format(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes == 1 ? "1 byte" : $"{bytes} bytes";
        }
        string[] units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        double rounded = Math.Round(value, 1, MidpointRounding.AwayFromZero);
        return rounded.ToString(rounded == Math.Floor(rounded) ? "0" : "0.0", System.Globalization.CultureInfo.InvariantCulture) + " " + units[unit];
    }
}

using Dsl.Parquet;

namespace Dsl.Training;

/// <summary>
/// A feature or label column and how its values become float32: numbers are converted as C#'s <c>(float)</c> cast
/// converts them (round to nearest even), bools are 0 or 1. A null feature is NaN; a null label is an error, since no
/// float says "unknown" to a loss function.
/// </summary>
internal sealed record FeedColumn(string Name, ColumnType Type, bool IsLabel)
{
    /// <summary>The column types a feed reads: each has its case in <see cref="Write"/> (a test reads every one).</summary>
    public static readonly IReadOnlySet<ColumnType> Accepted = new HashSet<ColumnType>
    {
        ColumnType.Float, ColumnType.Double, ColumnType.Float16, ColumnType.Boolean,
        ColumnType.Int8, ColumnType.Int16, ColumnType.Int32, ColumnType.Int64,
        ColumnType.UInt8, ColumnType.UInt16, ColumnType.UInt32, ColumnType.UInt64,
    };

    public static FeedColumn Find(ParquetFileReader reader, string path, string name, bool isLabel)
    {
        int index = reader.Schema.IndexOf(name);
        if (index < 0)
        {
            throw new InvalidDataException(
                $"{path}: no column '{name}' for the {(isLabel ? "label" : "features")}; the part has {string.Join(", ", reader.Schema.Fields.Select(f => f.Name))}.");
        }
        ColumnType type = reader.Schema[index].Type;
        if (!Accepted.Contains(type))
        {
            throw new InvalidDataException(
                $"{path}: column '{name}' is {reader.Schema[index].TypeName}; a training feed takes numbers and bools. " +
                "Turn it into one in a map stage first (a string into a bucket with Hashing.Bucket, a timestamp into its parts).");
        }
        return new FeedColumn(name, type, isLabel);
    }

    public void SameTypeAs(FeedColumn first, string path)
    {
        if (Type != first.Type)
        {
            throw new InvalidDataException($"{path}: column '{Name}' is {Type}, but the output's first part has it as {first.Type}; every part must agree.");
        }
    }

    /// <summary>
    /// Writes the column's <paramref name="rows"/> values to <paramref name="destination"/>[r × stride] (a feature
    /// matrix's column, or the labels with stride 1).
    /// </summary>
    public void Write(Column column, Span<float> destination, int stride, int rows, string path, int rowGroup)
    {
        ValidityBitmap? validity = column.Validity;
        switch (column)
        {
            case PrimitiveColumn<float> c: Copy<float, AsFloat>(c.Values, destination, stride, rows); break;
            case PrimitiveColumn<double> c: Copy<double, AsFloat>(c.Values, destination, stride, rows); break;
            case PrimitiveColumn<int> c: Copy<int, AsFloat>(c.Values, destination, stride, rows); break;
            case PrimitiveColumn<long> c: Copy<long, AsFloat>(c.Values, destination, stride, rows); break;
            case PrimitiveColumn<short> c: Copy<short, AsFloat>(c.Values, destination, stride, rows); break;
            case PrimitiveColumn<sbyte> c: Copy<sbyte, AsFloat>(c.Values, destination, stride, rows); break;
            case PrimitiveColumn<byte> c: Copy<byte, AsFloat>(c.Values, destination, stride, rows); break;
            case PrimitiveColumn<ushort> c: Copy<ushort, AsFloat>(c.Values, destination, stride, rows); break;
            case PrimitiveColumn<uint> c: Copy<uint, AsFloat>(c.Values, destination, stride, rows); break;
            case PrimitiveColumn<ulong> c: Copy<ulong, AsFloat>(c.Values, destination, stride, rows); break;
            case PrimitiveColumn<Half> c: Copy<Half, AsFloat>(c.Values, destination, stride, rows); break;
            case PrimitiveColumn<bool> c: Copy<bool, AsFloat>(c.Values, destination, stride, rows); break;
            default: throw new InvalidDataException($"{path}, row group {rowGroup}: column '{Name}' is {column.Type}, not a number.");
        }
        if (validity is null)
        {
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            if (!validity.IsValid(r))
            {
                if (IsLabel)
                {
                    throw new InvalidDataException(
                        $"{path}, row group {rowGroup}, row {r}: label '{Name}' is null; a training feed needs a label on every row (filter such rows out in the pipeline).");
                }
                destination[r * stride] = float.NaN;
            }
        }
    }

    // A struct per source type, so the JIT inlines each conversion into its loop (a delegate call per value would not be).
    private static void Copy<T, TConvert>(ReadOnlySpan<T> values, Span<float> destination, int stride, int rows)
        where TConvert : struct, IToFloat<T>
    {
        values = values[..rows];
        if (stride == 1)
        {
            destination = destination[..rows];
            for (int r = 0; r < values.Length; r++)
            {
                destination[r] = TConvert.Convert(values[r]);
            }
            return;
        }
        for (int r = 0, at = 0; r < values.Length; r++, at += stride)
        {
            destination[at] = TConvert.Convert(values[r]);
        }
    }

    private interface IToFloat<T>
    {
        static abstract float Convert(T value);
    }

    private readonly struct AsFloat :
        IToFloat<float>, IToFloat<double>, IToFloat<int>, IToFloat<long>, IToFloat<short>, IToFloat<sbyte>, IToFloat<byte>,
        IToFloat<ushort>, IToFloat<uint>, IToFloat<ulong>, IToFloat<Half>, IToFloat<bool>
    {
        public static float Convert(float value) => value;

        public static float Convert(double value) => (float)value;

        public static float Convert(int value) => value;

        public static float Convert(long value) => value;

        public static float Convert(short value) => value;

        public static float Convert(sbyte value) => value;

        public static float Convert(byte value) => value;

        public static float Convert(ushort value) => value;

        public static float Convert(uint value) => value;

        public static float Convert(ulong value) => value;

        public static float Convert(Half value) => (float)value;

        public static float Convert(bool value) => value ? 1f : 0f;
    }
}

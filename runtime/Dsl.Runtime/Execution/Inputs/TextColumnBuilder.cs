namespace Dsl.Execution.Inputs;

/// <summary>What kind of JSON value a column reads (CSV fields and folder values are all text).</summary>
internal enum JsonKind
{
    /// <summary>A JSON number.</summary>
    Number,

    /// <summary>A JSON number, or one of the strings NaN, Infinity, -Infinity (JSON has no literal for them).</summary>
    Floating,

    /// <summary>A JSON <c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A JSON string.</summary>
    String,

    /// <summary>A JSON number or a string holding one (decimals are often quoted to keep their digits).</summary>
    NumberOrString,
}

/// <summary>
/// Fills one column of a batch from text values: CSV fields, JSON values and hive folder values all go through here,
/// so every input format parses a type the same way. <see cref="Create"/> holds the one switch over
/// <see cref="ColumnType"/>: a type it does not list cannot be read from text, and the planner says so before
/// anything is read.
/// </summary>
internal abstract class TextColumnBuilder
{
    private protected TextColumnBuilder(ColumnField field, string expected, JsonKind json)
    {
        Field = field;
        Expected = expected;
        Json = json;
    }

    /// <summary>The column being built.</summary>
    public ColumnField Field { get; }

    /// <summary>What a valid value looks like, for error messages ("an integer from ... to ...").</summary>
    public string Expected { get; }

    /// <summary>Which JSON values the column accepts.</summary>
    public JsonKind Json { get; }

    /// <summary>Rows appended since the last <see cref="Build"/>.</summary>
    public int Count { get; protected set; }

    /// <summary>
    /// A builder for <paramref name="field"/> holding up to <paramref name="capacity"/> rows a batch, or null when
    /// values of its type cannot be read from text. This is the one place that maps column types to text parsing.
    /// </summary>
    public static TextColumnBuilder? Create(ColumnField field, int capacity) => field.Type switch
    {
        ColumnType.Int32 => new Primitive<int>(field, capacity, "an integer from -2147483648 to 2147483647", JsonKind.Number, TextValues.TryInt32),
        ColumnType.Int64 => new Primitive<long>(field, capacity, "an integer from -9223372036854775808 to 9223372036854775807", JsonKind.Number, TextValues.TryInt64),
        ColumnType.Float => new Primitive<float>(field, capacity, "a number within the range of a float (or NaN, Infinity, -Infinity)", JsonKind.Floating, TextValues.TryFloat),
        ColumnType.Double => new Primitive<double>(field, capacity, "a number within the range of a double (or NaN, Infinity, -Infinity)", JsonKind.Floating, TextValues.TryDouble),
        ColumnType.Int8 => new Primitive<sbyte>(field, capacity, "an integer from -128 to 127", JsonKind.Number, TextValues.TryInteger),
        ColumnType.Int16 => new Primitive<short>(field, capacity, "an integer from -32768 to 32767", JsonKind.Number, TextValues.TryInteger),
        ColumnType.UInt8 => new Primitive<byte>(field, capacity, "an integer from 0 to 255", JsonKind.Number, TextValues.TryInteger),
        ColumnType.UInt16 => new Primitive<ushort>(field, capacity, "an integer from 0 to 65535", JsonKind.Number, TextValues.TryInteger),
        ColumnType.UInt32 => new Primitive<uint>(field, capacity, "an integer from 0 to 4294967295", JsonKind.Number, TextValues.TryInteger),
        ColumnType.UInt64 => new Primitive<ulong>(field, capacity, "an integer from 0 to 18446744073709551615", JsonKind.Number, TextValues.TryInteger),
        ColumnType.Float16 => new Primitive<Half>(field, capacity, "a number within the range of a half-precision float, ±65504 (or NaN, Infinity, -Infinity)", JsonKind.Floating, TextValues.TryHalf),
        ColumnType.Uuid => new Primitive<Guid>(field, capacity, "a UUID xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", JsonKind.String, TextValues.TryUuid),
        ColumnType.Boolean => new Primitive<bool>(field, capacity, "true, false, 1 or 0", JsonKind.Boolean, TextValues.TryBoolean),
        ColumnType.String => new Text(field),
        ColumnType.Binary => new Bytes(field),
        ColumnType.Date => new Primitive<int>(field, capacity, "a date yyyy-MM-dd", JsonKind.String, TextValues.TryDate),
        ColumnType.Timestamp => new Primitive<long>(field, capacity, "a date-time yyyy-MM-dd[THH:mm[:ss[.ffffff]]][Z|+HH:mm] within years 1 to 9999, at most microsecond precision", JsonKind.String, TryMicros),
        ColumnType.TimestampNanos => new Primitive<long>(field, capacity, "a date-time yyyy-MM-dd[THH:mm[:ss[.fffffffff]]][Z|+HH:mm] within years 1677 to 2262", JsonKind.String, TryNanos),
        ColumnType.Time => new Primitive<long>(field, capacity, "a time of day HH:mm[:ss[.fffffffff]]", JsonKind.String, TextValues.TryTime),
        ColumnType.Decimal => new Primitive<Int128>(
            field, capacity, $"a decimal number with at most {field.Precision - field.Scale} digits before the point and {field.Scale} after it", JsonKind.NumberOrString,
            (ReadOnlySpan<char> text, out Int128 value) => TextValues.TryDecimal(text, field.Precision, field.Scale, out value)),
        _ => null, // lists, structs, maps: not representable in one text field
    };

    /// <summary>Appends a null row (the caller has checked that the column is nullable).</summary>
    public abstract void AppendNull();

    /// <summary>Parses and appends <paramref name="text"/>; false (nothing appended) when it is not a valid value.</summary>
    public abstract bool TryAppend(ReadOnlySpan<char> text);

    /// <summary>The rows appended so far as a column; the builder is then empty and ready for the next batch.</summary>
    public abstract Column Build();

    /// <summary>Returns what the builder holds without building a column (after an error).</summary>
    public virtual void Discard()
    {
    }

    private static bool TryMicros(ReadOnlySpan<char> text, out long micros)
    {
        micros = 0;
        if (!TextValues.TryDateTime(text, out long seconds, out int nanos) || nanos % 1000 != 0)
        {
            return false;
        }
        micros = (seconds * 1_000_000) + (nanos / 1000);
        return micros is >= Timestamps.MinMicros and <= Timestamps.MaxMicros;
    }

    private static bool TryNanos(ReadOnlySpan<char> text, out long nanos)
    {
        nanos = 0;
        if (!TextValues.TryDateTime(text, out long seconds, out int fraction))
        {
            return false;
        }
        Int128 value = ((Int128)seconds * 1_000_000_000) + fraction;
        if (value < long.MinValue || value > long.MaxValue)
        {
            return false;
        }
        nanos = (long)value;
        return true;
    }

    // A bitmap with the listed rows null, or none when no row is.
    private static ValidityBitmap? Validity(int rows, List<int> nullRows)
    {
        if (nullRows.Count == 0)
        {
            return null;
        }
        var validity = new ValidityBitmap(rows, allValid: true);
        foreach (int row in nullRows)
        {
            validity.Set(row, false);
        }
        return validity;
    }

    /// <summary>Parses one value of a fixed-width type.</summary>
    public delegate bool Parser<T>(ReadOnlySpan<char> text, out T value);

    private sealed class Primitive<T> : TextColumnBuilder
        where T : unmanaged
    {
        private readonly int _capacity;
        private readonly Parser<T> _parse;
        private ColumnBuilder<T>? _builder;

        public Primitive(ColumnField field, int capacity, string expected, JsonKind json, Parser<T> parse)
            : base(field, expected, json)
        {
            _capacity = capacity;
            _parse = parse;
        }

        // Rented lazily, so a builder that is created only to check a type holds nothing.
        private ColumnBuilder<T> Builder => _builder ??= new ColumnBuilder<T>(Field.Type, _capacity, Field.Nullable);

        public override void AppendNull()
        {
            ColumnBuilder<T> builder = Builder;
            builder.Values[Count] = default;
            builder.Validity!.Set(Count, false);
            Count++;
        }

        public override bool TryAppend(ReadOnlySpan<char> text)
        {
            if (!_parse(text, out T value))
            {
                return false;
            }
            Builder.Values[Count++] = value;
            return true;
        }

        public override Column Build()
        {
            PrimitiveColumn<T> column = Builder.Build(Count);
            _builder = null;
            Count = 0;
            return column;
        }

        public override void Discard()
        {
            if (_builder is not null)
            {
                Build().Dispose();
            }
        }
    }

    // Strings are de-duplicated as they arrive, looked up by their characters so that a repeated value allocates nothing.
    private sealed class Text : TextColumnBuilder
    {
        private readonly Dictionary<string, int> _entries = new(StringComparer.Ordinal);
        private readonly List<string> _values = [];
        private readonly List<int> _indices = [];
        private readonly List<int> _nullRows = [];

        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public Text(ColumnField field)
            : base(field, "text", JsonKind.String)
        {
            _lookup = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public override void AppendNull()
        {
            _nullRows.Add(Count++);
            _indices.Add(0);
        }

        public override bool TryAppend(ReadOnlySpan<char> text)
        {
            if (!_lookup.TryGetValue(text, out int index))
            {
                string value = text.ToString();
                index = _values.Count;
                _values.Add(value);
                _entries.Add(value, index);
            }
            _indices.Add(index);
            Count++;
            return true;
        }

        public override Column Build()
        {
            var column = new StringColumn(Field.Type, Utf8Dictionary.FromStrings(_values), [.. _indices], Count, Validity(Count, _nullRows));
            Discard();
            return column;
        }

        public override void Discard()
        {
            _entries.Clear();
            _values.Clear();
            _indices.Clear();
            _nullRows.Clear();
            Count = 0;
        }
    }

    // Binary values arrive as base64 and are kept one entry a row (bytes rarely repeat).
    private sealed class Bytes : TextColumnBuilder
    {
        private byte[] _data = [];
        private int _length;
        private readonly List<int> _offsets = [0];
        private readonly List<int> _nullRows = [];

        public Bytes(ColumnField field)
            : base(field, field.FixedLength > 0 ? $"base64 text of exactly {field.FixedLength} bytes" : "base64 text", JsonKind.String)
        {
        }

        public override void AppendNull()
        {
            _offsets.Add(_length);
            _nullRows.Add(Count++);
        }

        public override bool TryAppend(ReadOnlySpan<char> text)
        {
            int most = (text.Length / 4 * 3) + 3;
            if (_data.Length - _length < most)
            {
                Array.Resize(ref _data, Math.Max(_data.Length * 2, _length + most));
            }
            if (!TextValues.TryBase64(text, _data.AsSpan(_length), out int written) || (Field.FixedLength > 0 && written != Field.FixedLength))
            {
                return false;
            }
            _length += written;
            _offsets.Add(_length);
            Count++;
            return true;
        }

        public override Column Build()
        {
            int rows = Count;
            int[] indices = new int[rows];
            for (int r = 0; r < rows; r++)
            {
                indices[r] = r;
            }
            var column = new StringColumn(Field.Type, new Utf8Dictionary(_data.AsSpan(0, _length).ToArray(), [.. _offsets]), indices, rows, Validity(rows, _nullRows));
            Discard();
            return column;
        }

        public override void Discard()
        {
            _length = 0;
            _offsets.Clear();
            _offsets.Add(0);
            _nullRows.Clear();
            Count = 0;
        }
    }
}

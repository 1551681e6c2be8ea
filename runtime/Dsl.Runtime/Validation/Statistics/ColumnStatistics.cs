using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Dsl.Validation.Statistics;

/// <summary>
/// The mergeable statistics of one column, fed a whole column of a batch at a time (<see cref="Observe"/>): row and
/// null counts, and as <see cref="Kinds"/> asks, moments (count, mean, population variance, min, max) with NaN counted
/// apart, distinct values, a quantile sketch and the most frequent values. Per-partition states are saved with
/// <see cref="WriteJson"/> and merged later (<see cref="Merge"/>); merging states read back from JSON gives exactly the
/// state (and JSON) that merging the live ones gives. Numbers are kept as doubles in the column's storage unit: days
/// since 1970 for dates, micro- or nanoseconds since 1970 for timestamps, nanoseconds since midnight for times, the
/// value itself for decimals (unscaled / 10^scale); integers beyond 2^53 lose their last digits in moments and
/// quantiles (not in distinct counts or top-K keys).
/// </summary>
internal sealed class ColumnStatistics
{
    private readonly ValueClass _class;
    private Moments _moments = Moments.Empty;
    private byte[]? _minBytes;
    private byte[]? _maxBytes;
    private DistinctCounter? _distinct;
    private QuantileSketch? _quantiles;
    private FrequentItems<string>? _topText;
    private FrequentItems<long>? _topNumbers;

    // Per-batch scratch, reused batch after batch and never serialized.
    private double[] _doubles = [];
    private long[] _longs = [];
    private int[] _entryCounts = [];

    /// <summary>Statistics of <paramref name="field"/> of the kinds in <paramref name="kinds"/> that its type supports.</summary>
    public ColumnStatistics(ColumnField field, StatisticKinds kinds)
    {
        Field = field;
        _class = Classify(field.Type);
        Kinds = kinds & Supported(field.Type);
        if (Kinds.HasFlag(StatisticKinds.Distinct))
        {
            _distinct = new DistinctCounter();
        }
        if (Kinds.HasFlag(StatisticKinds.Quantiles))
        {
            _quantiles = new QuantileSketch();
        }
        if (Kinds.HasFlag(StatisticKinds.TopK))
        {
            if (_class == ValueClass.Text)
            {
                _topText = new FrequentItems<string>(StringComparer.Ordinal, StringComparer.Ordinal);
            }
            else
            {
                _topNumbers = new FrequentItems<long>(Comparer<long>.Default);
            }
        }
    }

    private enum ValueClass
    {
        Floating,
        Integral,
        Boolean,
        Text,
        Other,
    }

    /// <summary>The column.</summary>
    public ColumnField Field { get; }

    /// <summary>The statistics gathered (those asked for that the type supports).</summary>
    public StatisticKinds Kinds { get; }

    /// <summary>Rows observed.</summary>
    public long Rows { get; private set; }

    /// <summary>Null rows observed.</summary>
    public long Nulls { get; private set; }

    /// <summary>NaN values observed (floating-point columns; not part of the moments, quantiles or distinct values).</summary>
    public long NaNs { get; private set; }

    /// <summary>The non-null, non-NaN values that the moments cover (for text: the non-null values).</summary>
    public long ValueCount => _class == ValueClass.Text ? Rows - Nulls : _moments.Count;

    /// <summary>The mean of the values (NaN when there are none or moments are not gathered or apply).</summary>
    public double Mean => HasMoments ? _moments.Mean : double.NaN;

    /// <summary>The population variance Σ(x − mean)² / n (NaN when there are no values).</summary>
    public double Variance => HasMoments ? _moments.Variance : double.NaN;

    /// <summary>The population standard deviation, √<see cref="Variance"/>.</summary>
    public double StdDev => Math.Sqrt(Variance);

    /// <summary>The smallest value (NaN when none; text columns use <see cref="MinText"/>).</summary>
    public double Min => HasMoments ? _moments.Min : double.NaN;

    /// <summary>The largest value (NaN when none).</summary>
    public double Max => HasMoments ? _moments.Max : double.NaN;

    /// <summary>A text column's smallest value in UTF-8 byte (code point) order, or null.</summary>
    public string? MinText => _minBytes is null ? null : Text(_minBytes);

    /// <summary>A text column's largest value, or null.</summary>
    public string? MaxText => _maxBytes is null ? null : Text(_maxBytes);

    /// <summary>The distinct counter, when gathered.</summary>
    public DistinctCounter? Distinct => _distinct;

    /// <summary>The quantile sketch, when gathered.</summary>
    public QuantileSketch? Quantiles => _quantiles;

    /// <summary>Whether the column holds numbers that moments, quantiles and histograms describe.</summary>
    public bool IsNumeric => _class is ValueClass.Floating or ValueClass.Integral;

    /// <summary>Whether the column's values are categories (text, booleans) compared by frequency in drift checks.</summary>
    public bool IsCategorical => _class is ValueClass.Text or ValueClass.Boolean;

    /// <summary>How far below the true count a <see cref="TopValues"/> count may be (0: exact), or null when not gathered.</summary>
    public long? TopErrorBound => _topText?.ErrorBound ?? _topNumbers?.ErrorBound;

    private bool HasMoments => Kinds.HasFlag(StatisticKinds.Moments) && _class != ValueClass.Text;

    /// <summary>The kinds of statistics a column of type <paramref name="type"/> can have.</summary>
    public static StatisticKinds Supported(ColumnType type) => Classify(type) switch
    {
        ValueClass.Floating => StatisticKinds.Moments | StatisticKinds.Distinct | StatisticKinds.Quantiles,
        ValueClass.Integral => StatisticKinds.All,
        ValueClass.Boolean or ValueClass.Text => StatisticKinds.Moments | StatisticKinds.Distinct | StatisticKinds.TopK,
        _ => StatisticKinds.None,
    };

    /// <summary>The tracked values, most frequent first, as text (see <see cref="StatisticText.FormatKey"/>), with their counts.</summary>
    public List<KeyValuePair<string, long>> TopValues()
    {
        if (_topText is not null)
        {
            return _topText.Sorted();
        }
        if (_topNumbers is not null)
        {
            return [.. _topNumbers.Sorted().Select(kv => KeyValuePair.Create(StatisticText.FormatKey(Field.Type, kv.Key), kv.Value))];
        }
        return [];
    }

    /// <summary>Adds one batch's column.</summary>
    /// <exception cref="ArgumentException">The column's type is not the field's.</exception>
    public void Observe(Column column)
    {
        if (column.Type != Field.Type)
        {
            throw new ArgumentException($"Statistics of column '{Field.Name}' ({Field.Type}) were given a {column.Type} column.", nameof(column));
        }
        Rows += column.Length;
        Nulls += column.NullCount;
        if (Kinds == StatisticKinds.None)
        {
            return;
        }
        switch (column)
        {
            case PrimitiveColumn<double> c:
                ObserveNumbers(c);
                break;
            case PrimitiveColumn<float> c:
                ObserveNumbers(c);
                break;
            case PrimitiveColumn<Half> c:
                ObserveNumbers(c);
                break;
            case PrimitiveColumn<int> c:
                ObserveNumbers(c);
                break;
            case PrimitiveColumn<long> c:
                ObserveNumbers(c);
                break;
            case PrimitiveColumn<sbyte> c:
                ObserveNumbers(c);
                break;
            case PrimitiveColumn<short> c:
                ObserveNumbers(c);
                break;
            case PrimitiveColumn<byte> c:
                ObserveNumbers(c);
                break;
            case PrimitiveColumn<ushort> c:
                ObserveNumbers(c);
                break;
            case PrimitiveColumn<uint> c:
                ObserveNumbers(c);
                break;
            case PrimitiveColumn<ulong> c:
                ObserveNumbers(c);
                break;
            case PrimitiveColumn<Int128> c:
                ObserveNumbers(c);
                break;
            case PrimitiveColumn<bool> c:
                ObserveBooleans(c);
                break;
            case StringColumn c:
                ObserveText(c);
                break;
        }
    }

    /// <summary>Adds <paramref name="other"/>'s rows: afterwards this state describes both inputs.</summary>
    /// <exception cref="ArgumentException">The other state is of another column, type or set of kinds.</exception>
    public void Merge(ColumnStatistics other)
    {
        if (other.Field.Name != Field.Name || other.Field.Type != Field.Type || other.Kinds != Kinds)
        {
            throw new ArgumentException($"Statistics of column '{Field.Name}' ({Field.Type}, {Kinds}) cannot merge those of '{other.Field.Name}' ({other.Field.Type}, {other.Kinds}).", nameof(other));
        }
        Rows += other.Rows;
        Nulls += other.Nulls;
        NaNs += other.NaNs;
        _moments.Merge(other._moments);
        MergeRange(other._minBytes, other._maxBytes);
        _distinct?.Merge(other._distinct!);
        _quantiles?.Merge(other._quantiles!);
        _topText?.Merge(other._topText!);
        _topNumbers?.Merge(other._topNumbers!);
    }

    private void ObserveNumbers<T>(PrimitiveColumn<T> column)
        where T : unmanaged, INumberBase<T>
    {
        ReadOnlySpan<T> values = column.Values;
        ValidityBitmap? validity = column.Validity;
        bool integral = _class == ValueClass.Integral;
        bool needLongs = integral && (_distinct is not null || _topNumbers is not null);
        ReadOnlySpan<double> numbers;
        int count;
        if (typeof(T) == typeof(double) && validity is null)
        {
            numbers = MemoryMarshal.Cast<T, double>(values);
            count = numbers.Length;
        }
        else
        {
            count = Gather(values, validity, Scratch(ref _doubles, values.Length), needLongs ? Scratch(ref _longs, values.Length) : default);
            if (Field.Type == ColumnType.Decimal && Field.Scale > 0)
            {
                double scale = Math.Pow(10, Field.Scale);
                foreach (ref double v in _doubles.AsSpan(0, count))
                {
                    v /= scale;
                }
            }
            numbers = _doubles.AsSpan(0, count);
        }
        Moments moments = Moments.Of(numbers, out bool hasNaN);
        if (hasNaN)
        {
            numbers = DropNaN(numbers);
            moments = Moments.Of(numbers, out _);
        }
        if (Kinds.HasFlag(StatisticKinds.Moments))
        {
            _moments.Merge(moments);
        }
        _quantiles?.Add(numbers);
        if (integral)
        {
            ReadOnlySpan<long> longs = needLongs ? _longs.AsSpan(0, count) : default;
            if (_distinct is not null)
            {
                foreach (long v in longs)
                {
                    _distinct.Add(StableHash.OfInt64(v));
                }
            }
            if (_topNumbers is not null)
            {
                foreach (long v in longs)
                {
                    _topNumbers.Add(v, 1);
                }
                _topNumbers.Prune();
            }
        }
        else if (_distinct is not null)
        {
            foreach (double v in numbers)
            {
                _distinct.Add(StableHash.OfDouble(v));
            }
        }
    }

    // Copies the non-null values as doubles (and as integers for integral types), a validity word at a time.
    private static int Gather<T>(ReadOnlySpan<T> values, ValidityBitmap? validity, Span<double> doubles, Span<long> longs)
        where T : unmanaged, INumberBase<T>
    {
        bool withLongs = !longs.IsEmpty;
        if (validity is null)
        {
            for (int i = 0; i < values.Length; i++)
            {
                doubles[i] = double.CreateTruncating(values[i]);
            }
            if (withLongs)
            {
                for (int i = 0; i < values.Length; i++)
                {
                    longs[i] = long.CreateTruncating(values[i]);
                }
            }
            return values.Length;
        }
        int at = 0;
        ReadOnlySpan<ulong> words = validity.Words;
        for (int w = 0; w < words.Length; w++)
        {
            ulong bits = words[w];
            int start = w << 6;
            while (bits != 0)
            {
                int i = start + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                doubles[at] = double.CreateTruncating(values[i]);
                if (withLongs)
                {
                    longs[at] = long.CreateTruncating(values[i]);
                }
                at++;
            }
        }
        return at;
    }

    private ReadOnlySpan<double> DropNaN(ReadOnlySpan<double> numbers)
    {
        double[] kept = numbers.Overlaps(_doubles) ? _doubles : Scratch(ref _doubles, numbers.Length);
        int at = 0;
        foreach (double v in numbers)
        {
            if (double.IsNaN(v))
            {
                NaNs++;
            }
            else
            {
                kept[at++] = v;
            }
        }
        return kept.AsSpan(0, at);
    }

    private void ObserveBooleans(PrimitiveColumn<bool> column)
    {
        ReadOnlySpan<bool> values = column.Values;
        ValidityBitmap? validity = column.Validity;
        long trues = 0;
        long present = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (validity is null || validity.IsValid(i))
            {
                present++;
                trues += values[i] ? 1 : 0;
            }
        }
        long falses = present - trues;
        if (present == 0)
        {
            return;
        }
        if (Kinds.HasFlag(StatisticKinds.Moments))
        {
            double p = (double)trues / present;
            _moments.Merge(new Moments { Count = present, Mean = p, M2 = present * p * (1 - p), Min = falses > 0 ? 0 : 1, Max = trues > 0 ? 1 : 0 });
        }
        foreach ((long key, long count) in (ReadOnlySpan<(long, long)>)[(0, falses), (1, trues)])
        {
            if (count > 0)
            {
                _distinct?.Add(StableHash.OfInt64(key));
                _topNumbers?.Add(key, count);
            }
        }
    }

    // Counts rows per dictionary entry, then visits each used entry once: hashing, comparing and counting strings
    // costs per distinct value of the batch, not per row.
    private void ObserveText(StringColumn column)
    {
        Utf8Dictionary dictionary = column.Dictionary;
        int[] counts = Scratch(ref _entryCounts, dictionary.Count);
        counts.AsSpan(0, dictionary.Count).Clear();
        ReadOnlySpan<int> indices = column.Indices;
        ValidityBitmap? validity = column.Validity;
        if (validity is null)
        {
            foreach (int index in indices)
            {
                counts[index]++;
            }
        }
        else
        {
            for (int i = 0; i < indices.Length; i++)
            {
                if (validity.IsValid(i))
                {
                    counts[indices[i]]++;
                }
            }
        }
        bool range = Kinds.HasFlag(StatisticKinds.Moments);
        ReadOnlySpan<byte> min = default;
        ReadOnlySpan<byte> max = default;
        bool any = false;
        for (int e = 0; e < dictionary.Count; e++)
        {
            if (counts[e] == 0)
            {
                continue;
            }
            ReadOnlySpan<byte> bytes = dictionary.GetBytes(e);
            _distinct?.Add(StableHash.OfBytes(bytes));
            _topText?.Add(Field.Type == ColumnType.String ? dictionary.GetString(e) : "0x" + Convert.ToHexString(bytes), counts[e]);
            if (range)
            {
                if (!any || bytes.SequenceCompareTo(min) < 0)
                {
                    min = bytes;
                }
                if (!any || bytes.SequenceCompareTo(max) > 0)
                {
                    max = bytes;
                }
                any = true;
            }
        }
        _topText?.Prune();
        if (any)
        {
            MergeRange(min.ToArray(), max.ToArray());
        }
    }

    private void MergeRange(byte[]? min, byte[]? max)
    {
        if (min is not null && (_minBytes is null || min.AsSpan().SequenceCompareTo(_minBytes) < 0))
        {
            _minBytes = min;
        }
        if (max is not null && (_maxBytes is null || max.AsSpan().SequenceCompareTo(_maxBytes) > 0))
        {
            _maxBytes = max;
        }
    }

    private string Text(byte[] bytes) => Field.Type == ColumnType.String ? Encoding.UTF8.GetString(bytes) : "0x" + Convert.ToHexString(bytes);

    private static T[] Scratch<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        }
        return buffer;
    }

    private static ValueClass Classify(ColumnType type) => type switch
    {
        ColumnType.Double or ColumnType.Float or ColumnType.Float16 or ColumnType.Decimal => ValueClass.Floating,
        ColumnType.Int8 or ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64 or ColumnType.UInt8 or ColumnType.UInt16
            or ColumnType.UInt32 or ColumnType.UInt64 or ColumnType.Date or ColumnType.Timestamp or ColumnType.TimestampNanos
            or ColumnType.Time => ValueClass.Integral,
        ColumnType.Boolean => ValueClass.Boolean,
        ColumnType.String or ColumnType.Binary => ValueClass.Text,
        _ => ValueClass.Other,
    };

    /// <summary>Writes the state as a JSON object that <see cref="Read"/> turns back into an equal state.</summary>
    public void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("column", Field.Name);
        json.WriteString("type", Field.Type.ToString());
        json.WriteNumber("kinds", (int)Kinds);
        json.WriteNumber("rows", Rows);
        json.WriteNumber("nulls", Nulls);
        json.WriteNumber("nans", NaNs);
        if (Kinds.HasFlag(StatisticKinds.Moments))
        {
            json.WriteStartObject("moments");
            if (_class == ValueClass.Text)
            {
                if (_minBytes is not null)
                {
                    json.WriteBase64String("min", _minBytes);
                    json.WriteBase64String("max", _maxBytes);
                }
            }
            else
            {
                json.WriteNumber("count", _moments.Count);
                JsonFields.WriteDouble(json, "mean", _moments.Mean);
                JsonFields.WriteDouble(json, "m2", _moments.M2);
                JsonFields.WriteDouble(json, "min", _moments.Min);
                JsonFields.WriteDouble(json, "max", _moments.Max);
            }
            json.WriteEndObject();
        }
        if (_distinct is not null)
        {
            json.WriteStartObject("distinct");
            json.WriteBoolean("exact", _distinct.IsExact);
            if (_distinct.Sketch is { } sketch)
            {
                json.WriteBase64String("registers", sketch.Registers);
            }
            else
            {
                ulong[] hashes = _distinct.SortedHashes();
                json.WriteBase64String("hashes", MemoryMarshal.AsBytes(hashes.AsSpan()));
            }
            json.WriteEndObject();
        }
        if (_quantiles is not null)
        {
            json.WritePropertyName("quantiles");
            WriteSketch(json, _quantiles);
        }
        if (_topText is not null || _topNumbers is not null)
        {
            json.WriteStartObject("topK");
            json.WriteNumber("errorBound", TopErrorBound!.Value);
            json.WriteStartArray("items");
            if (_topText is not null)
            {
                foreach ((string key, long count) in _topText.Sorted())
                {
                    json.WriteStartArray();
                    json.WriteStringValue(key);
                    json.WriteNumberValue(count);
                    json.WriteEndArray();
                }
            }
            else
            {
                foreach ((long key, long count) in _topNumbers!.Sorted())
                {
                    json.WriteStartArray();
                    json.WriteNumberValue(key);
                    json.WriteNumberValue(count);
                    json.WriteEndArray();
                }
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    /// <summary>Reads a state written by <see cref="WriteJson"/>; <paramref name="fields"/> names the file in errors.</summary>
    /// <exception cref="InvalidDataException">The object is not such a state; the message says where and what was expected.</exception>
    public static ColumnStatistics Read(JsonFields fields)
    {
        string name = fields.String("column");
        string typeName = fields.String("type");
        if (!Enum.TryParse(typeName, out ColumnType type) || !Enum.IsDefined(type))
        {
            throw fields.Error($"column '{name}' has type \"{typeName}\", expected a column type such as Double or String.");
        }
        long kindsValue = fields.Count("kinds");
        var kinds = (StatisticKinds)kindsValue;
        if (kindsValue > (long)StatisticKinds.All || (kinds & ~Supported(type)) != 0)
        {
            throw fields.Error($"column '{name}' has kinds {kindsValue}, expected a combination of the statistics a {type} column supports ({(int)Supported(type)}).");
        }
        var stats = new ColumnStatistics(new ColumnField(name, type, Nullable: true), kinds)
        {
            Rows = fields.Count("rows"),
            Nulls = fields.Count("nulls"),
            NaNs = fields.Count("nans"),
        };
        if (stats.Nulls > stats.Rows)
        {
            throw fields.Error($"column '{name}' has {stats.Nulls} nulls in {stats.Rows} rows.");
        }
        if (kinds.HasFlag(StatisticKinds.Moments))
        {
            JsonFields m = fields.Object("moments");
            if (stats._class == ValueClass.Text)
            {
                if (m.Has("min"))
                {
                    stats._minBytes = m.Bytes("min");
                    stats._maxBytes = m.Bytes("max");
                }
            }
            else
            {
                stats._moments = new Moments { Count = m.Count("count"), Mean = m.Double("mean"), M2 = m.Double("m2"), Min = m.Double("min"), Max = m.Double("max") };
            }
        }
        if (kinds.HasFlag(StatisticKinds.Distinct))
        {
            JsonFields d = fields.Object("distinct");
            if (d.Boolean("exact"))
            {
                byte[] bytes = d.Bytes("hashes");
                if (bytes.Length % 8 != 0)
                {
                    throw d.Error($"\"hashes\" holds {bytes.Length} bytes, expected a multiple of 8 (64-bit hashes).");
                }
                stats._distinct = DistinctCounter.FromHashes(MemoryMarshal.Cast<byte, ulong>(bytes).ToArray());
            }
            else
            {
                stats._distinct = DistinctCounter.FromSketch(HyperLogLog.FromRegisters(d.Bytes("registers"))
                    ?? throw d.Error($"\"registers\" is not a HyperLogLog of {1 << HyperLogLog.Precision} registers."));
            }
        }
        if (kinds.HasFlag(StatisticKinds.Quantiles))
        {
            stats._quantiles = ReadSketch(fields.Object("quantiles"));
        }
        if (kinds.HasFlag(StatisticKinds.TopK))
        {
            JsonFields t = fields.Object("topK");
            long errorBound = t.Count("errorBound");
            if (!t.Element.TryGetProperty("items", out JsonElement items) || items.ValueKind != JsonValueKind.Array)
            {
                throw t.Error("missing \"items\" (an array of [value, count] pairs).");
            }
            int i = 0;
            foreach (JsonElement item in items.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Array || item.GetArrayLength() != 2 || !item[1].TryGetInt64(out long count) || count <= 0)
                {
                    throw t.Error($"items[{i}] is not a [value, count] pair with a count ≥ 1.");
                }
                if (stats._topText is not null && item[0].ValueKind == JsonValueKind.String)
                {
                    stats._topText.Add(item[0].GetString()!, count);
                }
                else if (stats._topNumbers is not null && item[0].ValueKind == JsonValueKind.Number && item[0].TryGetInt64(out long key))
                {
                    stats._topNumbers.Add(key, count);
                }
                else
                {
                    throw t.Error($"items[{i}] has a {item[0].ValueKind.ToString().ToLowerInvariant()} value, expected a {(stats._topText is not null ? "string" : "whole number")} for a {type} column.");
                }
                i++;
            }
            if ((stats._topText?.Tracked ?? stats._topNumbers!.Tracked) > FrequentItems<long>.DefaultCapacity)
            {
                throw t.Error($"\"items\" holds {i} values, more than the {FrequentItems<long>.DefaultCapacity} counters a summary keeps.");
            }
            stats._topText?.RestoreErrorBound(errorBound);
            stats._topNumbers?.RestoreErrorBound(errorBound);
        }
        return stats;
    }

    /// <summary>Writes a quantile sketch as a JSON object.</summary>
    public static void WriteSketch(Utf8JsonWriter json, QuantileSketch sketch)
    {
        json.WriteStartObject();
        json.WriteNumber("k", sketch.K);
        json.WriteNumber("count", sketch.Count);
        JsonFields.WriteDouble(json, "min", sketch.Min);
        JsonFields.WriteDouble(json, "max", sketch.Max);
        json.WriteNumber("random", sketch.RandomState);
        json.WriteStartArray("levels");
        for (int h = 0; h < sketch.LevelCount; h++)
        {
            json.WriteStartArray();
            foreach (double v in sketch.Level(h))
            {
                JsonFields.WriteDouble(json, v);
            }
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Reads a sketch written by <see cref="WriteSketch"/>.</summary>
    public static QuantileSketch ReadSketch(JsonFields q)
    {
        long k = q.Count("k");
        return QuantileSketch.FromParts((int)Math.Min(k, int.MaxValue), q.Count("count"), q.Double("min"), q.Double("max"), q.UInt64("random"), q.DoubleArrays("levels"))
            ?? throw q.Error("the quantile sketch is inconsistent: its levels' weights do not add up to its count, or it holds NaN.");
    }
}

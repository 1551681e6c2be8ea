using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dsl.Validation.Statistics;

/// <summary>
/// A dataset profile: per schema its row count, and per column the summary a person reads (counts, min, max, mean,
/// variance, quantiles, a histogram, the most frequent values) plus the quantile sketch that drift checks compare
/// against. Saved as a versioned JSON file (<see cref="Format"/>) by <c>profile</c> and read back as a reference.
/// </summary>
internal sealed class DatasetProfile
{
    /// <summary>The format name and version written and accepted.</summary>
    public const string Format = "dsl-profile/1";

    /// <summary>The normalized ranks whose values a profile lists.</summary>
    public static readonly double[] ProfileRanks = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1];

    /// <summary>The number of equal-width bins of a numeric column's histogram.</summary>
    public const int HistogramBins = 20;

    /// <summary>A profile of <paramref name="schemas"/>.</summary>
    public DatasetProfile(IReadOnlyList<SchemaProfile> schemas, DateTime createdUtc)
    {
        Schemas = schemas;
        CreatedUtc = createdUtc;
    }

    /// <summary>The schemas profiled.</summary>
    public IReadOnlyList<SchemaProfile> Schemas { get; }

    /// <summary>When the profile was made.</summary>
    public DateTime CreatedUtc { get; }

    /// <summary>The profile of schema <paramref name="name"/>, or null.</summary>
    public SchemaProfile? Schema(string name) => Schemas.FirstOrDefault(s => s.Name == name);

    /// <summary>Summarizes merged statistics (gathered with <see cref="SchemaStatistics.ForProfile"/>, or any kinds).</summary>
    public static DatasetProfile From(StatisticsSet statistics, DateTime createdUtc) =>
        new([.. statistics.Schemas.Select(s => new SchemaProfile(s.Name, s.Rows, [.. s.Columns.Select(ColumnProfile.From)]))], createdUtc);

    /// <summary>The profile as indented UTF-8 JSON.</summary>
    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("createdUtc", CreatedUtc);
            json.WriteStartArray("schemas");
            foreach (SchemaProfile schema in Schemas)
            {
                json.WriteStartObject();
                json.WriteString("name", schema.Name);
                json.WriteNumber("rows", schema.Rows);
                json.WriteStartArray("columns");
                foreach (ColumnProfile column in schema.Columns)
                {
                    column.Write(json);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>Writes the profile to <paramref name="path"/> (through a temporary file, so a reader never sees half of it).</summary>
    public void Write(string path)
    {
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, ToJson());
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads the profile at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a <c>dsl-profile/1</c> profile; the message names the file, where in it, and what was expected.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static DatasetProfile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such reference profile; write one with `profile` ({Format}).", path);
        }
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads a profile from UTF-8 JSON; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a <c>dsl-profile/1</c> profile.</exception>
    public static DatasetProfile Parse(ReadOnlyMemory<byte> utf8, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a JSON document ({e.Message}); expected a dataset profile ({Format}) written by `profile`.", e);
        }
        using (document)
        {
            JsonFields root = JsonFields.Root(document, source, "a dataset profile");
            ProfileFormat.CheckFormat(root, Format, "a dataset profile written by `profile`");
            string created = root.String("createdUtc");
            if (!DateTime.TryParse(created, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out DateTime createdUtc))
            {
                throw root.Error($"\"createdUtc\" is \"{created}\", expected an ISO 8601 date and time.");
            }
            List<SchemaProfile> schemas = [.. root.Objects("schemas").Select(s => new SchemaProfile(s.String("name"), s.Count("rows"), [.. s.Objects("columns").Select(ColumnProfile.Read)]))];
            return new DatasetProfile(schemas, createdUtc);
        }
    }
}

/// <summary>One schema of a <see cref="DatasetProfile"/>.</summary>
/// <param name="Name">The schema's name.</param>
/// <param name="Rows">Its rows.</param>
/// <param name="Columns">Its columns' profiles.</param>
internal sealed record SchemaProfile(string Name, long Rows, IReadOnlyList<ColumnProfile> Columns)
{
    /// <summary>The profile of column <paramref name="name"/>, or null.</summary>
    public ColumnProfile? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);
}

/// <summary>A numeric column's histogram: <c>Counts[i]</c> values in (<c>Edges[i]</c>, <c>Edges[i + 1]</c>], the first bin including <c>Edges[0]</c>.</summary>
/// <param name="Edges">The bin edges, one more than the bins, from the min to the max.</param>
/// <param name="Counts">The values in each bin, estimated from the quantile sketch (exact while it is exact).</param>
internal sealed record Histogram(double[] Edges, long[] Counts);

/// <summary>The value at one normalized rank.</summary>
/// <param name="Rank">The rank, 0 to 1.</param>
/// <param name="Value">The value (the sketch's inverse CDF).</param>
internal readonly record struct QuantilePoint(double Rank, double Value);

/// <summary>One column of a <see cref="DatasetProfile"/>.</summary>
internal sealed class ColumnProfile
{
    /// <summary>The column's name.</summary>
    public required string Name { get; init; }

    /// <summary>Its type.</summary>
    public required ColumnType Type { get; init; }

    /// <summary>Rows.</summary>
    public long Rows { get; init; }

    /// <summary>Null rows.</summary>
    public long Nulls { get; init; }

    /// <summary>NaN values (not in the moments, quantiles or distinct count).</summary>
    public long NaNs { get; init; }

    /// <summary>Non-null, non-NaN values.</summary>
    public long Values { get; init; }

    /// <summary>Mean of the values, for numeric and boolean columns.</summary>
    public double? Mean { get; init; }

    /// <summary>Population variance.</summary>
    public double? Variance { get; init; }

    /// <summary>Smallest value (numeric).</summary>
    public double? Min { get; init; }

    /// <summary>Largest value (numeric).</summary>
    public double? Max { get; init; }

    /// <summary>Smallest value (text, in code point order).</summary>
    public string? MinText { get; init; }

    /// <summary>Largest value (text).</summary>
    public string? MaxText { get; init; }

    /// <summary>Distinct values.</summary>
    public long? Distinct { get; init; }

    /// <summary>Whether <see cref="Distinct"/> is exact (else a HyperLogLog estimate).</summary>
    public bool DistinctExact { get; init; }

    /// <summary>Values at <see cref="DatasetProfile.ProfileRanks"/>.</summary>
    public IReadOnlyList<QuantilePoint> Quantiles { get; init; } = [];

    /// <summary>The histogram of a numeric column.</summary>
    public Histogram? Histogram { get; init; }

    /// <summary>The most frequent values with their counts (all tracked, most frequent first).</summary>
    public IReadOnlyList<KeyValuePair<string, long>> TopValues { get; init; } = [];

    /// <summary>How far below the true count a <see cref="TopValues"/> count may be (0: exact), when tracked.</summary>
    public long? TopErrorBound { get; init; }

    /// <summary>The quantile sketch (for drift checks), when gathered.</summary>
    public QuantileSketch? Sketch { get; init; }

    /// <summary>The population standard deviation.</summary>
    public double? StdDev => Variance is { } v ? Math.Sqrt(v) : null;

    /// <summary>The values that are not among <see cref="TopValues"/>.</summary>
    public long OtherCount => Math.Max(0, Values - TopValues.Sum(kv => kv.Value));

    /// <summary>Whether the column is text or boolean (compared by frequencies in drift checks).</summary>
    public bool IsCategorical => Type is ColumnType.String or ColumnType.Binary or ColumnType.Boolean;

    /// <summary>Summarizes one column's statistics.</summary>
    public static ColumnProfile From(ColumnStatistics s)
    {
        bool moments = s.Kinds.HasFlag(StatisticKinds.Moments) && !double.IsNaN(s.Mean);
        QuantileSketch? sketch = s.Quantiles;
        return new ColumnProfile
        {
            Name = s.Field.Name,
            Type = s.Field.Type,
            Rows = s.Rows,
            Nulls = s.Nulls,
            NaNs = s.NaNs,
            Values = s.Rows - s.Nulls - s.NaNs,
            Mean = moments ? s.Mean : null,
            Variance = moments ? s.Variance : null,
            Min = moments ? s.Min : null,
            Max = moments ? s.Max : null,
            MinText = s.MinText,
            MaxText = s.MaxText,
            Distinct = s.Distinct?.Count,
            DistinctExact = s.Distinct?.IsExact ?? false,
            Quantiles = sketch is { Count: > 0 } ? [.. DatasetProfile.ProfileRanks.Zip(sketch.Quantiles(DatasetProfile.ProfileRanks), (r, v) => new QuantilePoint(r, v))] : [],
            Histogram = sketch is { Count: > 0 } ? HistogramOf(sketch) : null,
            TopValues = s.TopValues(),
            TopErrorBound = s.TopErrorBound,
            Sketch = sketch,
        };
    }

    /// <summary>
    /// <see cref="DatasetProfile.HistogramBins"/> equal-width bins from the sketch's min to its max (one bin when they
    /// are equal); counts come from the sketch's ranks at the edges, rounded so that they add up to the count.
    /// </summary>
    public static Histogram HistogramOf(QuantileSketch sketch)
    {
        double min = sketch.Min;
        double max = sketch.Max;
        int bins = max > min && double.IsFinite(max - min) ? DatasetProfile.HistogramBins : 1;
        var edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++)
        {
            edges[i] = i == bins ? max : min + ((max - min) * i / bins);
        }
        var counts = new long[bins];
        long previous = 0;
        for (int i = 0; i < bins; i++)
        {
            long cumulative = i == bins - 1 ? sketch.Count : (long)Math.Round(sketch.Rank(edges[i + 1]) * sketch.Count);
            counts[i] = Math.Max(0, cumulative - previous);
            previous = Math.Max(previous, cumulative);
        }
        return new Histogram(edges, counts);
    }

    /// <summary>Writes the column as a JSON object.</summary>
    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("name", Name);
        json.WriteString("type", Type.ToString());
        json.WriteNumber("rows", Rows);
        json.WriteNumber("nulls", Nulls);
        json.WriteNumber("nans", NaNs);
        json.WriteNumber("values", Values);
        WriteOptional(json, "mean", Mean);
        WriteOptional(json, "variance", Variance);
        WriteOptional(json, "stdDev", StdDev);
        WriteOptional(json, "min", Min);
        WriteOptional(json, "max", Max);
        if (MinText is not null)
        {
            json.WriteString("minText", MinText);
            json.WriteString("maxText", MaxText);
        }
        if (Distinct is { } distinct)
        {
            json.WriteNumber("distinct", distinct);
            json.WriteBoolean("distinctExact", DistinctExact);
        }
        if (Quantiles.Count > 0)
        {
            json.WriteStartArray("quantiles");
            foreach (QuantilePoint q in Quantiles)
            {
                json.WriteStartObject();
                json.WriteNumber("rank", q.Rank);
                JsonFields.WriteDouble(json, "value", q.Value);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        if (Histogram is { } histogram)
        {
            json.WriteStartObject("histogram");
            json.WriteStartArray("edges");
            foreach (double edge in histogram.Edges)
            {
                JsonFields.WriteDouble(json, edge);
            }
            json.WriteEndArray();
            json.WriteStartArray("counts");
            foreach (long count in histogram.Counts)
            {
                json.WriteNumberValue(count);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        if (TopErrorBound is { } errorBound)
        {
            json.WriteStartObject("topK");
            json.WriteNumber("errorBound", errorBound);
            json.WriteNumber("other", OtherCount);
            json.WriteStartArray("items");
            foreach ((string value, long count) in TopValues)
            {
                json.WriteStartObject();
                json.WriteString("value", value);
                json.WriteNumber("count", count);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        if (Sketch is not null)
        {
            json.WritePropertyName("sketch");
            ColumnStatistics.WriteSketch(json, Sketch);
        }
        json.WriteEndObject();
    }

    /// <summary>Reads a column written by <see cref="Write"/>.</summary>
    public static ColumnProfile Read(JsonFields c)
    {
        string name = c.String("name");
        string typeName = c.String("type");
        if (!Enum.TryParse(typeName, out ColumnType type) || !Enum.IsDefined(type))
        {
            throw c.Error($"column '{name}' has type \"{typeName}\", expected a column type such as Double or String.");
        }
        Histogram? histogram = null;
        if (c.Has("histogram"))
        {
            JsonFields h = c.Object("histogram");
            histogram = new Histogram(h.Doubles("edges"), h.Counts("counts"));
            if (histogram.Edges.Length != histogram.Counts.Length + 1)
            {
                throw h.Error($"column '{name}' has {histogram.Edges.Length} histogram edges for {histogram.Counts.Length} bins, expected one edge more than bins.");
            }
        }
        List<KeyValuePair<string, long>> top = [];
        long? errorBound = null;
        if (c.Has("topK"))
        {
            JsonFields t = c.Object("topK");
            errorBound = t.Count("errorBound");
            top = [.. t.Objects("items").Select(i => KeyValuePair.Create(i.String("value"), i.Count("count")))];
        }
        return new ColumnProfile
        {
            Name = name,
            Type = type,
            Rows = c.Count("rows"),
            Nulls = c.Count("nulls"),
            NaNs = c.Count("nans"),
            Values = c.Count("values"),
            Mean = c.OptionalDouble("mean"),
            Variance = c.OptionalDouble("variance"),
            Min = c.OptionalDouble("min"),
            Max = c.OptionalDouble("max"),
            MinText = c.OptionalString("minText"),
            MaxText = c.OptionalString("maxText"),
            Distinct = c.Has("distinct") ? c.Count("distinct") : null,
            DistinctExact = c.Has("distinctExact") && c.Boolean("distinctExact"),
            Quantiles = c.Has("quantiles") ? [.. c.Objects("quantiles").Select(q => new QuantilePoint(q.Double("rank"), q.Double("value")))] : [],
            Histogram = histogram,
            TopValues = top,
            TopErrorBound = errorBound,
            Sketch = c.Has("sketch") ? ColumnStatistics.ReadSketch(c.Object("sketch")) : null,
        };
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            JsonFields.WriteDouble(json, name, v);
        }
    }
}

/// <summary>The <c>"format"</c> check shared by the statistics and profile files.</summary>
internal static class ProfileFormat
{
    /// <summary>Checks that <paramref name="root"/> says it is <paramref name="format"/>.</summary>
    /// <exception cref="InvalidDataException">It names no format or another one.</exception>
    public static void CheckFormat(JsonFields root, string format, string what)
    {
        if (!root.Has("format"))
        {
            throw root.Error($"missing \"format\"; expected \"{format}\" ({what}).");
        }
        string found = root.String("format");
        if (found != format)
        {
            string family = format[..format.IndexOf('/')];
            throw root.Error(found.StartsWith(family + "/", StringComparison.Ordinal)
                ? $"format is \"{found}\", expected \"{format}\": this runtime reads only version {format[(format.IndexOf('/') + 1)..]} of {what}; write the file again with this version."
                : $"format is \"{found}\", expected \"{format}\" ({what}).");
        }
    }
}

using System.Globalization;
using System.Text.Json;

namespace Dsl.Validation.Statistics;

/// <summary>
/// Reads one JSON object of a statistics or profile file with errors that name the file, the object's path in it and
/// what was expected there (<c>stats.json: schemas[0].columns[2].moments: missing "mean" (a number)</c>).
/// </summary>
internal readonly struct JsonFields(JsonElement element, string source, string path)
{
    /// <summary>The object read.</summary>
    public JsonElement Element => element;

    /// <summary>Where the object is, for messages.</summary>
    public string Path => path;

    /// <summary>The file (or other source) read.</summary>
    public string Source => source;

    /// <summary>Reads the root of <paramref name="document"/>, which must be an object.</summary>
    public static JsonFields Root(JsonDocument document, string source, string what)
    {
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{source}: the file holds a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, expected an object ({what}).");
        }
        return new JsonFields(document.RootElement, source, "");
    }

    /// <summary>An error at this object.</summary>
    public InvalidDataException Error(string message) => new($"{source}: {(path.Length == 0 ? "" : path + ": ")}{message}");

    /// <summary>Whether the object has <paramref name="name"/>.</summary>
    public bool Has(string name) => element.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>A required string.</summary>
    public string String(string name) =>
        Get(name, JsonValueKind.String, "a string").GetString()!;

    /// <summary>An optional string.</summary>
    public string? OptionalString(string name) => Has(name) ? String(name) : null;

    /// <summary>A required boolean.</summary>
    public bool Boolean(string name)
    {
        JsonElement value = Required(name, "true or false");
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error($"\"{name}\" is {Describe(value)}, expected true or false."),
        };
    }

    /// <summary>A required non-negative integer.</summary>
    public long Count(string name)
    {
        JsonElement value = Get(name, JsonValueKind.Number, "a whole number");
        if (!value.TryGetInt64(out long count) || count < 0)
        {
            throw Error($"\"{name}\" is {Describe(value)}, expected a whole number ≥ 0.");
        }
        return count;
    }

    /// <summary>A required unsigned 64-bit integer.</summary>
    public ulong UInt64(string name)
    {
        JsonElement value = Get(name, JsonValueKind.Number, "a whole number");
        if (!value.TryGetUInt64(out ulong result))
        {
            throw Error($"\"{name}\" is {Describe(value)}, expected a whole number between 0 and 2^64 - 1.");
        }
        return result;
    }

    /// <summary>A required double, written by <see cref="WriteDouble(System.Text.Json.Utf8JsonWriter, string, double)"/> (a number, or "NaN", "Infinity", "-Infinity").</summary>
    public double Double(string name) => ToDouble(Required(name, "a number"), name);

    /// <summary>An optional double (null when absent or null).</summary>
    public double? OptionalDouble(string name) => Has(name) ? Double(name) : null;

    /// <summary>A required array of doubles.</summary>
    public double[] Doubles(string name)
    {
        JsonElement array = Get(name, JsonValueKind.Array, "an array of numbers");
        var values = new double[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            values[i] = ToDouble(item, $"{name}[{i}]");
            i++;
        }
        return values;
    }

    /// <summary>A required array of whole numbers ≥ 0.</summary>
    public long[] Counts(string name)
    {
        JsonElement array = Get(name, JsonValueKind.Array, "an array of whole numbers");
        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out values[i]) || values[i] < 0)
            {
                throw Error($"\"{name}[{i}]\" is {Describe(item)}, expected a whole number ≥ 0.");
            }
            i++;
        }
        return values;
    }

    /// <summary>Base64 bytes.</summary>
    public byte[] Bytes(string name)
    {
        string text = String(name);
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw Error($"\"{name}\" is not base64 text.");
        }
    }

    /// <summary>A required nested object.</summary>
    public JsonFields Object(string name) =>
        new(Get(name, JsonValueKind.Object, "an object"), source, Join(name));

    /// <summary>A required array of objects.</summary>
    public List<JsonFields> Objects(string name)
    {
        JsonElement array = Get(name, JsonValueKind.Array, "an array of objects");
        var items = new List<JsonFields>();
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            string at = $"{Join(name)}[{i}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{source}: {at} is {Describe(item)}, expected an object.");
            }
            items.Add(new JsonFields(item, source, at));
            i++;
        }
        return items;
    }

    /// <summary>A required array of arrays of doubles.</summary>
    public List<double[]> DoubleArrays(string name)
    {
        JsonElement array = Get(name, JsonValueKind.Array, "an array of arrays of numbers");
        var result = new List<double[]>();
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Array)
            {
                throw Error($"\"{name}[{i}]\" is {Describe(item)}, expected an array of numbers.");
            }
            var values = new double[item.GetArrayLength()];
            int j = 0;
            foreach (JsonElement v in item.EnumerateArray())
            {
                values[j] = ToDouble(v, $"{name}[{i}][{j}]");
                j++;
            }
            result.Add(values);
            i++;
        }
        return result;
    }

    /// <summary>Writes a double so that <see cref="Double"/> reads it back bit for bit; JSON has no NaN or infinities, so they become strings.</summary>
    public static void WriteDouble(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    /// <summary><see cref="WriteDouble(Utf8JsonWriter, double)"/> as a property.</summary>
    public static void WriteDouble(Utf8JsonWriter json, string name, double value)
    {
        json.WritePropertyName(name);
        WriteDouble(json, value);
    }

    private double ToDouble(JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number))
        {
            return number;
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            switch (value.GetString())
            {
                case "NaN":
                    return double.NaN;
                case "Infinity":
                    return double.PositiveInfinity;
                case "-Infinity":
                    return double.NegativeInfinity;
            }
        }
        throw Error($"\"{name}\" is {Describe(value)}, expected a number (or \"NaN\", \"Infinity\", \"-Infinity\").");
    }

    private JsonElement Required(string name, string expected)
    {
        if (!element.TryGetProperty(name, out JsonElement value))
        {
            throw Error($"missing \"{name}\" ({expected}).");
        }
        return value;
    }

    private JsonElement Get(string name, JsonValueKind kind, string expected)
    {
        JsonElement value = Required(name, expected);
        if (value.ValueKind != kind)
        {
            throw Error($"\"{name}\" is {Describe(value)}, expected {expected}.");
        }
        return value;
    }

    private string Join(string name) => path.Length == 0 ? name : path + "." + name;

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "the string \"" + Shorten(value.GetString()!) + "\"",
        JsonValueKind.Number => "the number " + value.GetRawText(),
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    private static string Shorten(string text) =>
        text.Length <= 40 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..40]}… ({text.Length} characters)");
}

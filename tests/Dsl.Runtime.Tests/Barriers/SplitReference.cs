using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dsl.Execution;
using Dsl.Testing;

namespace Dsl.Runtime.Tests.Barriers;

/// <summary>
/// Runs split_reference.py (beside this file: the split hash and assignment of docs/splits.md, written in plain
/// Python from that text) under /usr/bin/python3 over a batch's key columns, as the reference the runtime must match.
/// </summary>
internal static class SplitReference
{
    private const string Python = "/usr/bin/python3";

    public static string Script => Path.Combine(RepoPaths.RepoRoot, "tests", "Dsl.Runtime.Tests", "Barriers", "split_reference.py");

    /// <summary>The reference's hashes and subsets of <paramref name="batch"/>'s rows under <paramref name="plan"/> (stratified when it says so).</summary>
    public static (ulong[] Hashes, int[] Subsets) Run(SplitPlan plan, RecordBatch batch, int maxBuckets = 1 << 16)
    {
        using var request = new MemoryStream();
        using (var json = new Utf8JsonWriter(request))
        {
            json.WriteStartObject();
            json.WriteNumber("seed", plan.Seed);
            json.WriteStartArray("fractions");
            foreach (double f in plan.Fractions)
            {
                json.WriteNumberValue(f);
            }
            json.WriteEndArray();
            json.WriteStartArray("columns");
            foreach (string name in plan.Key)
            {
                WriteColumn(json, batch.Schema[batch.Schema.IndexOf(name)], batch[name]);
            }
            json.WriteEndArray();
            if (plan.StratifyBy is { } stratify)
            {
                Column column = batch[stratify];
                json.WriteStartArray("strata");
                for (int row = 0; row < batch.RowCount; row++)
                {
                    switch (column.GetValue(row))
                    {
                        case null: json.WriteNullValue(); break;
                        case bool b: json.WriteBooleanValue(b); break;
                        case int i: json.WriteNumberValue(i); break;
                        case long l: json.WriteNumberValue(l); break;
                        case string s: json.WriteStringValue(s); break;
                    }
                }
                json.WriteEndArray();
                json.WriteNumber("max_buckets", maxBuckets);
            }
            json.WriteEndObject();
        }
        string stdout = Exec(request.ToArray(), []);
        using JsonDocument answer = JsonDocument.Parse(stdout);
        ulong[] hashes = [.. answer.RootElement.GetProperty("hashes").EnumerateArray().Select(h => ulong.Parse(h.GetString()!, CultureInfo.InvariantCulture))];
        int[] subsets = [.. answer.RootElement.GetProperty("subsets").EnumerateArray().Select(s => s.GetInt32())];
        return (hashes, subsets);
    }

    /// <summary>Runs the script's check of its MurmurHash3 against the function's published value.</summary>
    public static void SelfTest() => Exec([], ["--self-test"]);

    private static void WriteColumn(Utf8JsonWriter json, ColumnField field, Column column)
    {
        json.WriteStartObject();
        string type = field.Type switch
        {
            ColumnType.Boolean => "bool",
            ColumnType.Int8 or ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64 or ColumnType.UInt8 or ColumnType.UInt16 or ColumnType.UInt32 => "int64",
            ColumnType.UInt64 => "uint64",
            ColumnType.Float or ColumnType.Double or ColumnType.Float16 => "double",
            ColumnType.String => "string",
            ColumnType.Binary => "binary",
            ColumnType.Timestamp => "timestamp_micros",
            ColumnType.TimestampNanos => "timestamp_nanos",
            ColumnType.Date => "date",
            ColumnType.Decimal => "decimal",
            ColumnType.Uuid => "uuid",
            ColumnType.Time => "time",
            _ => throw new ArgumentException($"No reference encoding for {field.TypeName}."),
        };
        json.WriteString("type", type);
        json.WriteNumber("scale", field.Scale);
        json.WriteStartArray("values");
        for (int row = 0; row < column.Length; row++)
        {
            if (column.IsNull(row))
            {
                json.WriteNullValue();
                continue;
            }
            // The stored value, not the CLR one GetValue makes (a timestamp's microseconds, a date's days).
            switch (column)
            {
                case StringColumn s when field.Type == ColumnType.Binary: json.WriteStringValue(Convert.ToHexString(s.GetBytes(row))); break;
                case StringColumn s: json.WriteStringValue(s.GetString(row)); break;
                case PrimitiveColumn<bool> b: json.WriteBooleanValue(b[row]); break;
                case PrimitiveColumn<sbyte> v: json.WriteNumberValue(v[row]); break;
                case PrimitiveColumn<short> v: json.WriteNumberValue(v[row]); break;
                case PrimitiveColumn<int> v: json.WriteNumberValue(v[row]); break;
                case PrimitiveColumn<long> v: json.WriteNumberValue(v[row]); break;
                case PrimitiveColumn<byte> v: json.WriteNumberValue(v[row]); break;
                case PrimitiveColumn<ushort> v: json.WriteNumberValue(v[row]); break;
                case PrimitiveColumn<uint> v: json.WriteNumberValue(v[row]); break;
                case PrimitiveColumn<ulong> v: json.WriteNumberValue(v[row]); break;
                case PrimitiveColumn<double> v: json.WriteNumberValue(BitConverter.DoubleToInt64Bits(v[row])); break;
                case PrimitiveColumn<float> v: json.WriteNumberValue(BitConverter.DoubleToInt64Bits(v[row])); break;
                case PrimitiveColumn<Half> v: json.WriteNumberValue(BitConverter.DoubleToInt64Bits((double)v[row])); break;
                case PrimitiveColumn<Int128> v: json.WriteStringValue(v[row].ToString(CultureInfo.InvariantCulture)); break;
                case PrimitiveColumn<Guid> v: json.WriteStringValue(v[row].ToString("D")); break;
                default: throw new ArgumentException($"No reference value for {column.GetType().Name}.");
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Exec(byte[] input, string[] args)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing; the split tests check the runtime against a reference in Debian's python3 (apt-get install python3).");
        var start = new ProcessStartInfo(Python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Script);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{Script} failed (exit {process.ExitCode}):\n{stderr.Result}");
        return stdout.Result;
    }
}

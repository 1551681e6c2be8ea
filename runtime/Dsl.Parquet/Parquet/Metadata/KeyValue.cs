using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Metadata;

/// <summary>A key/value metadata entry of a file or column chunk.</summary>
internal sealed class KeyValue
{
    /// <summary>The key.</summary>
    public string Key { get; set; } = "";

    /// <summary>The value, if any.</summary>
    public string? Value { get; set; }

    internal static KeyValue Read(ref ThriftCompactReader reader)
    {
        var kv = new KeyValue();
        bool hasKey = false;
        reader.BeginStruct();
        short last = 0;
        while (reader.NextField(ref last, out short id, out byte type))
        {
            switch (id)
            {
                case 1 when type == CompactType.Binary:
                    kv.Key = reader.ReadString();
                    hasKey = true;
                    break;
                case 2 when type == CompactType.Binary:
                    kv.Value = reader.ReadString();
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }
        reader.EndStruct();
        MetadataErrors.Require(hasKey, "KeyValue", "key");
        return kv;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.BeginStruct();
        writer.StringField(1, Key);
        if (Value is not null)
        {
            writer.StringField(2, Value);
        }
        writer.EndStruct();
    }

    internal static List<KeyValue> ReadList(ref ThriftCompactReader reader, byte type)
    {
        int count = MetadataErrors.ListOf(ref reader, type, CompactType.Struct, "key_value_metadata");
        var list = new List<KeyValue>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(Read(ref reader));
        }
        return list;
    }

    internal static void WriteList(ThriftCompactWriter writer, short fieldId, List<KeyValue> list)
    {
        writer.ListField(fieldId, CompactType.Struct, list.Count);
        foreach (KeyValue kv in list)
        {
            kv.Write(writer);
        }
    }
}

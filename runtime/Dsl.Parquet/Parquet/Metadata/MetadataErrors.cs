using Dsl.Parquet.Thrift;

namespace Dsl.Parquet.Metadata;

/// <summary>Shared checks for the Thrift structures.</summary>
internal static class MetadataErrors
{
    public static void Require(bool present, string structName, string fieldName)
    {
        if (!present)
        {
            throw new ParquetFormatException($"The Thrift {structName} structure lacks its required field '{fieldName}'; the metadata is corrupt or was written by a non-conforming writer.");
        }
    }

    /// <summary>Reads a list header whose elements must have compact type <paramref name="expectedElement"/>.</summary>
    public static int ListOf(ref ThriftCompactReader reader, byte fieldType, byte expectedElement, string fieldName)
    {
        if (fieldType != CompactType.List && fieldType != CompactType.Set)
        {
            throw new ParquetFormatException($"The Thrift field '{fieldName}' should be a list but has compact type {fieldType}; the metadata is corrupt.");
        }
        int count = reader.ReadListHeader(out byte elementType);
        if (count > 0 && elementType != expectedElement)
        {
            throw new ParquetFormatException($"The Thrift list '{fieldName}' should hold elements of compact type {expectedElement} but holds type {elementType}; the metadata is corrupt.");
        }
        return count;
    }

    public static void Expect(byte actual, byte expected, string fieldName)
    {
        if (actual != expected)
        {
            throw new ParquetFormatException($"The Thrift field '{fieldName}' should have compact type {expected} but has type {actual}; the metadata is corrupt.");
        }
    }

    public static bool IsBool(byte type) => type is CompactType.BooleanTrue or CompactType.BooleanFalse;
}

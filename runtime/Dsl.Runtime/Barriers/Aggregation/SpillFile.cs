using System.Buffers.Binary;
using System.Text;
using Dsl.Validation;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// The format of a file of partial aggregate groups (docs/aggregate.md): an 8-byte magic <c>DSLAGGSP</c>, a 32-bit
/// version, the 64-bit fingerprint of the <see cref="AggregateLayout"/> that wrote it; then blocks, each a 32-bit
/// payload length, the payload's 64-bit hash (the low word of <see cref="KeyHash"/>) and the payload, a run of
/// records; then an end block of length 0 and the 64-bit number of records. A record is its 32-bit length, the key's
/// length and bytes, the key's 64-bit hash and each output's state in layout order. All numbers little-endian.
/// </summary>
internal static class SpillFile
{
    /// <summary>The version this runtime writes and reads.</summary>
    public const int Version = 2;

    /// <summary>Bytes of records gathered before a block is written.</summary>
    public const int BlockBytes = 1 << 16;

    public const int HeaderBytes = 8 + 4 + 8;

    public const int BlockHeaderBytes = 4 + 8;

    public static ReadOnlySpan<byte> Magic => "DSLAGGSP"u8;

    /// <summary>The hash a block's payload is checked against.</summary>
    public static ulong Checksum(ReadOnlySpan<byte> payload) => (ulong)KeyHash.Hash(payload);

    /// <summary>The hash of a record's key (after its length).</summary>
    public static ulong RecordHash(ReadOnlySpan<byte> record, string path)
    {
        var reader = new SpillReader(record, path);
        reader.ReadBytes();
        return reader.ReadUInt64();
    }

    /// <summary>A fingerprint of everything that shapes a record: stage, key types, and each output's function and types.</summary>
    public static ulong Fingerprint(AggregateLayout layout)
    {
        var text = new StringBuilder();
        text.Append(layout.Plan.Stage).Append('|');
        foreach (ColumnField key in layout.Keys.Fields)
        {
            text.Append(key.TypeName).Append(',');
        }
        foreach (AggregateColumn column in layout.Columns)
        {
            text.Append('|').Append(column.Output.Function).Append(':').Append(column.InputField?.TypeName)
                .Append(':').Append(column.OrderField?.TypeName).Append(':').Append(column.OutputField.TypeName);
        }
        return (ulong)KeyHash.Hash(Encoding.UTF8.GetBytes(text.ToString()));
    }

    public static void WriteHeader(Span<byte> header, ulong fingerprint)
    {
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(header[12..], fingerprint);
    }

    /// <summary>The error for a file that cannot be read back as written.</summary>
    public static InvalidDataException Damaged(string path, string what) =>
        new($"The aggregate spill file '{path}' is damaged or truncated: {what}. Spill files are written and read by one run; delete the run's scratch folder and run the stage again.");
}

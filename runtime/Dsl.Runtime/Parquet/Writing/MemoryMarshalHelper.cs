using System.Buffers;
using System.Runtime.InteropServices;

namespace Dsl.Parquet.Writing;

/// <summary>Access to bytes already written to an <see cref="ArrayBufferWriter{T}"/>, to patch a length prefix.</summary>
internal static class MemoryMarshalHelper
{
    /// <summary>A writable view of the written bytes from <paramref name="offset"/> on.</summary>
    public static Span<byte> Writable(ArrayBufferWriter<byte> writer, int offset)
    {
        // WrittenMemory is read-only by type only: it is the writer's own array, which we still own.
        ReadOnlyMemory<byte> written = writer.WrittenMemory[offset..];
        return MemoryMarshal.AsMemory(written).Span;
    }
}

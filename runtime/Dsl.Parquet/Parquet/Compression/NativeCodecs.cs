using System.Runtime.InteropServices;

namespace Dsl.Parquet.Compression;

/// <summary>
/// The system's libzstd and liblz4, loaded on first use through <see cref="NativeLibrary"/>. When a library is
/// missing, <see cref="Zstd"/> or <see cref="Lz4"/> returns null and the caller says which library is needed.
/// </summary>
internal static unsafe class NativeCodecs
{
    private static readonly Lazy<ZstdApi?> s_zstd = new(LoadZstd);
    private static readonly Lazy<Lz4Api?> s_lz4 = new(LoadLz4);

    public const string ZstdLibrary = "libzstd.so.1";
    public const string Lz4Library = "liblz4.so.1";

    public static ZstdApi? Zstd => s_zstd.Value;

    public static Lz4Api? Lz4 => s_lz4.Value;

    /// <summary>Why a codec's library is unavailable, as a full sentence.</summary>
    public static string Missing(string codec, string library) =>
        $"{codec} pages need the native library {library} (or its platform equivalent), which could not be loaded; install it (on Debian and Ubuntu: {(library == ZstdLibrary ? "libzstd1" : "liblz4-1")}).";

    private static IntPtr Load(params string[] names)
    {
        foreach (string name in names)
        {
            if (NativeLibrary.TryLoad(name, out IntPtr handle))
            {
                return handle;
            }
        }
        return IntPtr.Zero;
    }

    private static ZstdApi? LoadZstd()
    {
        IntPtr lib = Load(ZstdLibrary, "libzstd.so", "libzstd.dylib", "libzstd.1.dylib", "libzstd.dll", "zstd");
        if (lib == IntPtr.Zero)
        {
            return null;
        }
        return new ZstdApi(
            (delegate* unmanaged<byte*, nuint, byte*, nuint, nuint>)NativeLibrary.GetExport(lib, "ZSTD_decompress"),
            (delegate* unmanaged<byte*, nuint, byte*, nuint, int, nuint>)NativeLibrary.GetExport(lib, "ZSTD_compress"),
            (delegate* unmanaged<nuint, nuint>)NativeLibrary.GetExport(lib, "ZSTD_compressBound"),
            (delegate* unmanaged<nuint, uint>)NativeLibrary.GetExport(lib, "ZSTD_isError"),
            (delegate* unmanaged<nuint, byte*>)NativeLibrary.GetExport(lib, "ZSTD_getErrorName"),
            (delegate* unmanaged<byte*, nuint, ulong>)NativeLibrary.GetExport(lib, "ZSTD_getFrameContentSize"),
            (delegate* unmanaged<byte*, nuint, nuint>)NativeLibrary.GetExport(lib, "ZSTD_findFrameCompressedSize"));
    }

    private static Lz4Api? LoadLz4()
    {
        IntPtr lib = Load(Lz4Library, "liblz4.so", "liblz4.dylib", "liblz4.1.dylib", "liblz4.dll", "lz4");
        if (lib == IntPtr.Zero)
        {
            return null;
        }
        return new Lz4Api(
            (delegate* unmanaged<byte*, byte*, int, int, int>)NativeLibrary.GetExport(lib, "LZ4_decompress_safe"),
            (delegate* unmanaged<byte*, byte*, int, int, int>)NativeLibrary.GetExport(lib, "LZ4_compress_default"),
            (delegate* unmanaged<int, int>)NativeLibrary.GetExport(lib, "LZ4_compressBound"));
    }

    /// <summary>The few libzstd entry points used here.</summary>
    internal sealed class ZstdApi(
        delegate* unmanaged<byte*, nuint, byte*, nuint, nuint> decompress,
        delegate* unmanaged<byte*, nuint, byte*, nuint, int, nuint> compress,
        delegate* unmanaged<nuint, nuint> compressBound,
        delegate* unmanaged<nuint, uint> isError,
        delegate* unmanaged<nuint, byte*> errorName,
        delegate* unmanaged<byte*, nuint, ulong> frameContentSize,
        delegate* unmanaged<byte*, nuint, nuint> findFrameCompressedSize)
    {
        /// <summary>
        /// The decompressed size <paramref name="source"/> declares when it is a single frame whose header records it;
        /// null for several frames, a size left out, or bytes that are not a frame.
        /// </summary>
        public long? DeclaredSize(ReadOnlySpan<byte> source)
        {
            fixed (byte* src = source)
            {
                ulong size = frameContentSize(src, (nuint)source.Length);
                // ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR are the two largest values.
                if (size >= ulong.MaxValue - 1 || size > long.MaxValue)
                {
                    return null;
                }
                nuint frame = findFrameCompressedSize(src, (nuint)source.Length);
                return isError(frame) == 0 && frame == (nuint)source.Length ? (long)size : null;
            }
        }

        /// <summary>Decompresses one or more frames into <paramref name="destination"/>; returns the bytes written.</summary>
        public int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                nuint result = decompress(dst, (nuint)destination.Length, src, (nuint)source.Length);
                if (isError(result) != 0)
                {
                    throw new ParquetFormatException($"The ZSTD data is corrupt: {ErrorName(result)}.");
                }
                return (int)result;
            }
        }

        /// <summary>Compresses <paramref name="source"/> into <paramref name="target"/> (grown to the bound); returns the bytes written.</summary>
        public int Compress(ReadOnlySpan<byte> source, int level, ref byte[] target)
        {
            PageCompression.EnsureCapacity(ref target, (int)compressBound((nuint)source.Length));
            fixed (byte* src = source)
            fixed (byte* dst = target)
            {
                nuint result = compress(dst, (nuint)target.Length, src, (nuint)source.Length, level);
                if (isError(result) != 0)
                {
                    throw new InvalidOperationException($"ZSTD compression failed: {ErrorName(result)}.");
                }
                return (int)result;
            }
        }

        private string ErrorName(nuint code) => Marshal.PtrToStringUTF8((IntPtr)errorName(code))?.TrimEnd('.') ?? "unknown error";
    }

    /// <summary>The few liblz4 entry points used here (block format).</summary>
    internal sealed class Lz4Api(
        delegate* unmanaged<byte*, byte*, int, int, int> decompressSafe,
        delegate* unmanaged<byte*, byte*, int, int, int> compressDefault,
        delegate* unmanaged<int, int> compressBound)
    {
        /// <summary>Decompresses one LZ4 block; returns the bytes written, or -1 when the block is malformed or too large.</summary>
        public int TryDecompress(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                int result = decompressSafe(src, dst, source.Length, destination.Length);
                return result < 0 ? -1 : result;
            }
        }

        /// <summary>Compresses one LZ4 block into <paramref name="target"/> (grown to the bound); returns the bytes written.</summary>
        public int Compress(ReadOnlySpan<byte> source, ref byte[] target)
        {
            PageCompression.EnsureCapacity(ref target, Math.Max(compressBound(source.Length), 16));
            fixed (byte* src = source)
            fixed (byte* dst = target)
            {
                int result = compressDefault(src, dst, source.Length, target.Length);
                if (result <= 0)
                {
                    throw new InvalidOperationException($"LZ4 compression of {source.Length} bytes failed.");
                }
                return result;
            }
        }
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Dsl.Execution.Commit;

/// <summary>What identifies one input file's content without reading its data: path, size, modification time and a hash of its footer.</summary>
/// <param name="Path">The full path.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="LastWriteUtc">Its modification time.</param>
/// <param name="FooterSha256">SHA-256 of the Parquet footer (schema, row groups, their offsets and statistics).</param>
internal sealed record FileFingerprint(string Path, long Bytes, DateTime LastWriteUtc, string FooterSha256)
{
    /// <summary>
    /// Whether <see cref="FooterSha256"/> hashes the whole file rather than a Parquet footer: text input has no footer,
    /// and its planning scan reads every byte anyway (see <c>TextFileScanner</c>).
    /// </summary>
    public bool WholeFile { get; init; }

    /// <summary>Reads the footer of the file open as <paramref name="stream"/> (its last 8 bytes name the footer's length) and hashes it.</summary>
    public static FileFingerprint Of(FileStream stream)
    {
        string path = stream.Name;
        var info = new FileInfo(path);
        long length = stream.Length;
        string footerHash;
        Span<byte> tail = stackalloc byte[8];
        if (length >= 12)
        {
            stream.Seek(-8, SeekOrigin.End);
            stream.ReadExactly(tail);
            long footer = Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(tail), length - 8);
            byte[] bytes = new byte[footer + 8];
            stream.Seek(-bytes.Length, SeekOrigin.End);
            stream.ReadExactly(bytes);
            footerHash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        }
        else
        {
            byte[] all = new byte[length];
            stream.Seek(0, SeekOrigin.Begin);
            stream.ReadExactly(all);
            footerHash = Convert.ToHexStringLower(SHA256.HashData(all));
        }
        return new FileFingerprint(System.IO.Path.GetFullPath(path), length, info.LastWriteTimeUtc, footerHash);
    }
}

/// <summary>
/// Task keys: a task's output is reused (after a crash, or when a rerun finds it in the previous output) only when
/// its key is equal, that is when the code (the build of the pipeline's assembly and of the runtime), the plan with
/// its parameter values, the write settings, the output layout, the input file's fingerprint and the row-group range
/// are all the same.
/// </summary>
internal static class Fingerprints
{
    /// <summary>
    /// The builds of the code a run executes: the module version ids of the assemblies its kernels are compiled into and
    /// of the runtime. A deterministic build of unchanged source keeps its id; any change to a stage gives a new one.
    /// </summary>
    public static string Code(CompiledPipeline pipeline) => string.Join(
        ',',
        pipeline.Kernels.Select(k => k.Method.Module.ModuleVersionId)
            .Append(typeof(Fingerprints).Module.ModuleVersionId)
            .Distinct()
            .Select(id => id.ToString("N")));

    /// <summary>Hash of everything about a run except which input it reads.</summary>
    public static string Run(string code, string planJson, string writeSettings, IEnumerable<string> sinkFolders)
    {
        var text = new StringBuilder()
            .Append("dsl-run-v2\n")
            .Append(typeof(Fingerprints).Assembly.GetName().Version).Append('\n')
            .Append(code).Append('\n')
            .Append(planJson).Append('\n')
            .Append(writeSettings).Append('\n')
            .AppendJoin('\u001f', sinkFolders);
        return Hash(text.ToString());
    }

    /// <summary>The key of one task: the run's hash, the input file and the row groups it covers.</summary>
    public static string Task(string run, FileFingerprint file, int firstRowGroup, int rowGroups) =>
        Hash($"{run}\n{file.Path}\n{file.Bytes}\n{file.LastWriteUtc.Ticks}\n{file.FooterSha256}\n{firstRowGroup}\n{rowGroups}")[..32];

    /// <summary>
    /// The key of the task of <paramref name="partition"/>: for Parquet the row groups it covers; for text its format
    /// and byte range; and the hive folder values it fills columns with (they come from the path, which is hashed, but
    /// they are listed so that a key never depends on how a path is decoded).
    /// </summary>
    public static string Task(string run, FileFingerprint file, Partition partition)
    {
        if (partition.Format == InputFormat.Parquet && partition.PartitionValues.Count == 0)
        {
            return Task(run, file, partition.FirstRowGroup, partition.RowGroupCount);
        }
        var text = new StringBuilder()
            .Append(run).Append('\n').Append(file.Path).Append('\n').Append(file.Bytes).Append('\n').Append(file.LastWriteUtc.Ticks).Append('\n').Append(file.FooterSha256)
            .Append('\n').Append(partition.Format).Append('\n').Append(partition.FirstRowGroup).Append('\n').Append(partition.RowGroupCount)
            .Append('\n').Append(partition.ByteStart).Append('\n').Append(partition.ByteEnd).Append('\n').Append(partition.FirstLine);
        foreach (PartitionValue value in partition.PartitionValues)
        {
            text.Append('\n').Append(value.Column).Append('\u001f').Append(value.Value ?? "\u0000null");
        }
        return Hash(text.ToString())[..32];
    }

    /// <summary>The key of a whole job: the run's hash, then its tasks in partition order.</summary>
    public static string Job(IEnumerable<string> taskKeys) => Hash(string.Join('\n', taskKeys));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

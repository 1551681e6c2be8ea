using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Dsl.Execution.Commit;

/// <summary>
/// Exclusive ownership of one output folder for the length of a run: an advisory <c>flock</c> on
/// <c>.&lt;output&gt;.dsl/lock</c>, with <c>owner.json</c> beside it naming the holder. The kernel releases the lock
/// when the holder exits for any reason (kill -9 included), so there is no stale lock to break and no heartbeat to
/// keep; a second writer fails at once with the holder's process, host and start time.
/// </summary>
internal sealed class JobLock : IDisposable
{
    private readonly SafeFileHandle _handle;

    private JobLock(SafeFileHandle handle) => _handle = handle;

    /// <summary>Takes the lock or throws <see cref="OutputLockedException"/> naming the holder.</summary>
    public static JobLock Acquire(string workFolder, string output)
    {
        Directory.CreateDirectory(workFolder);
        string path = Path.Combine(workFolder, "lock");
        string ownerPath = Path.Combine(workFolder, "owner.json");
        SafeFileHandle handle;
        try
        {
            // On POSIX the lock is the explicit flock below (opening shared takes no lock of .NET's own, so it does
            // not depend on DOTNET_SYSTEM_IO_DISABLEFILELOCKING); on Windows it is the FileShare.None sharing lock.
            handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, NativeFileSystem.IsPosix ? FileShare.ReadWrite : FileShare.None);
        }
        catch (IOException e) when (IsSharingViolation(e))
        {
            // .NET takes a shared flock of its own when it opens a file, which fails while another run holds ours.
            throw new OutputLockedException(output, DescribeOwner(ownerPath));
        }
        try
        {
            if (!NativeFileSystem.TryLockExclusive(handle, path))
            {
                throw new OutputLockedException(output, DescribeOwner(ownerPath));
            }
            string temp = ownerPath + ".tmp";
            using (FileStream stream = File.Create(temp))
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteNumber("pid", Environment.ProcessId);
                json.WriteString("host", Environment.MachineName);
                json.WriteString("startedUtc", DateTime.UtcNow);
                json.WriteString("command", Environment.CommandLine);
                json.WriteEndObject();
            }
            File.Move(temp, ownerPath, overwrite: true);
            return new JobLock(handle);
        }
        catch
        {
            handle.Dispose(); // releases the lock if it was taken
            throw;
        }
    }

    // A sharing violation: Windows' ERROR_SHARING_VIOLATION, or on Unix the errno of a refused flock, EWOULDBLOCK
    // (11 on Linux, 35 on macOS and FreeBSD). Other errors (a read-only or full file system) keep their own message.
    private static bool IsSharingViolation(IOException e) =>
        e.HResult == unchecked((int)0x80070020) || (NativeFileSystem.IsPosix && e.HResult == (OperatingSystem.IsLinux() ? 11 : 35));

    /// <summary>Releases the lock (the lock file itself stays: deleting it would let two later runs lock different files).</summary>
    public void Dispose() => _handle.Dispose();

    // The holder writes owner.json just after it takes the lock, so a second writer that lost the race by moments can
    // look before the file exists (two runs started together): it reads again for a short while before giving up.
    private const int OwnerReadAttempts = 40;
    private static readonly TimeSpan OwnerReadPause = TimeSpan.FromMilliseconds(25);

    internal static string DescribeOwner(string ownerPath)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                using JsonDocument owner = JsonDocument.Parse(File.ReadAllText(ownerPath));
                JsonElement root = owner.RootElement;
                return $"process {root.GetProperty("pid").GetInt32()} on host '{root.GetProperty("host").GetString()}', started {root.GetProperty("startedUtc").GetDateTime():yyyy-MM-dd HH:mm:ss} UTC";
            }
            catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                if (attempt == OwnerReadAttempts)
                {
                    return "another process (its owner file could not be read)";
                }
                Thread.Sleep(OwnerReadPause);
            }
        }
    }
}

/// <summary>Another run holds the output folder.</summary>
public sealed class OutputLockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public OutputLockedException(string output, string holder)
        : base($"The output folder '{output}' is being written by another run ({holder}). Only one run may write an output at a time; wait for it to finish or stop it. The lock goes away when that process exits.")
    {
        Holder = holder;
    }

    /// <summary>The process holding the lock: its pid, host and start time.</summary>
    public string Holder { get; }
}

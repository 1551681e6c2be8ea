using System.Runtime.InteropServices;

namespace Dsl.Execution.Commit;

/// <summary>
/// The few POSIX calls the commit protocol needs and .NET does not expose: fsync of a folder (so a rename inside it is
/// durable), syncfs (many files and folders at once), an atomic exchange of two folders (<c>renameat2(RENAME_EXCHANGE)</c>, Linux 3.15+ on ext4, xfs, btrfs,
/// tmpfs), hard links, and <c>flock</c>. Each call says when the platform or file system lacks it, so the caller can
/// take its documented fallback.
/// </summary>
internal static partial class NativeFileSystem
{
    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int OpenReadOnly = 0;
    private const int OpenDirectory = 0x10000;

    // errno values (Linux) that mean "this file system or kernel cannot do it", not "it failed".
    private const int ENOSYS = 38;
    private const int EINVAL = 22;
    private const int ENOTSUP = 95;
    private const int EXDEV = 18;
    private const int EPERM = 1;
    private const int EWOULDBLOCK = 11;

    /// <summary>Whether this is a POSIX system, where these calls exist.</summary>
    public static bool IsPosix => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    // A libc without one of these entry points (renameat2 needs glibc 2.28) means "not available here", not a failure.
    private static bool Missing(Exception e) => e is EntryPointNotFoundException or DllNotFoundException;

    /// <summary>Makes the entries of <paramref name="directory"/> (renames, creations, deletions) durable.</summary>
    public static void FsyncDirectory(string directory)
    {
        if (!IsPosix)
        {
            return; // Windows has no directory fsync; NTFS journals metadata.
        }
        int fd;
        try
        {
            fd = Open(directory, OpenReadOnly | (OperatingSystem.IsLinux() ? OpenDirectory : 0));
        }
        catch (Exception e) when (Missing(e))
        {
            return;
        }
        if (fd < 0)
        {
            throw Error($"Could not open the folder '{directory}' to flush it to disk");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw Error($"Could not flush the folder '{directory}' to disk");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Flushes everything written to the file system holding <paramref name="path"/> (Linux <c>syncfs</c>): one call
    /// instead of thousands of fsyncs when a partitioned output writes thousands of files and folders. False where
    /// there is no such call (the caller then flushes each file or folder).
    /// </summary>
    public static bool TrySyncFileSystem(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        int fd;
        try
        {
            fd = Open(path, OpenReadOnly);
        }
        catch (Exception e) when (Missing(e))
        {
            return false;
        }
        if (fd < 0)
        {
            throw Error($"Could not open '{path}' to flush its file system to disk");
        }
        try
        {
            if (Syncfs(fd) == 0)
            {
                return true;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENOSYS)
            {
                return false;
            }
            throw Error($"Could not flush the file system of '{path}' to disk", errno);
        }
        catch (Exception e) when (Missing(e))
        {
            return false;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Swaps two existing folders in one atomic step. Returns false when the kernel or file system cannot (the caller
    /// then uses two renames); throws for real failures.
    /// </summary>
    public static bool TryExchange(string first, string second)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            if (Renameat2(AtFdCwd, first, AtFdCwd, second, RenameExchange) == 0)
            {
                return true;
            }
        }
        catch (Exception e) when (Missing(e))
        {
            return false;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno is ENOSYS or EINVAL or ENOTSUP)
        {
            return false;
        }
        throw Error($"Could not swap the new output '{first}' into the place of '{second}' (the previous output there is unchanged)", errno);
    }

    /// <summary>Creates <paramref name="link"/> as a second name of <paramref name="existing"/>; false when the file system cannot.</summary>
    public static bool TryHardLink(string existing, string link)
    {
        if (!IsPosix)
        {
            return false;
        }
        try
        {
            if (Link(existing, link) == 0)
            {
                return true;
            }
        }
        catch (Exception e) when (Missing(e))
        {
            return false;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno is EXDEV or EPERM or ENOTSUP or ENOSYS)
        {
            return false;
        }
        throw Error($"Could not link '{existing}' as '{link}'", errno);
    }

    /// <summary>
    /// Takes an exclusive advisory lock on an open file without waiting: true when taken, false when another process
    /// holds it. The kernel drops the lock when the process dies, so a killed run never leaves a stale lock.
    /// </summary>
    public static bool TryLockExclusive(SafeHandle file, string path)
    {
        if (!IsPosix)
        {
            return true; // Elsewhere the file is opened with FileShare.None, which is the lock.
        }
        try
        {
            if (Flock((int)file.DangerousGetHandle(), LockExclusive | LockNonBlocking) == 0)
            {
                return true;
            }
        }
        catch (Exception e) when (Missing(e))
        {
            throw new PlatformNotSupportedException($"This system's C library has no flock(), which the output lock '{path}' needs.", e);
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EWOULDBLOCK)
        {
            return false;
        }
        throw Error($"Could not lock '{path}'", errno);
    }

    /// <summary>Whether <paramref name="path"/> is a mount point (Linux: listed in /proc/self/mountinfo; elsewhere: false).</summary>
    public static bool IsMountPoint(string path)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/mountinfo"))
        {
            return false;
        }
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            // "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw": the fifth field is the mount
            // point, with space, tab, newline and backslash written as octal escapes.
            string[] fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) == full)
            {
                return true;
            }
        }
        return false;
    }

    private static string Unescape(string field) => field.Contains('\\')
        ? System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString())
        : field;

    private static IOException Error(string what, int? errno = null)
    {
        int code = errno ?? Marshal.GetLastPInvokeError();
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(code)} (errno {code}).", code);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int Syncfs(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Renameat2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string link);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}

using System.Diagnostics;
using System.Globalization;
using Dsl.Testing;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// Real storage failures against the real program, not injected ones: a file system that fills up during the run
/// (a 3 MiB tmpfs) and an output folder that cannot be replaced (the immutable attribute). Both need root with the
/// privileges to mount and to set attributes; without them the tests report "skipped" (the injected faults in
/// CommitProtocolTests cover the same code paths everywhere).
/// </summary>
public sealed class StorageFailureTests : IDisposable
{
    private static readonly Dictionary<string, string> Plain = [];

    private readonly TempDirectory _temp = TempDirectory.Create("dsl-storage");

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public void DiskFillsDuringTheRun_OneLineError_PreviousOutputIntact_SpaceGivenBack()
    {
        string mount = _temp.CreateSubdirectory("small");
        Skip.IfNot(Sh("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount) == 0, "mounting a tmpfs needs root with CAP_SYS_ADMIN");
        try
        {
            string output = Path.Combine(mount, "out");
            Assert.Equal(0, PipelineProcess.Run(Plain, "run", "--input", Sample("small", 20_000), "--output", output).Exit);
            Dictionary<string, byte[]> previous = Visible(output);
            long free = new DriveInfo(mount).AvailableFreeSpace;

            (int exit, _, string stderr) = PipelineProcess.Run(Plain, "run", "--input", Sample("large", 600_000), "--output", output);

            Assert.Equal(1, exit);
            string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), l => !l.StartsWith("progress: ", StringComparison.Ordinal));
            Assert.StartsWith("error: ", line);
            Assert.Contains("No space left on device", line);
            Assert.Equal(previous, Visible(output));
            Assert.False(Directory.Exists(Path.Combine(mount, ".out.dsl", "attempts")));
            Assert.False(Directory.Exists(Path.Combine(mount, ".out.dsl", "next")));
            // What the failed run wrote is gone again (committed tasks it kept for a rerun aside).
            long kept = Directory.Exists(Path.Combine(mount, ".out.dsl", "tasks"))
                ? Directory.GetFiles(Path.Combine(mount, ".out.dsl", "tasks"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length)
                : 0;
            Assert.True(new DriveInfo(mount).AvailableFreeSpace + kept + (64 << 10) >= free, "the failed run left files behind");
        }
        finally
        {
            Sh("umount", "-l", mount);
        }
    }

    [SkippableFact]
    public void OutputFolderCannotBeReplaced_OneLineError_PreviousOutputIntact_RerunAfterTheFixReusesTheWork()
    {
        string output = _temp.Combine("out");
        Assert.Equal(0, PipelineProcess.Run(Plain, "run", "--input", Sample("a", 20_000, seed: 1), "--output", output).Exit);
        Dictionary<string, byte[]> previous = Visible(output);
        Skip.IfNot(Sh("chattr", "+i", output) == 0, "the immutable attribute needs root with CAP_LINUX_IMMUTABLE on ext2/3/4, xfs or btrfs");
        int exit;
        string stderr;
        try
        {
            (exit, _, stderr) = PipelineProcess.Run(Plain, "run", "--input", Sample("b", 20_000, seed: 2), "--output", output);
        }
        finally
        {
            Sh("chattr", "-i", output);
        }

        Assert.Equal(1, exit);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), l => !l.StartsWith("progress: ", StringComparison.Ordinal));
        Assert.StartsWith("error: Could not swap the new output", line);
        Assert.Contains("Operation not permitted", line);
        Assert.Equal(previous, Visible(output));
        (int rerun, string stdout, string rerunErr) = PipelineProcess.Run(Plain, "run", "--input", Sample("b", 20_000, seed: 2), "--output", output);
        Assert.True(rerun == 0, rerunErr);
        Assert.Contains("reused", stdout);
    }

    private string Sample(string name, long rows, int seed = 42)
    {
        string dir = _temp.Combine("in-" + name);
        if (!Directory.Exists(dir))
        {
            (int exit, _, string stderr) = PipelineProcess.Run(Plain, "generate-sample", "--rows", rows.ToString(CultureInfo.InvariantCulture), "--files", "2", "--seed", seed.ToString(CultureInfo.InvariantCulture), "--output", dir);
            Assert.True(exit == 0, stderr);
        }
        return dir;
    }

    private static Dictionary<string, byte[]> Visible(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.parquet", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes)
            : [];

    private static int Sh(string program, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            using Process process = Process.Start(start)!;
            process.WaitForExit(30_000);
            return process.HasExited ? process.ExitCode : -1;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // the program is not installed
        }
    }
}

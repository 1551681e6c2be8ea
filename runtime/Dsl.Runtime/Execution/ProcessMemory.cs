using System.Diagnostics;
using System.Globalization;

namespace Dsl.Execution;

/// <summary>The process's peak resident set: VmHWM from /proc/self/status on Linux, the peak working set elsewhere.</summary>
internal static class ProcessMemory
{
    public static long PeakRssBytes()
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                foreach (string line in File.ReadLines("/proc/self/status"))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        string kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                        return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                    }
                }
            }
            using var self = Process.GetCurrentProcess();
            return self.PeakWorkingSet64;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or PlatformNotSupportedException)
        {
            return 0;
        }
    }
}

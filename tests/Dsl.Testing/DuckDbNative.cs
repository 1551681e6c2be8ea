using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Dsl.Testing;

/// <summary>
/// The few DuckDB C API entry points the tests need (signatures from <c>duckdb.h</c>), bound once per process
/// from <c>artifacts/duckdb/libduckdb.so</c>. The library is installed on first use by
/// <c>tests/tools/install-duckdb.sh</c> when it is missing.
/// </summary>
/// <remarks>
/// Handles (<c>duckdb_database</c>, <c>duckdb_connection</c>) are pointers; <c>duckdb_state</c> is a C enum
/// (0 = success); <c>idx_t</c> is <c>uint64_t</c>; C <c>bool</c> is read as a byte so that every signature stays
/// blittable.
/// </remarks>
internal sealed unsafe class DuckDbNative
{
    /// <summary>Environment variable naming a libduckdb to load instead of the one under artifacts/.</summary>
    public const string LibraryVariable = "DSL_DUCKDB_LIBRARY";

    private static readonly Lazy<DuckDbNative> s_instance = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private DuckDbNative(string path, IntPtr handle)
    {
        LibraryPath = path;
        Open = (delegate* unmanaged<byte*, IntPtr*, int>)Export(handle, "duckdb_open");
        Connect = (delegate* unmanaged<IntPtr, IntPtr*, int>)Export(handle, "duckdb_connect");
        Query = (delegate* unmanaged<IntPtr, byte*, DuckDbResult*, int>)Export(handle, "duckdb_query");
        ResultError = (delegate* unmanaged<DuckDbResult*, byte*>)Export(handle, "duckdb_result_error");
        RowCount = (delegate* unmanaged<DuckDbResult*, ulong>)Export(handle, "duckdb_row_count");
        ColumnCount = (delegate* unmanaged<DuckDbResult*, ulong>)Export(handle, "duckdb_column_count");
        ColumnName = (delegate* unmanaged<DuckDbResult*, ulong, byte*>)Export(handle, "duckdb_column_name");
        ValueInt64 = (delegate* unmanaged<DuckDbResult*, ulong, ulong, long>)Export(handle, "duckdb_value_int64");
        ValueDouble = (delegate* unmanaged<DuckDbResult*, ulong, ulong, double>)Export(handle, "duckdb_value_double");
        ValueVarchar = (delegate* unmanaged<DuckDbResult*, ulong, ulong, byte*>)Export(handle, "duckdb_value_varchar");
        ValueIsNull = (delegate* unmanaged<DuckDbResult*, ulong, ulong, byte>)Export(handle, "duckdb_value_is_null");
        Free = (delegate* unmanaged<void*, void>)Export(handle, "duckdb_free");
        DestroyResult = (delegate* unmanaged<DuckDbResult*, void>)Export(handle, "duckdb_destroy_result");
        Disconnect = (delegate* unmanaged<IntPtr*, void>)Export(handle, "duckdb_disconnect");
        Close = (delegate* unmanaged<IntPtr*, void>)Export(handle, "duckdb_close");
        LibraryVersion = (delegate* unmanaged<byte*>)Export(handle, "duckdb_library_version");
    }

    public static DuckDbNative Instance => s_instance.Value;

    public string LibraryPath { get; }

    // duckdb_state duckdb_open(const char *path, duckdb_database *out_database)
    public delegate* unmanaged<byte*, IntPtr*, int> Open { get; }

    // duckdb_state duckdb_connect(duckdb_database database, duckdb_connection *out_connection)
    public delegate* unmanaged<IntPtr, IntPtr*, int> Connect { get; }

    // duckdb_state duckdb_query(duckdb_connection connection, const char *query, duckdb_result *out_result)
    public delegate* unmanaged<IntPtr, byte*, DuckDbResult*, int> Query { get; }

    // const char *duckdb_result_error(duckdb_result *result)
    public delegate* unmanaged<DuckDbResult*, byte*> ResultError { get; }

    // idx_t duckdb_row_count(duckdb_result *result)
    public delegate* unmanaged<DuckDbResult*, ulong> RowCount { get; }

    // idx_t duckdb_column_count(duckdb_result *result)
    public delegate* unmanaged<DuckDbResult*, ulong> ColumnCount { get; }

    // const char *duckdb_column_name(duckdb_result *result, idx_t col)
    public delegate* unmanaged<DuckDbResult*, ulong, byte*> ColumnName { get; }

    // int64_t duckdb_value_int64(duckdb_result *result, idx_t col, idx_t row)
    public delegate* unmanaged<DuckDbResult*, ulong, ulong, long> ValueInt64 { get; }

    // double duckdb_value_double(duckdb_result *result, idx_t col, idx_t row)
    public delegate* unmanaged<DuckDbResult*, ulong, ulong, double> ValueDouble { get; }

    // char *duckdb_value_varchar(duckdb_result *result, idx_t col, idx_t row); free with duckdb_free
    public delegate* unmanaged<DuckDbResult*, ulong, ulong, byte*> ValueVarchar { get; }

    // bool duckdb_value_is_null(duckdb_result *result, idx_t col, idx_t row)
    public delegate* unmanaged<DuckDbResult*, ulong, ulong, byte> ValueIsNull { get; }

    // void duckdb_free(void *ptr)
    public delegate* unmanaged<void*, void> Free { get; }

    // void duckdb_destroy_result(duckdb_result *result)
    public delegate* unmanaged<DuckDbResult*, void> DestroyResult { get; }

    // void duckdb_disconnect(duckdb_connection *connection)
    public delegate* unmanaged<IntPtr*, void> Disconnect { get; }

    // void duckdb_close(duckdb_database *database)
    public delegate* unmanaged<IntPtr*, void> Close { get; }

    // const char *duckdb_library_version()
    public delegate* unmanaged<byte*> LibraryVersion { get; }

    /// <summary>The default library location: <c>&lt;RepoRoot&gt;/artifacts/duckdb/libduckdb.so</c>.</summary>
    public static string DefaultLibraryPath => Path.Combine(RepoPaths.Artifacts, "duckdb", "libduckdb.so");

    private static string InstallScript => Path.Combine(RepoPaths.RepoRoot, "tests", "tools", "install-duckdb.sh");

    private static string HowToInstall =>
        $"Run 'tests/tools/install-duckdb.sh' from the repository root (it needs npm and access to the npm registry), or set {LibraryVariable} to the path of a libduckdb.so.";

    private static DuckDbNative Load()
    {
        string? overridePath = Environment.GetEnvironmentVariable(LibraryVariable);
        string path = string.IsNullOrEmpty(overridePath) ? DefaultLibraryPath : overridePath;
        if (!File.Exists(path))
        {
            if (!string.IsNullOrEmpty(overridePath))
            {
                throw new InvalidOperationException($"{LibraryVariable} names '{overridePath}', which does not exist. Point it at a libduckdb.so or unset it.");
            }
            InstallOnce(path);
        }
        if (!NativeLibrary.TryLoad(path, out IntPtr handle))
        {
            throw new InvalidOperationException($"The DuckDB library at '{path}' could not be loaded. {HowToInstall}");
        }
        return new DuckDbNative(path, handle);
    }

    // Test assemblies run in parallel processes and test classes in parallel threads: the Lazy above serializes
    // threads, and an exclusive lock file serializes processes, so the installer runs at most once at a time and
    // a process that waited finds the library already there. The lock file is left in place (artifacts/ is
    // git-ignored): deleting it on close would let two processes lock two different files.
    private static void InstallOnce(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string lockPath = Path.Combine(RepoPaths.Artifacts, "duckdb-install.lock");
        using FileStream fileLock = AcquireLock(lockPath, TimeSpan.FromMinutes(5));
        if (File.Exists(path))
        {
            return;
        }
        RunInstaller();
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"tests/tools/install-duckdb.sh finished but '{path}' does not exist. {HowToInstall}");
        }
    }

    private static FileStream AcquireLock(string lockPath, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.Elapsed < timeout)
            {
                Thread.Sleep(200);
            }
        }
    }

    private static void RunInstaller()
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.RepoRoot,
        };
        start.ArgumentList.Add(InstallScript);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("The process could not be started.");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new InvalidOperationException($"DuckDB is not installed and 'bash {InstallScript}' could not be started: {ex.Message} {HowToInstall}", ex);
        }
        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"Installing DuckDB with '{InstallScript}' took more than 5 minutes and was stopped. {HowToInstall}");
            }
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"DuckDB is not installed and '{InstallScript}' failed with exit code {process.ExitCode}. {HowToInstall}{Environment.NewLine}{stdout.Result}{stderr.Result}");
            }
        }
    }

    private static IntPtr Export(IntPtr handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out IntPtr address)
            ? address
            : throw new InvalidOperationException($"The DuckDB library does not export '{name}'; it is older or newer than the C API these tests use. Reinstall it with 'tests/tools/install-duckdb.sh --force'.");
}

using System.Runtime.InteropServices;
using System.Text;

namespace Dsl.Testing;

/// <summary>
/// A DuckDB database and one connection to it, through DuckDB's C API: enough to write Parquet files with
/// <c>COPY ... TO</c> and to query files written by our own writer, so the two implementations check each other.
/// </summary>
/// <remarks>
/// <para>Not thread-safe: use one instance per test. The native library is located (and installed when missing)
/// on first use; see <see cref="LibraryPath"/>.</para>
/// <para>Results are read only through <c>duckdb_value_*</c>, never through data chunks: once a value function has
/// touched a result, DuckDB's chunk fetching on it returns NULL.</para>
/// </remarks>
public sealed unsafe class DuckDb : IDisposable
{
    private readonly DuckDbNative _native;
    private IntPtr _database;
    private IntPtr _connection;

    private DuckDb(DuckDbNative native, IntPtr database, IntPtr connection)
    {
        _native = native;
        _database = database;
        _connection = connection;
    }

    /// <summary>The path of the loaded <c>libduckdb.so</c> (installing it first when it is missing).</summary>
    public static string LibraryPath => DuckDbNative.Instance.LibraryPath;

    /// <summary>DuckDB's version string, e.g. <c>v1.5.1</c>.</summary>
    public static string Version => Marshal.PtrToStringUTF8((IntPtr)DuckDbNative.Instance.LibraryVersion()) ?? "";

    /// <summary>Opens a database: in memory when <paramref name="path"/> is null, else the database file at that path.</summary>
    /// <exception cref="InvalidOperationException">DuckDB could not be installed, loaded or opened.</exception>
    public static DuckDb Open(string? path = null)
    {
        DuckDbNative native = DuckDbNative.Instance;
        IntPtr database = IntPtr.Zero;
        byte[]? utf8Path = path is null ? null : ToUtf8(path);
        fixed (byte* p = utf8Path)
        {
            if (native.Open(p, &database) != 0)
            {
                throw new InvalidOperationException($"DuckDB could not open the database '{path ?? ":memory:"}'.");
            }
        }
        IntPtr connection = IntPtr.Zero;
        if (native.Connect(database, &connection) != 0)
        {
            native.Close(&database);
            throw new InvalidOperationException($"DuckDB opened the database '{path ?? ":memory:"}' but could not connect to it.");
        }
        return new DuckDb(native, database, connection);
    }

    /// <summary>Quotes <paramref name="text"/> as a SQL string literal (single quotes, inner quotes doubled).</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>Runs a statement whose result, if any, is not needed.</summary>
    /// <exception cref="DuckDbException">DuckDB reported an error; the message carries DuckDB's text.</exception>
    public void Execute(string sql)
    {
        DuckDbResult result = default;
        RunQuery(sql, &result);
        _native.DestroyResult(&result);
    }

    /// <summary>The first column of the single row <paramref name="sql"/> returns, as a 64-bit integer.</summary>
    /// <exception cref="InvalidOperationException">The query returned no rows, more than one row, or NULL.</exception>
    public long QueryScalarInt64(string sql)
    {
        DuckDbResult result = default;
        RunQuery(sql, &result);
        try
        {
            RequireSingleValue(sql, &result);
            if (_native.ValueIsNull(&result, 0, 0) != 0)
            {
                throw new InvalidOperationException($"The query returned NULL where an integer was expected: {sql}");
            }
            return _native.ValueInt64(&result, 0, 0);
        }
        finally
        {
            _native.DestroyResult(&result);
        }
    }

    /// <summary>The first column of the single row <paramref name="sql"/> returns, as a double, or null for SQL NULL.</summary>
    /// <exception cref="InvalidOperationException">The query returned no rows or more than one row.</exception>
    public double? QueryScalarDouble(string sql)
    {
        DuckDbResult result = default;
        RunQuery(sql, &result);
        try
        {
            RequireSingleValue(sql, &result);
            return _native.ValueIsNull(&result, 0, 0) != 0 ? null : _native.ValueDouble(&result, 0, 0);
        }
        finally
        {
            _native.DestroyResult(&result);
        }
    }

    /// <summary>The first column of the single row <paramref name="sql"/> returns, as text, or null for SQL NULL.</summary>
    /// <exception cref="InvalidOperationException">The query returned no rows or more than one row.</exception>
    public string? QueryScalarString(string sql)
    {
        DuckDbResult result = default;
        RunQuery(sql, &result);
        try
        {
            RequireSingleValue(sql, &result);
            return ReadVarchar(&result, 0, 0);
        }
        finally
        {
            _native.DestroyResult(&result);
        }
    }

    /// <summary>Every row <paramref name="sql"/> returns, each value rendered as text by DuckDB (null for SQL NULL).</summary>
    public IReadOnlyList<IReadOnlyList<string?>> QueryRows(string sql) => Query(sql).Rows;

    /// <summary>The column names and rows <paramref name="sql"/> returns, each value rendered as text by DuckDB.</summary>
    public DuckDbTable Query(string sql)
    {
        DuckDbResult result = default;
        RunQuery(sql, &result);
        try
        {
            ulong columnCount = _native.ColumnCount(&result);
            ulong rowCount = _native.RowCount(&result);
            var names = new string[columnCount];
            for (ulong c = 0; c < columnCount; c++)
            {
                names[c] = Marshal.PtrToStringUTF8((IntPtr)_native.ColumnName(&result, c)) ?? "";
            }
            var rows = new IReadOnlyList<string?>[rowCount];
            for (ulong r = 0; r < rowCount; r++)
            {
                var row = new string?[columnCount];
                for (ulong c = 0; c < columnCount; c++)
                {
                    row[c] = ReadVarchar(&result, c, r);
                }
                rows[r] = row;
            }
            return new DuckDbTable(names, rows);
        }
        finally
        {
            _native.DestroyResult(&result);
        }
    }

    /// <summary>Writes the rows of <paramref name="selectSql"/> to the Parquet file <paramref name="path"/>.</summary>
    /// <param name="selectSql">A query, e.g. <c>SELECT i, i * 2.5 AS d FROM range(1000) t(i)</c>.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="options">Extra <c>COPY</c> options, e.g. <c>COMPRESSION zstd, ROW_GROUP_SIZE 1000</c>.</param>
    public void CopyToParquet(string selectSql, string path, string? options = null)
    {
        string extra = string.IsNullOrWhiteSpace(options) ? "" : ", " + options;
        Execute($"COPY ({selectSql}) TO {Literal(path)} (FORMAT parquet{extra})");
    }

    /// <summary>The number of rows in the Parquet files matching <paramref name="parquetGlob"/>, as DuckDB reads them.</summary>
    public long CountParquetRows(string parquetGlob) =>
        QueryScalarInt64($"SELECT count(*) FROM read_parquet({Literal(parquetGlob)})");

    /// <summary>
    /// One row of aggregates over the Parquet files matching <paramref name="parquetGlob"/>, as text, e.g.
    /// <c>AggregateParquet(glob, "count(*)", "sum(amount)", "count(country)")</c>. Compare it with the same
    /// aggregates computed from our reader's output.
    /// </summary>
    public IReadOnlyList<string?> AggregateParquet(string parquetGlob, params string[] expressions)
    {
        if (expressions.Length == 0)
        {
            throw new ArgumentException("Give at least one aggregate expression, such as 'count(*)'.", nameof(expressions));
        }
        return QueryRows($"SELECT {string.Join(", ", expressions)} FROM read_parquet({Literal(parquetGlob)})")[0];
    }

    /// <summary>Closes the connection and the database.</summary>
    public void Dispose()
    {
        if (_connection != IntPtr.Zero)
        {
            IntPtr connection = _connection;
            _native.Disconnect(&connection);
            _connection = IntPtr.Zero;
        }
        if (_database != IntPtr.Zero)
        {
            IntPtr database = _database;
            _native.Close(&database);
            _database = IntPtr.Zero;
        }
    }

    private void RunQuery(string sql, DuckDbResult* result)
    {
        ObjectDisposedException.ThrowIf(_connection == IntPtr.Zero, this);
        byte[] utf8 = ToUtf8(sql);
        int state;
        fixed (byte* p = utf8)
        {
            state = _native.Query(_connection, p, result);
        }
        if (state != 0)
        {
            // duckdb_query fills the result even on failure; it holds the error text and must still be destroyed.
            string error = Marshal.PtrToStringUTF8((IntPtr)_native.ResultError(result)) ?? "unknown error";
            _native.DestroyResult(result);
            throw new DuckDbException(sql, error);
        }
    }

    private void RequireSingleValue(string sql, DuckDbResult* result)
    {
        ulong rows = _native.RowCount(result);
        ulong columns = _native.ColumnCount(result);
        if (rows != 1 || columns < 1)
        {
            throw new InvalidOperationException($"The query returned {rows} rows of {columns} columns where exactly one value was expected: {sql}");
        }
    }

    private string? ReadVarchar(DuckDbResult* result, ulong column, ulong row)
    {
        if (_native.ValueIsNull(result, column, row) != 0)
        {
            return null;
        }
        byte* text = _native.ValueVarchar(result, column, row);
        if (text is null)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8((IntPtr)text);
        }
        finally
        {
            _native.Free(text);
        }
    }

    private static byte[] ToUtf8(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}

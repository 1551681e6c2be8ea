using System.Data;
using System.Data.Common;
using DuckDB.NET.Data;

namespace Dsl.Testing;

/// <summary>
/// A DuckDB database and one connection to it, through DuckDB.NET (ADO.NET; the <c>DuckDB.NET.Data.Full</c> package
/// carries libduckdb): enough to write Parquet files with <c>COPY ... TO</c> and to query files written by our own
/// writer, so the two implementations check each other.
/// </summary>
/// <remarks>
/// <para>Not thread-safe: use one instance per test.</para>
/// <para>Text results (<see cref="Query"/>, <see cref="QueryRows"/>, <see cref="QueryScalarString"/>) render each
/// value as DuckDB's own <c>CAST(value AS VARCHAR)</c> does, from the typed value DuckDB.NET reads (see
/// <see cref="DuckDbText"/>); a type that cannot be rendered exactly that way is an error that says to cast in SQL.</para>
/// </remarks>
public sealed class DuckDb : IDisposable
{
    private static readonly Lazy<string> s_version = new(ReadVersion);

    private readonly DuckDBConnection _connection;
    private bool _disposed;

    private DuckDb(DuckDBConnection connection) => _connection = connection;

    /// <summary>
    /// The path of the loaded DuckDB library: the <c>libduckdb.so</c> that the <c>DuckDB.NET.Bindings.Full</c> package
    /// puts beside the test binaries (opening a database first, so that it is loaded).
    /// </summary>
    /// <exception cref="InvalidOperationException">The library is loaded but its file could not be found.</exception>
    public static string LibraryPath
    {
        get
        {
            _ = Version;
            return DuckDbLibrary.LoadedPath();
        }
    }

    /// <summary>DuckDB's version string, e.g. <c>v1.5.6</c>.</summary>
    public static string Version => s_version.Value;

    /// <summary>Opens a database: in memory when <paramref name="path"/> is null, else the database file at that path.</summary>
    /// <exception cref="InvalidOperationException">DuckDB could not be loaded or could not open the database.</exception>
    public static DuckDb Open(string? path = null)
    {
        var builder = new DuckDBConnectionStringBuilder { DataSource = path ?? ":memory:" };
        var connection = new DuckDBConnection(builder.ConnectionString);
        try
        {
            connection.Open();
        }
        catch (Exception ex) when (ex is DbException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            connection.Dispose();
            throw new InvalidOperationException($"DuckDB could not open the database '{path ?? ":memory:"}': {ex.Message}", ex);
        }
        return new DuckDb(connection);
    }

    /// <summary>Quotes <paramref name="text"/> as a SQL string literal (single quotes, inner quotes doubled).</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>Runs a statement (or several, separated by semicolons) whose result, if any, is not needed.</summary>
    /// <exception cref="DuckDbException">DuckDB reported an error; the message carries DuckDB's text.</exception>
    public void Execute(string sql)
    {
        using DuckDBCommand command = Command(sql);
        try
        {
            command.ExecuteNonQuery();
        }
        catch (DuckDBException ex)
        {
            throw new DuckDbException(sql, ex.Message);
        }
    }

    /// <summary>The first column of the single row <paramref name="sql"/> returns, as a 64-bit integer.</summary>
    /// <exception cref="InvalidOperationException">
    /// The query returned no rows, more than one row, NULL, or a value that is not an integer in the range of a long.
    /// </exception>
    public long QueryScalarInt64(string sql)
    {
        object? value = QuerySingleValue(sql);
        return value switch
        {
            null => throw new InvalidOperationException($"The query returned NULL where an integer was expected: {sql}"),
            long l => l,
            int i => i,
            short s => s,
            sbyte b => b,
            byte b => b,
            ushort u => u,
            uint u => u,
            ulong u when u <= long.MaxValue => (long)u,
            System.Numerics.BigInteger big when big >= long.MinValue && big <= long.MaxValue => (long)big,
            _ => throw new InvalidOperationException($"The query returned {Describe(value)} where a 64-bit integer was expected; cast it in SQL (::BIGINT): {sql}"),
        };
    }

    /// <summary>The first column of the single row <paramref name="sql"/> returns, as a double, or null for SQL NULL.</summary>
    /// <exception cref="InvalidOperationException">The query returned no rows, more than one row, or a value that is not a number.</exception>
    public double? QueryScalarDouble(string sql)
    {
        object? value = QuerySingleValue(sql);
        return value switch
        {
            null => null,
            double d => d,
            float f => f,
            decimal m => (double)m,
            long or int or short or sbyte or byte or ushort or uint or ulong => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
            System.Numerics.BigInteger big => (double)big,
            _ => throw new InvalidOperationException($"The query returned {Describe(value)} where a number was expected; cast it in SQL (::DOUBLE): {sql}"),
        };
    }

    /// <summary>The first column of the single row <paramref name="sql"/> returns, as DuckDB renders it as text, or null for SQL NULL.</summary>
    /// <exception cref="InvalidOperationException">The query returned no rows or more than one row.</exception>
    public string? QueryScalarString(string sql)
    {
        DuckDbTable table = Query(sql);
        RequireSingleValue(sql, table.Rows.Count, table.ColumnNames.Count);
        return table.Rows[0][0];
    }

    /// <summary>Every row <paramref name="sql"/> returns, each value rendered as text as DuckDB does (null for SQL NULL).</summary>
    public IReadOnlyList<IReadOnlyList<string?>> QueryRows(string sql) => Query(sql).Rows;

    /// <summary>The column names and rows <paramref name="sql"/> returns, each value rendered as text as DuckDB does.</summary>
    /// <exception cref="DuckDbException">DuckDB reported an error.</exception>
    /// <exception cref="NotSupportedException">A column has a type that DuckDB.NET does not read exactly enough to render.</exception>
    public DuckDbTable Query(string sql)
    {
        string[] names;
        string[] types;
        int[] scales;
        var raw = new List<object?[]>();
        using (DuckDBCommand command = Command(sql))
        {
            try
            {
                using DuckDBDataReader reader = command.ExecuteReader();
                names = new string[reader.FieldCount];
                types = new string[reader.FieldCount];
                for (int c = 0; c < names.Length; c++)
                {
                    names[c] = reader.GetName(c);
                    types[c] = reader.GetDataTypeName(c);
                }
                scales = DecimalScales(reader, types);
                while (reader.Read())
                {
                    var row = new object?[names.Length];
                    for (int c = 0; c < row.Length; c++)
                    {
                        row[c] = reader.IsDBNull(c) ? null : DuckDbText.ReadValue(reader, c, types[c]);
                    }
                    raw.Add(row);
                }
            }
            catch (DuckDBException ex)
            {
                throw new DuckDbException(sql, ex.Message);
            }
        }

        // TIMESTAMP WITH TIME ZONE renders in the session's time zone, read after the result is closed.
        TimeZoneInfo? zone = Array.IndexOf(types, DuckDbText.TimestampTz) >= 0 ? SessionTimeZone() : null;
        var rows = new IReadOnlyList<string?>[raw.Count];
        for (int r = 0; r < rows.Length; r++)
        {
            var row = new string?[names.Length];
            for (int c = 0; c < row.Length; c++)
            {
                row[c] = raw[r][c] is { } value ? DuckDbText.Render(value, types[c], scales[c], zone, names[c]) : null;
            }
            rows[r] = row;
        }
        return new DuckDbTable(names, rows);
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
        if (!_disposed)
        {
            _disposed = true;
            _connection.Dispose();
        }
    }

    private DuckDBCommand Command(string sql)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        DuckDBCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private object? QuerySingleValue(string sql)
    {
        using DuckDBCommand command = Command(sql);
        try
        {
            using DuckDBDataReader reader = command.ExecuteReader();
            int columns = reader.FieldCount;
            int rows = 0;
            object? value = null;
            // Two rows are enough to know the shape is wrong; the rest is not read.
            while (rows < 2 && reader.Read())
            {
                if (rows++ == 0 && columns > 0)
                {
                    value = reader.IsDBNull(0) ? null : reader.GetValue(0);
                }
            }
            RequireSingleValue(sql, rows, columns);
            return value;
        }
        catch (DuckDBException ex)
        {
            throw new DuckDbException(sql, ex.Message);
        }
    }

    private static void RequireSingleValue(string sql, int rows, int columns)
    {
        if (rows != 1 || columns < 1)
        {
            string shape = rows > 1 ? "more than one row" : $"{rows} rows of {columns} columns";
            throw new InvalidOperationException($"The query returned {shape} where exactly one value was expected: {sql}");
        }
    }

    private static string Describe(object value) => $"a {value.GetType().Name} ({value})";

    // DECIMAL values arrive as System.Decimal, which keeps the scale only for narrow decimals: the schema table
    // carries the column's declared scale, which DuckDB always prints in full.
    private static int[] DecimalScales(DuckDBDataReader reader, string[] types)
    {
        var scales = new int[types.Length];
        if (Array.IndexOf(types, DuckDbText.Decimal) < 0)
        {
            return scales;
        }
        DataTable schema = reader.GetSchemaTable();
        foreach (DataRow row in schema.Rows)
        {
            int ordinal = Convert.ToInt32(row[SchemaTableColumn.ColumnOrdinal], System.Globalization.CultureInfo.InvariantCulture);
            if (types[ordinal] == DuckDbText.Decimal)
            {
                scales[ordinal] = Convert.ToInt32(row[SchemaTableColumn.NumericScale], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return scales;
    }

    private TimeZoneInfo SessionTimeZone()
    {
        string name = QuerySingleValue("SELECT current_setting('TimeZone')") as string ?? "UTC";
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (TimeZoneNotFoundException ex)
        {
            throw new NotSupportedException($"DuckDB's session time zone '{name}' is not known to .NET here, so TIMESTAMP WITH TIME ZONE values cannot be rendered; SET TimeZone = 'UTC' or cast the column to VARCHAR in SQL.", ex);
        }
    }

    private static string ReadVersion()
    {
        using DuckDb db = Open();
        return db._connection.ServerVersion;
    }
}

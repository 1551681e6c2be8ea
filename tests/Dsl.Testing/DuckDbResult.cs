using System.Runtime.InteropServices;

namespace Dsl.Testing;

/// <summary>
/// <c>duckdb_result</c> as laid out in <c>duckdb.h</c>: six 8-byte fields (three <c>idx_t</c> counts and three
/// pointers), all deprecated or internal. The tests only pass its address to DuckDB, so it is declared as an
/// opaque 48-byte block.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 48)]
internal struct DuckDbResult
{
}

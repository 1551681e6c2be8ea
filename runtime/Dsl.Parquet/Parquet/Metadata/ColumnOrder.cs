namespace Dsl.Parquet.Metadata;

/// <summary>The sort order used for a column's min/max statistics (Thrift <c>ColumnOrder</c>).</summary>
internal enum ColumnOrder
{
    /// <summary>An order this reader does not know.</summary>
    Unknown = 0,
    /// <summary>The order defined by the column's logical type (or physical type when it has none).</summary>
    TypeDefined = 1,
}

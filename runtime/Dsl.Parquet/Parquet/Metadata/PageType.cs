namespace Dsl.Parquet.Metadata;

/// <summary>The kind of a page (Thrift <c>PageType</c>).</summary>
internal enum PageType
{
    /// <summary>A data page, version 1.</summary>
    DataPage = 0,
    /// <summary>An index page (unused by writers in practice).</summary>
    IndexPage = 1,
    /// <summary>A dictionary page.</summary>
    DictionaryPage = 2,
    /// <summary>A data page, version 2.</summary>
    DataPageV2 = 3,
}

namespace Dsl.Parquet.Metadata;

/// <summary>How often a schema field occurs in its parent (Thrift <c>FieldRepetitionType</c>).</summary>
internal enum FieldRepetition
{
    /// <summary>Exactly once.</summary>
    Required = 0,
    /// <summary>Zero or one time (nullable).</summary>
    Optional = 1,
    /// <summary>Zero or more times.</summary>
    Repeated = 2,
}

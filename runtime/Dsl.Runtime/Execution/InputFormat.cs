namespace Dsl.Execution;

/// <summary>How an input file is stored, from its name (see docs/inputs.md).</summary>
public enum InputFormat
{
    /// <summary>Apache Parquet (<c>.parquet</c>, and any file given directly whose name says nothing else).</summary>
    Parquet,

    /// <summary>Comma-separated values with a header row (<c>.csv</c>, <c>.csv.gz</c>).</summary>
    Csv,

    /// <summary>JSON Lines: one JSON object a line (<c>.jsonl</c>, <c>.ndjson</c>, and either with <c>.gz</c>).</summary>
    JsonLines,
}

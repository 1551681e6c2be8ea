namespace Dsl.Execution;

/// <summary>
/// A column whose value is the same for every row of a partition because it comes from the folder the file sits in
/// (a hive partition folder <c>key=value</c>): the decoded folder value, or null for <c>__HIVE_DEFAULT_PARTITION__</c>.
/// </summary>
/// <param name="Column">The schema column, named like the folder key.</param>
/// <param name="Value">The folder value with its <c>%XX</c> escapes decoded, or null.</param>
public sealed record PartitionValue(string Column, string? Value);

namespace Dsl.MLNet;

/// <summary>One row group of one part: the unit a cursor of a set reads, and the unit of ML.NET's batch numbers.</summary>
/// <param name="Path">The part's full path.</param>
/// <param name="RowGroup">The row group's index in the part.</param>
/// <param name="FirstRow">The row id of its first row: the rows of all row groups before it, in the manifest's order.</param>
/// <param name="Rows">Its rows.</param>
/// <param name="Ordinal">Its place among the view's row groups, which is also the <c>Batch</c> its rows report.</param>
internal readonly record struct RowGroupChunk(string Path, int RowGroup, long FirstRow, long Rows, long Ordinal);

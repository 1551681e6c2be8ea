namespace Dsl.Hosting;

/// <summary>
/// Writes deterministic sample input for a pipeline: <paramref name="rows"/> rows split over
/// <paramref name="files"/> Parquet files in <paramref name="outputDirectory"/>, the same bytes for the same seed.
/// </summary>
/// <returns>The files written.</returns>
public delegate IReadOnlyList<string> SampleDataWriter(string outputDirectory, long rows, int files, int seed);

using Dsl.Parquet;

namespace Dsl.EndToEnd.Tests;

/// <summary>Reads every row of the Parquet files in a folder (in file-name order) as schema records.</summary>
internal static class OutputRows
{
    public static List<T> Read<T>(string folder)
        where T : IRowSchema<T>
    {
        var rows = new List<T>();
        foreach (string file in Directory.GetFiles(folder, "*.parquet").Order(StringComparer.Ordinal))
        {
            using var reader = new ParquetFileReader(file);
            foreach (RecordBatch batch in reader.ReadBatches())
            {
                using (batch)
                {
                    rows.AddRange(T.ReadRows(batch));
                }
            }
        }
        return rows;
    }
}

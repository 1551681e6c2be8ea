namespace Dsl.Kernels;

/// <summary>The checks both widths of complete trees make of their arrays and of the rows they are given.</summary>
internal static class CompleteTreeShape
{
    /// <summary>The splits a tree of <paramref name="depth"/> has, after checking every array fits that many trees of it.</summary>
    public static int Check(int depth, int features, int groups, int[] group, int[] feature, int leaves, params int[] splitArrays)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, 16);
        int splits = (1 << depth) - 1;
        int trees = group.Length;
        if (feature.Length != trees * splits || leaves != trees * (splits + 1) || splitArrays.Any(length => length != trees * splits))
        {
            throw new ArgumentException($"{trees} trees of depth {depth} need {trees * splits} splits and {trees * (splits + 1)} leaves.");
        }
        foreach (int f in feature)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(f);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(f, features);
        }
        foreach (int g in group)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(g);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(g, groups);
        }
        return splits;
    }

    /// <summary>Throws unless the buffers hold <paramref name="rows"/> rows' features and margins.</summary>
    public static void CheckRows(int rows, int x, int features, int margins, int groups)
    {
        if (rows < 0 || x < rows * features || margins < rows * groups)
        {
            throw new ArgumentException($"{rows} rows need {rows * features} features and {rows * groups} margins; got {x} and {margins}.");
        }
    }
}

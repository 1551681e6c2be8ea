namespace Dsl.Validation;

/// <summary>
/// Thrown by a generated kernel when a stage throws for one row and the stage does not quarantine its row errors:
/// carries the stage and the row's position in the kernel's input batch, so the runtime can name the file, row group,
/// row and the values the stage read. <see cref="Exception.InnerException"/> is what the stage threw.
/// </summary>
public sealed class StageRowException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StageRowException(string stage, int row, Exception inner)
        : base($"Stage '{stage}' threw {inner.GetType().Name} for row {row} of its batch: {inner.Message}", inner)
    {
        Stage = stage;
        Row = row;
    }

    /// <summary>The stage that threw.</summary>
    public string Stage { get; }

    /// <summary>The row's position in the kernel's input batch.</summary>
    public int Row { get; }
}

using Dsl.Validation;

namespace Dsl.Generators.Tests.Infrastructure;

/// <summary>Asserts what a kernel throws when a stage throws for one row: a <see cref="StageRowException"/> naming it.</summary>
internal static class RowErrorAssert
{
    /// <summary>
    /// <paramref name="kernel"/> throws a <see cref="StageRowException"/> for stage <paramref name="stage"/> and row
    /// <paramref name="row"/> of its batch whose inner exception is of type <paramref name="inner"/>; returns it.
    /// </summary>
    public static StageRowException Throws(Type inner, string stage, int row, Action kernel)
    {
        var error = Assert.Throws<StageRowException>(kernel);
        Assert.IsType(inner, error.InnerException);
        Assert.Equal(stage, error.Stage);
        Assert.Equal(row, error.Row);
        Assert.Contains($"Stage '{stage}' threw {inner.Name} for row {row} of its batch", error.Message, StringComparison.Ordinal);
        return error;
    }
}

namespace Dsl.Models;

/// <summary>
/// A row a model given at run time refused (its scorer threw when scoring the row alone): a row error of the score
/// stage, which the stage quarantines (<c>OnRowError = RowErrorAction.Quarantine</c>, with this message as the reason) or
/// fails the job on, naming the row.
/// </summary>
public sealed class ModelRowException : Exception
{
    /// <param name="model">The model's name (<c>ModelName</c>).</param>
    /// <param name="inner">What the scorer threw.</param>
    public ModelRowException(string model, Exception inner)
        : base($"model '{model}' refused the row: {inner.Message}", inner)
    {
        Model = model;
    }

    /// <summary>The model's name.</summary>
    public string Model { get; }
}

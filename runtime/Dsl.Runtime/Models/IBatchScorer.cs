namespace Dsl.Models;

/// <summary>
/// A model that scores many rows at once from their features, row after row in one buffer: how run-time models (a
/// file named by <c>--model NAME=PATH</c> for a <c>[Score(ModelName = "NAME")]</c> stage) are called. Implementations
/// are safe to call from several partition tasks at once.
/// </summary>
public interface IBatchScorer : IDisposable
{
    /// <summary>The features of a row.</summary>
    int FeatureCount { get; }

    /// <summary>The outputs of a row.</summary>
    int OutputCount { get; }

    /// <summary>
    /// Whether the model computes in float64 (LightGBM): then the kernel gathers double features and calls
    /// <see cref="Score(double[], int, double[])"/>, so nothing is rounded to float32 on the way.
    /// </summary>
    bool ComputesInDouble => false;

    /// <summary>
    /// Scores <paramref name="rows"/> rows: <paramref name="features"/> holds <see cref="FeatureCount"/> values a row
    /// (NaN for a missing one), <paramref name="outputs"/> receives <see cref="OutputCount"/> a row. Both arrays may be
    /// longer (pooled buffers); only the first <c>rows</c> rows are read and written.
    /// </summary>
    void Score(float[] features, int rows, float[] outputs);

    /// <summary>
    /// The float64 form of <see cref="Score(float[], int, float[])"/>, which models that compute in float64 implement;
    /// the default rounds the features to float32, scores them and widens the outputs.
    /// </summary>
    void Score(double[] features, int rows, double[] outputs)
    {
        var narrow = new float[rows * FeatureCount];
        for (int i = 0; i < narrow.Length; i++)
        {
            narrow[i] = (float)features[i];
        }
        var results = new float[rows * OutputCount];
        Score(narrow, rows, results);
        for (int i = 0; i < results.Length; i++)
        {
            outputs[i] = results[i];
        }
    }
}

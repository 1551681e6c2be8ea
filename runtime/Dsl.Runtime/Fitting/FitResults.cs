using Dsl.Execution;

namespace Dsl.Fitting;

/// <summary>
/// The merged answers of a pipeline's fit stages, keyed like <see cref="FitRequest"/>: stage, statistic, selector
/// text and constant arguments. The first pass fills it; <see cref="FitData{TRow}"/> reads it when the fit methods run.
/// </summary>
public sealed class FitResults
{
    private readonly Dictionary<string, object> _answers = new(StringComparer.Ordinal);

    /// <summary>Records the answer to <paramref name="request"/> of <paramref name="stage"/>: a <see cref="double"/>,
    /// <see cref="long"/>, <see cref="string"/>, <c>double[]</c> or <c>string[]</c>.</summary>
    public void Set(string stage, FitRequest request, object answer)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(answer);
        _answers[Key(stage, request.Statistic, request.Expression, request.Arguments)] = answer;
    }

    /// <summary>The answer a fit method's call asks for.</summary>
    /// <exception cref="InvalidOperationException">No answer was gathered for the call: the build did not see it (a
    /// selector passed through a variable or a helper), so the first pass did not compute it.</exception>
    public T Get<T>(string stage, FitStatistic statistic, string expression, params double[] arguments)
    {
        string key = Key(stage, statistic, expression, arguments);
        if (!_answers.TryGetValue(key, out object? answer))
        {
            throw new InvalidOperationException(
                $"Fit stage '{stage}' asked for {statistic} of '{expression}'{(arguments.Length > 0 ? $" ({string.Join(", ", arguments)})" : "")}, which the first pass did not gather. Call the statistics methods on the stage's FitData parameter directly, with a lambda reading one member and constant arguments, so the build sees each call.");
        }
        return answer is T typed
            ? typed
            : (T)Convert.ChangeType(answer, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Key(string stage, FitStatistic statistic, string expression, IReadOnlyList<double> arguments) =>
        $"{stage}\u001f{statistic}\u001f{expression}\u001f{string.Join(",", arguments.Select(a => a.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}";
}

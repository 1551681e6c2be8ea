using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Dsl.Kernels;

/// <summary>
/// Helpers the generated kernels call to check row rules that have no operator form (<see cref="RegexAttribute"/>).
/// Kernels evaluate them once per dictionary entry of a string column where the vector block runs.
/// </summary>
public static class RuleChecks
{
    // One Regex per pattern for the process: built on first use, culture-invariant, shared by every kernel and thread.
    private static readonly ConcurrentDictionary<string, Regex> s_patterns = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether <paramref name="value"/> matches <paramref name="pattern"/> somewhere (a null value passes, as every
    /// rule but <see cref="NotNullAttribute"/> lets nulls pass).
    /// </summary>
    public static bool Matches(string? value, string pattern) =>
        value is null || s_patterns.GetOrAdd(pattern, static p => new Regex(p, RegexOptions.CultureInvariant)).IsMatch(value);
}

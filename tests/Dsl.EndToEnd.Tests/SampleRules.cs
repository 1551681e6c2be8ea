using Dsl.Pipeline1;

namespace Dsl.EndToEnd.Tests;

/// <summary>The rules on the sample's <see cref="Transaction"/> (Schemas.cs), as plain C#: which input rows a run keeps.</summary>
internal static class SampleRules
{
    private static readonly HashSet<string> Countries = ["US", "GB", "DE", "FR", "IN", "BR", "JP", "NG", "CA", "AU", "ES", "MX"];

    /// <summary>Whether <paramref name="t"/> passes every rule, so it reaches the stages rather than the quarantine.</summary>
    public static bool Pass(Transaction t) =>
        Countries.Contains(t.Country) && t.Amount is >= -10_000 and <= 10_000 && t.SessionSeconds is null or (>= 0 and <= 3_600);
}

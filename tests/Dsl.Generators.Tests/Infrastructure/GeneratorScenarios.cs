using System.Reflection;
using Dsl.Generators.Tests.Execution;

namespace Dsl.Generators.Tests.Infrastructure;

/// <summary>
/// Every generator test scenario by name: the design sample (<see cref="TestSources.FraudFeatures"/>) and each
/// <c>const string</c> of <see cref="ScenarioSources"/>, found by reflection so that a new scenario is snapshot and
/// caching-tested without being listed again.
/// </summary>
internal static class GeneratorScenarios
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> s_all = new(Load);

    public static IReadOnlyDictionary<string, string> All => s_all.Value;

    /// <summary>The scenario names, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (string name in All.Keys)
        {
            data.Add(name);
        }
        return data;
    }

    /// <summary>The scenario compiled as its tests compile it (<c>CheckedByDefault</c> is a checked project).</summary>
    public static GeneratorRun Run(string name) =>
        GeneratorHarness.Run(All[name], checkOverflow: name == nameof(ScenarioSources.CheckedByDefault));

    private static IReadOnlyDictionary<string, string> Load()
    {
        var all = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [nameof(TestSources.FraudFeatures)] = TestSources.FraudFeatures,
        };
        foreach (FieldInfo field in typeof(ScenarioSources).GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
        {
            if (field.IsLiteral && field.FieldType == typeof(string))
            {
                all.Add(field.Name, (string)field.GetRawConstantValue()!);
            }
        }
        return all;
    }
}

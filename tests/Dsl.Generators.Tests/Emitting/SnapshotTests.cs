using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Emitting;

/// <summary>
/// Every scenario's generated sources, file by file, against <c>_snapshots/&lt;scenario&gt;/&lt;hint name&gt;.txt</c>
/// (see <c>_snapshots/README.md</c> for the update command).
/// </summary>
public sealed class SnapshotTests
{
    [Theory]
    [MemberData(nameof(GeneratorScenarios.Names), MemberType = typeof(GeneratorScenarios))]
    public void Scenario_GeneratedSources_MatchSnapshots(string scenario)
    {
        GeneratorRun run = GeneratorScenarios.Run(scenario);
        Assert.Empty(run.GeneratorProblems);
        Assert.True(run.CompilationProblems.IsEmpty, string.Join(Environment.NewLine, run.CompilationProblems));

        var files = run.Result.Results.SelectMany(r => r.GeneratedSources)
            .ToDictionary(s => s.HintName + ".txt", s => s.SourceText.ToString(), StringComparer.Ordinal);
        Assert.NotEmpty(files);
        Snapshot.MatchFolder(scenario, files);
    }
}

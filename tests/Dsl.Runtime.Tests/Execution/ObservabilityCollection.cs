namespace Dsl.Runtime.Tests.Execution;

/// <summary>Runs <see cref="ObservabilityTests"/> alone: activity and meter listeners see every run in the process.</summary>
[CollectionDefinition(nameof(ObservabilityTests), DisableParallelization = true)]
public sealed class ObservabilityCollection;

namespace Dsl.Generators.Common;

/// <summary>Names of incremental steps whose caching the tests observe.</summary>
internal static class TrackingNames
{
    public const string SchemaModels = nameof(SchemaModels);
    public const string SchemaSpecs = nameof(SchemaSpecs);
    public const string PipelineModels = nameof(PipelineModels);
    public const string PipelineSpecs = nameof(PipelineSpecs);
    public const string NameScope = nameof(NameScope);
}

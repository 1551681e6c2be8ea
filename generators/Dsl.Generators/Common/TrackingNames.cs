namespace Dsl.Generators.Common;

/// <summary>Names of incremental steps whose caching the tests observe.</summary>
internal static class TrackingNames
{
    public const string SchemaModels = nameof(SchemaModels);
    public const string SchemaSpecs = nameof(SchemaSpecs);
    public const string PipelineModels = nameof(PipelineModels);
    public const string PipelineSpecs = nameof(PipelineSpecs);
    public const string PipelineModelFiles = nameof(PipelineModelFiles);
    public const string ModelLoaders = nameof(ModelLoaders);
    public const string GpuReference = nameof(GpuReference);
    public const string NameScope = nameof(NameScope);
    public const string VectorDeclines = nameof(VectorDeclines);

    // Diagnostics located in the current compilation's trees (the only steps that read the compilation).
    public const string SchemaDiagnostics = nameof(SchemaDiagnostics);
    public const string PipelineDiagnostics = nameof(PipelineDiagnostics);
    public const string ModelFileDiagnostics = nameof(ModelFileDiagnostics);
    public const string VectorDiagnostics = nameof(VectorDiagnostics);
}

namespace Dsl.Generators.Diagnostics;

/// <summary>
/// Every diagnostic id the generators report. Ranges: 1xxx schema, 2xxx stage, 3xxx graph, 4xxx kernels
/// and performance, 5xxx SDK (MSBuild, not Roslyn diagnostics), 9xxx internal. Never reuse or renumber an id.
/// </summary>
internal static class DiagnosticIds
{
    // Schema
    public const string SchemaNotPartial = "DSL1001";
    public const string SchemaMemberTypeUnsupported = "DSL1002";
    public const string SchemaNotPositionalRecord = "DSL1003";
    public const string SchemaColumnNameDuplicate = "DSL1004";
    public const string SchemaColumnNameInvalid = "DSL1005";
    public const string ConstraintBoundsImpossible = "DSL1006";
    public const string UtcOnNonDateTime = "DSL1007";
    public const string ColumnTypeAttributeInvalid = "DSL1008";
    public const string RuleDoesNotFitMember = "DSL1009";
    public const string RegexPatternInvalid = "DSL1010";

    // Stage
    public const string StageTypeNotSchema = "DSL2001";
    public const string StageNotStatic = "DSL2002";
    public const string StageSignatureInvalid = "DSL2003";
    public const string PipelineNotPartial = "DSL2004";
    public const string StageNameNotUnique = "DSL2005";
    public const string StageNotPure = "DSL2006";
    public const string StageHasSideEffects = "DSL2007";
    public const string StageParameterTypeUnsupported = "DSL2008";
    public const string StageHasTooManyParameters = "DSL2009";
    public const string StageParameterByReference = "DSL2010";
    public const string FitReturnTypeInvalid = "DSL2011";
    public const string FitSelectorInvalid = "DSL2012";
    public const string FitArgumentNotConstant = "DSL2013";
    public const string FitDataEscapes = "DSL2014";
    public const string FitColumnTypeMismatch = "DSL2015";
    public const string AggregateOutputInvalid = "DSL2016";
    public const string AggregateOutputTypeMismatch = "DSL2017";
    public const string AggregateKeyInvalid = "DSL2018";
    public const string JoinOutputInvalid = "DSL2019";
    public const string JoinKeyInvalid = "DSL2020";
    public const string SplitInvalid = "DSL2021";

    // Graph
    public const string FromStageNotFound = "DSL3001";
    public const string StageCycle = "DSL3002";
    public const string StageInputAmbiguous = "DSL3003";
    public const string PipelineInputSchemasDiffer = "DSL3004";
    public const string FromSchemaMismatch = "DSL3005";
    public const string StageUnreachable = "DSL3006";
    public const string PipelineHasNoStages = "DSL3007";
    public const string FromColumnMissing = "DSL3008";
    public const string FromColumnTypeMismatch = "DSL3009";
    public const string FromColumnNullability = "DSL3010";
    public const string UniqueNotOnInput = "DSL3011";
    public const string GateInvalid = "DSL3012";
    public const string FitNeedsItsOwnRecord = "DSL3013";
    public const string FitRecordNotUnique = "DSL3014";
    public const string FitRecordUnused = "DSL3015";
    public const string SplitNotOnSink = "DSL3016";
    public const string FitAfterBarrier = "DSL3017";
    public const string BarrierSkipsInputRules = "DSL3018";
    public const string ModelFileInvalid = "DSL3019";
    public const string ModelDoesNotFitStage = "DSL3020";

    // Kernels
    public const string KernelFallback = "DSL4001";
    public const string VectorBlockDeclined = "DSL4002";
}

namespace Dsl.Generators.Common;

/// <summary>Metadata names of the runtime types the generators look for (checked against the runtime by a test).</summary>
internal static class KnownTypeNames
{
    public const string SchemaAttribute = "Dsl.SchemaAttribute";
    public const string ColumnAttribute = "Dsl.ColumnAttribute";
    public const string PipelineAttribute = "Dsl.PipelineAttribute";
    public const string FilterAttribute = "Dsl.FilterAttribute";
    public const string MapAttribute = "Dsl.MapAttribute";
    public const string RangeAttribute = "Dsl.RangeAttribute";
    public const string NullRateAttribute = "Dsl.NullRateAttribute";
    public const string UtcAttribute = "Dsl.UtcAttribute";
    public const string DecimalAttribute = "Dsl.DecimalAttribute";
    public const string TruncateNanosecondsAttribute = "Dsl.TruncateNanosecondsAttribute";
    public const string NanoTimestamp = "Dsl.NanoTimestamp";
    public const string SampleValuesAttribute = "Dsl.SampleValuesAttribute";
    public const string CheckAttribute = "Dsl.CheckAttribute";
    public const string NotNullAttribute = "Dsl.NotNullAttribute";
    public const string OneOfAttribute = "Dsl.OneOfAttribute";
    public const string MinLengthAttribute = "Dsl.MinLengthAttribute";
    public const string MaxLengthAttribute = "Dsl.MaxLengthAttribute";
    public const string RegexAttribute = "Dsl.RegexAttribute";
    public const string FiniteAttribute = "Dsl.FiniteAttribute";
    public const string UniqueAttribute = "Dsl.UniqueAttribute";
    public const string GateAttribute = "Dsl.GateAttribute";
    public const string FitAttribute = "Dsl.FitAttribute";
    public const string AggregateAttribute = "Dsl.AggregateAttribute";
    public const string JoinAttribute = "Dsl.JoinAttribute";
    public const string SplitAttribute = "Dsl.SplitAttribute";
    public const string ScoreAttribute = "Dsl.ScoreAttribute";

    /// <summary>The metadata name of <c>Dsl.Group&lt;TRow&gt;</c>, the parameter of an aggregate stage.</summary>
    public const string Group = "Dsl.Group`1";

    /// <summary>The metadata name of <c>Dsl.FitData&lt;TRow&gt;</c>, the parameter of a fit stage.</summary>
    public const string FitData = "Dsl.FitData`1";
}

using Dsl.Generators.Common;

namespace Dsl.Generators.Tests.Parsing;

public sealed class KnownTypeNamesTests
{
    [Fact]
    public void AttributeNames_MatchTheRuntimeTypes()
    {
        Assert.Equal(KnownTypeNames.SchemaAttribute, typeof(SchemaAttribute).FullName);
        Assert.Equal(KnownTypeNames.ColumnAttribute, typeof(ColumnAttribute).FullName);
        Assert.Equal(KnownTypeNames.PipelineAttribute, typeof(PipelineAttribute).FullName);
        Assert.Equal(KnownTypeNames.FilterAttribute, typeof(FilterAttribute).FullName);
        Assert.Equal(KnownTypeNames.MapAttribute, typeof(MapAttribute).FullName);
        Assert.Equal(KnownTypeNames.FitAttribute, typeof(FitAttribute).FullName);
        Assert.Equal(KnownTypeNames.FitData, typeof(FitData<>).FullName);
        Assert.Equal(KnownTypeNames.AggregateAttribute, typeof(AggregateAttribute).FullName);
        Assert.Equal(KnownTypeNames.JoinAttribute, typeof(JoinAttribute).FullName);
        Assert.Equal(KnownTypeNames.SplitAttribute, typeof(SplitAttribute).FullName);
        Assert.Equal(KnownTypeNames.Group, typeof(Group<>).FullName);
    }
}
